import FixtureSupport
import Foundation
import NftablesBytecode
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
    @Test("every script nft accepts reads back, and each program prints as nft prints the kernel's dump")
    func corpusReadsBack() throws {
        try #require(Namespaces.available || Namespaces.required, "network namespaces are unavailable here")
        var accepted = 0, rejected: [String] = [], rules = 0
        for name in NftCorpus.files {
            let path = NftCorpus.directory.appendingPathComponent(name).path
            let check = try Namespaces.runIsolated(["nft", "-c", "-f", path])
            guard check.status == 0 else {
                rejected.append(name)
                #expect(throws: NetlinkError.self, "\(name): nft refused it, so must fwaudit") { try NftablesReader.read(script: path) }
                continue
            }
            accepted += 1
            let (state, nft) = try withNamespace(loading: path) { namespace in
                (try NftablesReader.read(.namespace(namespace)),
                 try Namespaces.run(["nsenter", "--net=\(namespace)", "nft", "--debug=netlink", "list", "ruleset"]))
            }
            rules += state.snapshot.rules.count
            let ours = state.snapshot.rules.flatMap { $0.expressions.map(\.description) }
            let theirs = Self.programLines(nft.output)
            // nft lists rules table by table; compare as multisets of lines.
            let (mine, nfts) = (Self.counts(ours), Self.counts(theirs))
            let differing = Set(mine.keys).union(nfts.keys).filter { mine[$0] != nfts[$0] }.sorted()
            #expect(differing.isEmpty, "\(name): printed programs differ: \(differing.map { "\($0) ours \(mine[$0] ?? 0) nft \(nfts[$0] ?? 0)" })")
        }
        print("nft corpus: \(accepted) scripts accepted and read back (\(rules) rules); rejected by nft \(NftCorpus.files.count - accepted): \(rejected)")
        #expect(accepted > 0)
    }

    /// The register-program lines of `nft --debug=netlink` output, anonymous set names numbered
    /// as the kernel numbers them would be unknowable, so both sides drop the number.
    static func programLines(_ output: String) -> [String] {
        output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("[ ") }
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
