// swift-tools-version: 6.0
import PackageDescription

/// libFuzzer targets for fwaudit's input loaders (issue 6) and for the whole audit. Build and run them with `scripts/fuzz`;
/// `Fuzz/README.md` says how the link works and why the package looks like this.
///
/// The root package exports only the `fwaudit` executable, so this package cannot use its library
/// targets as products. Instead `Modules/` holds symlinks to the root's `Sources/<Module>` folders
/// (SwiftPM refuses target paths outside the package root, but follows symlinks inside it): the
/// fuzzers compile the very same sources, instrumented, without touching the root `Package.swift`.
let package = Package(
    name: "fwaudit-fuzz",
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // The loaders, as in the root package (same dependencies, sources via Modules/ symlinks).
        .target(name: "FirewallModel", path: "Modules/FirewallModel"),
        .target(name: "IptablesLoading", dependencies: ["FirewallModel"], path: "Modules/IptablesLoading"),
        .target(name: "YAMLDocuments", dependencies: ["FirewallModel", .product(name: "Yams", package: "Yams")], path: "Modules/YAMLDocuments"),
        .target(name: "PortMatrix", dependencies: ["FirewallModel", "YAMLDocuments", .product(name: "Yams", package: "Yams")], path: "Modules/PortMatrix"),
        .target(name: "MatrixImport", dependencies: ["FirewallModel", "PortMatrix", "YAMLDocuments", .product(name: "Yams", package: "Yams")], path: "Modules/MatrixImport"),
        .target(name: "JSONDocuments", path: "Modules/JSONDocuments"),
        .target(name: "NftablesSemantics", dependencies: ["FirewallModel"], path: "Modules/NftablesSemantics"),
        .target(name: "NftablesJSON", dependencies: ["FirewallModel", "NftablesSemantics", "JSONDocuments"], path: "Modules/NftablesJSON"),
        .target(name: "NftablesBytecode", path: "Modules/NftablesBytecode"),
        .target(name: "NftablesLoading", dependencies: ["FirewallModel", "NftablesSemantics", "NftablesBytecode"], path: "Modules/NftablesLoading"),
        .systemLibrary(name: "CMnl", path: "Modules/CMnl", pkgConfig: "libmnl", providers: [.apt(["libmnl-dev"])]),
        .systemLibrary(name: "CNftnl", path: "Modules/CNftnl", pkgConfig: "libnftnl", providers: [.apt(["libnftnl-dev"])]),
        .target(name: "NftablesNetlink", dependencies: ["CMnl", "CNftnl", "NftablesBytecode"], path: "Modules/NftablesNetlink"),
        .target(name: "FlowAnalysis", dependencies: ["FirewallModel"], path: "Modules/FlowAnalysis"),
        .target(name: "Audit", dependencies: ["FirewallModel", "PortMatrix", "FlowAnalysis"], path: "Modules/Audit"),

        // The libFuzzer driver shared by every fuzz target.
        .target(name: "FuzzDriver"),

        // One executable per loader: `scripts/fuzz` builds them with -sanitize=fuzzer,address.
        .executableTarget(name: "fuzz-iptables", dependencies: ["FuzzDriver", "IptablesLoading", "FirewallModel"]),
        .executableTarget(name: "fuzz-matrix", dependencies: ["FuzzDriver", "PortMatrix"]),
        .executableTarget(name: "fuzz-nft-json", dependencies: ["FuzzDriver", "NftablesJSON"]),
        .executableTarget(name: "fuzz-import", dependencies: ["FuzzDriver", "MatrixImport", "PortMatrix"]),
        .executableTarget(name: "fuzz-netlink", dependencies: ["FuzzDriver", "NftablesNetlink", "NftablesLoading", "NftablesBytecode"]),
        .executableTarget(name: "fuzz-nft-notation", dependencies: ["FuzzDriver", "NftablesLoading", "NftablesBytecode"]),
        .executableTarget(name: "fuzz-audit", dependencies: ["FuzzDriver", "IptablesLoading", "PortMatrix", "Audit", "FirewallModel"]),
    ],
    swiftLanguageModes: [.v6]
)
