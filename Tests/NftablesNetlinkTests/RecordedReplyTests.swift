import Foundation
import NftablesBytecode
import NftablesNetlink
import Testing

/// Netlink replies recorded from the real kernel (`Fixtures/netlink/capture`), decoded without
/// root through the same decoder as live mode.
@Suite("Recorded netlink replies")
struct RecordedReplyTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/netlink")

    static func replay(_ name: String) throws -> Snapshot {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        return try NftablesReader.replay(try Recording(text: text, source: name))
    }

    @Test("the sampler recording decodes to its tables, chains, sets and rules")
    func samplerDecodes() throws {
        let snapshot = try Self.replay("sampler.rec")
        #expect(Set(snapshot.tables.map { "\($0.family) \($0.name)" }) == ["inet filter", "ip nat"])
        let hooks = snapshot.chains.filter(\.isBase).map { "\($0.table)/\($0.name) hook \($0.hook!) priority \($0.priority!)" }
        #expect(Set(hooks) == ["filter/input hook 1 priority 0", "filter/forward hook 2 priority 0",
                               "nat/prerouting hook 0 priority -100", "nat/postrouting hook 4 priority 100"])
        #expect(snapshot.rules.filter { $0.chain == "input" }.count == 8)
        #expect(snapshot.rules.first { $0.comment == "SIP and web" } != nil)
        let admin = try #require(snapshot.sets.first { $0.name == "admin" })
        // nft packs a concatenation's datatypes 6 bits each: ipv4_addr (7) . inet_service (13).
        #expect(admin.keyType == 7 << 6 | 13 && admin.keyLength == 8 && admin.elements.count == 2)
        #expect(admin.elements.contains { $0.key.bytes == [203, 0, 113, 5, 0, 22, 0, 0] })
        let map = try #require(snapshot.sets.first { $0.isVerdictMap })
        #expect(map.elements.compactMap(\.data).contains(.verdict(.jump, chain: "web")))
        let natRule = try #require(snapshot.rules.first { $0.chain == "prerouting" })
        #expect(natRule.expressions.contains { if case .nat(.dnat, 2, _, _, _, _, _) = $0 { true } else { false } })
    }

    @Test("a recording missing a reply is an error, not an empty ruleset")
    func truncatedRecording() throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent("sampler.rec"), encoding: .utf8)
        let cut = text.components(separatedBy: "> GETCHAIN")[0]
        #expect(throws: NetlinkError.self) { try NftablesReader.replay(try Recording(text: cut, source: "cut.rec")) }
    }

    @Test("a line that is not part of a recording is reported with its line number")
    func malformedLine() {
        #expect(throws: NetlinkError.failed("bad.rec:2: not a netlink recording line")) {
            try Recording(text: "> GETGEN\nhello\n", source: "bad.rec")
        }
    }
}
