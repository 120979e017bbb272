// The git commit this binary was built from. scripts/package rewrites this file in the clean
// tree it builds the release from; every other build (a checkout, a tarball) says "unknown".
let buildCommit = "unknown"
