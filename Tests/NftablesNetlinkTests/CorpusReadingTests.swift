import FixtureSupport
import Foundation
import FirewallModel
import NftablesBytecode
import NftablesLoading
import NftablesNetlink
import Testing

/// Real-world nft scripts in `../shared/corpus/nft-text`, read from there (never copied here).
enum NftCorpus {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/corpus/nft-text")
        .standardizedFileURL

    static var isAvailable: Bool { FileManager.default.fileExists(atPath: directory.path) }

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".nft") }.sorted()
    }
}

@Suite("nft corpus read back from the kernel", .enabled(if: NftCorpus.isAvailable, "../shared/corpus/nft-text is absent"))
struct CorpusReadingTests {
    /// Every corpus script the installed nft accepts loads into a namespace and reads back with
    /// no error, and every rule's program prints exactly as nft (through libnftnl) prints the
    /// kernel's own dump of the same namespace.
    @Test("every script nft accepts reads back, and each program prints as nft prints the kernel's dump", .needsNetworkNamespace)
    func corpusReadsBack() throws {
        var accepted = 0, rejected: [String] = [], rules = 0, modelRules = 0
        var opaque: [String: Int] = [:]
        for name in NftCorpus.files {
            let path = NftCorpus.directory.appendingPathComponent(name).path
            let check = try Namespaces.runIsolated(["nft", "-c", "-f", path])
            guard check.status == 0 else {
                rejected.append(name)
                // Refused too, unless only a priority name newer nft versions accept was in the way:
                // then it reads back with a note saying what was read as a number.
                do {
                    let state = try NftablesReader.read(script: path)
                    #expect(!state.notes.isEmpty, "\(name): nft refused it, fwaudit read it without saying why")
                } catch {
                    #expect(error is NetlinkError, "\(name): \(error)")
                }
                continue
            }
            accepted += 1
            let (state, nft) = try withNamespace(loading: path) { namespace in
                (try NftablesReader.read(.namespace(namespace)),
                 try Namespaces.run(["nsenter", "--net=\(namespace)", "nft", "--debug=netlink", "list", "ruleset"]))
            }
            rules += state.snapshot.rules.count
            // The delinearizer reads every program without error; what it cannot model stays
            // visible as unknown conditions, counted here by construct.
            let ruleset = try NftablesLoader.load(state.snapshot, source: name, interfaceNames: state.interfaceNames)
            for table in ruleset.tables {
                for chain in table.chains {
                    modelRules += chain.rules.count
                    for rule in chain.rules {
                        for match in rule.matches { Self.countOpaque(match, into: &opaque) }
                        if case .opaqueVerdict(let name) = rule.action { opaque["verdict " + name, default: 0] += 1 }
                    }
                }
            }
            let ours = state.snapshot.rules.flatMap { $0.expressions.map(\.description) }
            let theirs = Self.programLines(nft.output)
            // nft lists rules table by table; compare as multisets of lines.
            let (mine, nfts) = (Self.counts(ours), Self.counts(theirs))
            let differing = Set(mine.keys).union(nfts.keys).filter { mine[$0] != nfts[$0] }.sorted()
            #expect(differing.isEmpty, "\(name): printed programs differ: \(differing.map { "\($0) ours \(mine[$0] ?? 0) nft \(nfts[$0] ?? 0)" })")
        }
        print("nft corpus: \(accepted) scripts accepted and read back (\(rules) kernel rules, \(modelRules) model rules); rejected by nft \(NftCorpus.files.count - accepted): \(rejected)")
        print("nft corpus: unknown conditions and verdicts by construct: \(opaque.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        #expect(accepted > 0)
    }

    /// The register-program lines of `nft --debug=netlink` output, anonymous set names numbered
    /// as the kernel numbers them would be unknowable, so both sides drop the number.
    static func programLines(_ output: String) -> [String] {
        output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("[ ") }
    }

    static func countOpaque(_ match: Match, into counts: inout [String: Int]) {
        switch match.condition {
        case .opaque(let opaque): counts[opaque.module, default: 0] += 1
        case .oneOf(let conjunctions): for inner in conjunctions.joined() { countOpaque(inner, into: &counts) }
        default: break
        }
    }

    static func counts(_ lines: [String]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in lines {
            let normalized = line.replacingOccurrences(of: #"__(set|map|objmap)(%d|\d+)"#, with: "__$1N", options: .regularExpression)
                .replacingOccurrences(of: #"counter pkts \d+ bytes \d+"#, with: "counter", options: .regularExpression)
                .replacingOccurrences(of: #"quota bytes (\d+) consumed \d+"#, with: "quota bytes $1", options: .regularExpression)
            counts[normalized, default: 0] += 1
        }
        return counts
    }
}
