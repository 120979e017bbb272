import FirewallModel
import FixtureSupport
import Foundation
import NftablesJSON
import Testing

/// Every `nft -j` export of the shared corpus loads; what stayed opaque is reported.
@Suite struct CorpusTests {
    /// `../shared/corpus/nft-json`, next to the package root.
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/corpus/nft-json")

    static var files: [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test func everyCorpusExportLoads() throws {
        guard FileManager.default.fileExists(atPath: CorpusTests.directory.path) else {
            print("skipped: \(CorpusTests.directory.path) is absent")
            return
        }
        let files = CorpusTests.files
        #expect(!files.isEmpty, "no JSON files in \(CorpusTests.directory.path)")
        var opaqueByConstruct: [String: Int] = [:]
        var totalRules = 0, totalOpaque = 0
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let ruleset: Ruleset
            do {
                ruleset = try NftablesJSONLoader.load(text, source: file.lastPathComponent)
            } catch {
                Issue.record("\(file.lastPathComponent): \(error)")
                continue
            }
            let rules = ruleset.tables.flatMap { $0.chains.flatMap(\.rules) }
            let opaque = rules.flatMap { CorpusTests.opaqueMatches($0.matches) }
            let opaqueVerdicts = rules.filter { if case .opaqueVerdict = $0.action { true } else { false } }
            for match in opaque { opaqueByConstruct[match.module, default: 0] += 1 }
            for rule in opaqueVerdicts { if case .opaqueVerdict(let name) = rule.action { opaqueByConstruct["verdict " + name, default: 0] += 1 } }
            totalRules += rules.count
            totalOpaque += opaque.count
            print("corpus \(file.lastPathComponent): \(ruleset.tables.count) tables, \(rules.count) rules, \(opaque.count) opaque matches, \(opaqueVerdicts.count) opaque verdicts, \(ruleset.diagnostics.count) diagnostics")
        }
        print("corpus total: \(files.count) files, \(totalRules) rules, \(totalOpaque) opaque matches")
        for (construct, count) in opaqueByConstruct.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            print("corpus opaque \(construct): \(count)")
        }
    }

    /// Opaque conditions, including those nested in alternatives.
    static func opaqueMatches(_ matches: [Match]) -> [OpaqueMatch] {
        matches.flatMap { match -> [OpaqueMatch] in
            switch match.condition {
            case .opaque(let opaque): [opaque]
            case .oneOf(let conjunctions): conjunctions.flatMap { opaqueMatches($0) }
            default: []
            }
        }
    }

    /// Every nft script of the corpus that the installed nft accepts, exported by nft 1.0.6 in a
    /// private namespace, loads too: this reaches constructs the stored exports do not have.
    @Test(.needsNetworkNamespace) func everyCorpusScriptExportedByTheInstalledNftLoads() throws {
        let scripts = CorpusTests.directory.deletingLastPathComponent().appendingPathComponent("nft-text")
        guard FileManager.default.fileExists(atPath: scripts.path) else {
            print("skipped: \(scripts.path) is absent")
            return
        }
        let files = try FileManager.default.contentsOfDirectory(at: scripts, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "nft" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        var loaded = 0
        for file in files {
            let result = try Namespaces.runIsolated(["sh", "-c", "nft -f \"$1\" >/dev/null 2>&1 || exit 99; nft -j list ruleset 2>/dev/null", "sh", file.path])
            if result.status == 99 {
                print("corpus script \(file.lastPathComponent): not accepted by the installed nft; skipped")
                continue
            }
            try #require(result.status == 0, "nft -j failed for \(file.lastPathComponent): \(result.output)")
            do {
                let ruleset = try NftablesJSONLoader.load(result.output, source: file.lastPathComponent)
                let rules = ruleset.tables.flatMap { $0.chains.flatMap(\.rules) }
                let opaque = rules.flatMap { CorpusTests.opaqueMatches($0.matches) }
                print("corpus script \(file.lastPathComponent): \(rules.count) rules, \(opaque.count) opaque matches (\(Set(opaque.map(\.module)).sorted().joined(separator: ", ")))")
                loaded += 1
            } catch {
                Issue.record("\(file.lastPathComponent): \(error)")
            }
        }
        #expect(loaded > 0)
    }
}
