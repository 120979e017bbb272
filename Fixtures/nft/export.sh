#!/bin/sh
# Regenerates the `nft -j list ruleset` exports of the nft fixtures with the real nft, in a private
# network namespace (the host's rules are never touched). Needs root or `unshare -rn`.
#   lync-edge/compliant.json       = compliant.nft
#   lync-edge/blocking-table.json  = compliant.nft, then blocking-table.nft
set -eu
cd "$(dirname "$0")/lync-edge"
export_json() { # output file, then the scripts to load in order
	out=$1; shift
	loads=""
	for f in "$@"; do loads="$loads nft -f $f &&"; done
	unshare -n sh -c "$loads nft -j list ruleset" | python3 -m json.tool --indent 1 > "$out"
}
export_json compliant.json compliant.nft
export_json blocking-table.json compliant.nft blocking-table.nft
