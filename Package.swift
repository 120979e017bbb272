// swift-tools-version: 6.0
import PackageDescription

/// fwaudit: audits Linux firewall rulesets against a documented port matrix.
///
/// Layers depend in one direction only:
/// FirewallModel ← IptablesLoading, PortMatrix, MatrixImport, NftablesSemantics (the nftables fields, conditions,
/// value printing and symbols both nftables readers share) ← NftablesJSON (with JSONDocuments), NftablesLoading
/// (with NftablesBytecode) ← FlowAnalysis ← Audit ← Gating ← Reporting (with JSONDocuments) ← FirewallAuditCommands ← fwaudit.
/// C stays in one module: only NftablesNetlink imports the CMnl/CNftnl system libraries.
let package = Package(
    name: "fwaudit",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fwaudit", targets: ["fwaudit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .target(name: "FirewallModel"),
        .target(name: "IptablesLoading", dependencies: ["FirewallModel"]),
        .target(name: "YAMLDocuments", dependencies: ["FirewallModel", .product(name: "Yams", package: "Yams")]),
        .target(name: "PortMatrix", dependencies: ["FirewallModel", "YAMLDocuments", .product(name: "Yams", package: "Yams")]),
        .target(name: "MatrixImport", dependencies: ["FirewallModel", "PortMatrix", "YAMLDocuments", .product(name: "Yams", package: "Yams")]),
        .target(name: "JSONDocuments"),
        .target(name: "NftablesSemantics", dependencies: ["FirewallModel"]),
        .target(name: "NftablesJSON", dependencies: ["FirewallModel", "NftablesSemantics", "JSONDocuments"]),
        .target(name: "NftablesBytecode"),
        .target(name: "NftablesLoading", dependencies: ["FirewallModel", "NftablesSemantics", "NftablesBytecode"]),
        .systemLibrary(name: "CMnl", pkgConfig: "libmnl", providers: [.apt(["libmnl-dev"])]),
        .systemLibrary(name: "CNftnl", pkgConfig: "libnftnl", providers: [.apt(["libnftnl-dev"])]),
        .target(name: "NftablesNetlink", dependencies: ["CMnl", "CNftnl", "NftablesBytecode"]),
        .target(name: "FlowAnalysis", dependencies: ["FirewallModel"]),
        .target(name: "Audit", dependencies: ["FirewallModel", "PortMatrix", "FlowAnalysis"]),
        .target(name: "Reporting", dependencies: ["FirewallModel", "PortMatrix", "Audit", "Gating", "JSONDocuments"]),
        .target(name: "Gating", dependencies: ["FirewallModel", "PortMatrix", "Audit", "YAMLDocuments", .product(name: "Yams", package: "Yams")]),
        .target(name: "FirewallAuditCommands", dependencies: [
            "FirewallModel", "IptablesLoading", "PortMatrix", "FlowAnalysis", "Audit", "Reporting", "Gating", "YAMLDocuments",
            "MatrixImport", "NftablesJSON", "NftablesBytecode", "NftablesLoading", "NftablesNetlink",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "fwaudit", dependencies: ["FirewallAuditCommands"]),

        .target(name: "FixtureSupport", dependencies: ["Audit", "Gating", "PortMatrix", "IptablesLoading", "FirewallModel"], path: "Tests/FixtureSupport"),
        .testTarget(name: "FixtureSupportTests", dependencies: ["FixtureSupport"]),
        .testTarget(name: "FirewallModelTests", dependencies: ["FirewallModel"]),
        .testTarget(name: "IptablesLoadingTests", dependencies: ["IptablesLoading", "FirewallModel"]),
        .testTarget(name: "PortMatrixTests", dependencies: ["PortMatrix", "FirewallModel"]),
        .testTarget(name: "MatrixImportTests", dependencies: ["MatrixImport", "PortMatrix", "FirewallModel"]),
        .testTarget(name: "JSONDocumentsTests", dependencies: ["JSONDocuments"]),
        .testTarget(name: "NftablesSemanticsTests", dependencies: ["NftablesSemantics", "NftablesJSON", "NftablesLoading", "NftablesBytecode", "FirewallModel"]),
        .testTarget(name: "NftablesJSONTests", dependencies: ["FixtureSupport", "NftablesJSON", "FirewallModel"]),
        .testTarget(name: "NftablesLoadingTests", dependencies: ["NftablesLoading", "NftablesBytecode", "FirewallModel"]),
        .testTarget(name: "NftablesNetlinkTests", dependencies: ["FixtureSupport", "NftablesNetlink", "NftablesBytecode", "NftablesLoading", "FirewallModel"]),
        .testTarget(name: "FlowAnalysisTests", dependencies: ["FlowAnalysis", "FirewallModel", "IptablesLoading"]),
        .testTarget(name: "AuditTests", dependencies: ["FixtureSupport", "Audit", "Gating", "FlowAnalysis", "PortMatrix", "IptablesLoading", "FirewallModel"]),
        .testTarget(name: "ReportingTests", dependencies: ["FixtureSupport", "Reporting", "Gating", "Audit", "PortMatrix", "IptablesLoading", "FirewallModel"]),
        .testTarget(name: "GatingTests", dependencies: ["FixtureSupport", "Gating", "Reporting", "Audit", "PortMatrix", "FirewallModel"]),
        .testTarget(name: "KernelOracleTests", dependencies: ["FixtureSupport", "FlowAnalysis", "Audit", "IptablesLoading", "PortMatrix", "FirewallModel", "NftablesNetlink", "NftablesLoading", "NftablesBytecode"]),
        .testTarget(name: "FirewallAuditCommandsTests", dependencies: ["FixtureSupport", "FirewallAuditCommands"]),
    ],
    swiftLanguageModes: [.v6]
)
