import FixtureSupport
import Foundation
import NftablesBytecode
@testable import NftablesNetlink
import Testing

/// Reading real kernels: scripts loaded into private namespaces and read back over netlink.
@Suite("Reading nftables from the kernel")
struct LiveReadingTests {
    static let script = """
        table inet filter {
          set partners { type ipv4_addr; flags interval; elements = { 192.0.2.0/24, 198.51.100.0/25 } }
          chain input {
            type filter hook input priority 0; policy drop;
            ct state established,related accept
            iifname "eth*" tcp dport { 22, 5061-5062 } counter accept comment "admin and SIP"
            ip saddr @partners udp dport 3478 accept
            tcp dport vmap { 80 : accept, 81 : jump web }
          }
          chain web { ip6 daddr != 2001:db8::/32 return; drop; }
        }
        """

    static func withScript<T>(_ text: String, _ body: (String) throws -> T) throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-\(UUID().uuidString).nft").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    @Test("a script read back over netlink has its tables, chains, rules, sets and comments", .needsNetworkNamespace)
    func readsBackAScript() throws {
        let state = try Self.withScript(Self.script) { try NftablesReader.read(script: $0) }
        let snapshot = state.snapshot
        #expect(snapshot.tables.map(\.name) == ["filter"])
        #expect(snapshot.tables.first?.family == .inet)
        let input = try #require(snapshot.chains.first { $0.name == "input" })
        #expect(input.hook == 1 && input.priority == 0 && input.policy == 0 && input.type == "filter")
        #expect(snapshot.chains.first { $0.name == "web" }?.isBase == false)
        let inputRules = snapshot.rules.filter { $0.chain == "input" }
        #expect(inputRules.count == 4)
        #expect(inputRules[1].comment == "admin and SIP")
        let partners = try #require(snapshot.sets.first { $0.name == "partners" })
        #expect(partners.isInterval && !partners.isAnonymous)
        // Two intervals: two start and two end elements, plus the end element at 0.0.0.0 that
        // closes the gap below the first interval.
        #expect(partners.elements.count == 5)
        #expect(partners.elements.filter { !$0.isIntervalEnd }.map(\.key.bytes).sorted { $0.lexicographicallyPrecedes($1) }
                == [[192, 0, 2, 0], [198, 51, 100, 0]])
        #expect(snapshot.sets.contains { $0.isAnonymous && $0.isVerdictMap && $0.elements.count == 2 })
        #expect(state.interfaceNames.values.contains("lo"))
    }

    @Test("each rule's program prints exactly as nft prints the kernel's dump, in order", .needsNetworkNamespace)
    func printerMatchesNft() throws {
        let (state, nft) = try Self.withScript(Self.script) { path in
            try withNamespace(loading: path) { namespace in
                (try NftablesReader.read(.namespace(namespace)),
                 try Namespaces.run(["nsenter", "--net=\(namespace)", "nft", "--debug=netlink", "list", "ruleset"]))
            }
        }
        let ours = state.snapshot.rules.flatMap { $0.expressions.map(\.description) }
        let theirs = nft.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("[ ") }
        #expect(nft.status == 0)
        #expect(ours == theirs)
        #expect(ours.contains("[ lookup reg 1 set __map0 dreg 0 0x0 ]"))
    }

    @Test("a recording replays to the same snapshot, through the same decoder", .needsNetworkNamespace)
    func recordingReplays() throws {
        let recording = Recording()
        let live = try Self.withScript(Self.script) { path in
            try withNamespace(loading: path) { try NftablesReader.read(.namespace($0), recording: recording) }
        }
        let replayed = try NftablesReader.replay(try Recording(text: recording.text, source: "recorded"))
        #expect(replayed == live.snapshot)
        #expect(recording.text.contains("> GETRULE inet filter input"))
    }

    @Test("reading changes nothing: the generation and the ruleset are the same afterwards", .needsNetworkNamespace)
    func readingIsReadOnly() throws {
        try Self.withScript(Self.script) { path in
            try withNamespace(loading: path) { namespace in
                let before = try Namespaces.run(["nsenter", "--net=\(namespace)", "nft", "-j", "list", "ruleset"])
                let first = try NftablesReader.read(.namespace(namespace))
                let second = try NftablesReader.read(.namespace(namespace))
                let after = try Namespaces.run(["nsenter", "--net=\(namespace)", "nft", "-j", "list", "ruleset"])
                #expect(first.snapshot.generation == second.snapshot.generation)
                #expect(first.snapshot == second.snapshot)
                #expect(before.output == after.output)
                #expect(before.status == 0)
            }
        }
    }

    @Test("a script nft rejects is reported with nft's own message and line", .needsNetworkNamespace)
    func rejectedScript() throws {
        #expect {
            try Self.withScript("table inet t {\n  chain c {\n    tcp dport 99999 accept\n  }\n}\n") { try NftablesReader.read(script: $0) }
        } throws: { error in
            guard case NetlinkError.scriptRejected(_, let message) = error else { return false }
            return message.contains(":3:") && message.contains("Error")
        }
    }

    @Test("a namespace that does not exist is named in the error")
    func missingNamespace() {
        #expect(throws: NetlinkError.noSuchNamespace("fwaudit-no-such-namespace")) {
            try NftablesReader.read(.namespace("fwaudit-no-such-namespace"))
        }
    }
}

/// Runs `body` with the path of a throw-away namespace that has `script` loaded.
func withNamespace<T>(loading script: String, _ body: (String) throws -> T) throws -> T {
    let namespace = try ThrowawayNamespace(loading: script)
    return try withExtendedLifetime(namespace) { try body(namespace.path) }
}
