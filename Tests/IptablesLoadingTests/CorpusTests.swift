import FirewallModel
import Foundation
import Testing
@testable import IptablesLoading

/// Real-world iptables-save files in `../shared/corpus/iptables` (next to the package), read from there.
enum Corpus {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent() // IptablesLoadingTests
        .deletingLastPathComponent() // Tests
        .deletingLastPathComponent() // package root
        .appendingPathComponent("../shared/corpus/iptables")
        .standardizedFileURL

    static var isAvailable: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The corpus files with the family their suffix names (`.v4`, `.v6`).
    static var files: [(name: String, family: AddressFamily)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().compactMap { name in
            if name.hasSuffix(".v4") { return (name, .ipv4) }
            if name.hasSuffix(".v6") { return (name, .ipv6) }
            return nil
        }
    }

    static func load(_ name: String, family: AddressFamily, options: IptablesLoader.Options = .init()) throws -> Ruleset {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        return try IptablesLoader.load(text, source: "corpus/iptables/" + name, family: family, options: options)
    }

    /// Files that are not complete iptables-save output but restore fragments, which
    /// `iptables-restore` itself rejects unless other rules are loaded first.
    static let fragments: [String: String] = [
        // ufw's before.rules is loaded with `iptables-restore -n` after ufw created ufw-logging-deny.
        "zhweiGuo__ufw__before.rules.v4": "corpus/iptables/zhweiGuo__ufw__before.rules.v4:30:55: unknown chain 'ufw-logging-deny' in -j",
    ]
}

@Suite("corpus", .enabled(if: Corpus.isAvailable, "../shared/corpus/iptables is absent"))
struct CorpusTests {
    @Test("every corpus file loads without error", arguments: Corpus.files.map(\.name))
    func loads(_ name: String) throws {
        let family: AddressFamily = name.hasSuffix(".v6") ? .ipv6 : .ipv4
        if let expected = Corpus.fragments[name] {
            // A fragment: by default the loader reports exactly what iptables-restore would reject…
            let error = #expect(throws: IptablesLoadingError.self) { try Corpus.load(name, family: family) }
            #expect(error?.description == expected)
            // …and with --allow-undeclared-chains it loads, the undeclared chains' verdicts unknown.
            let ruleset = try Corpus.load(name, family: family, options: .init(allowUndeclaredChains: true))
            #expect(!ruleset.tables.isEmpty)
            #expect(ruleset.diagnostics.contains { $0.message.contains("is not declared in this file") })
            return
        }
        let ruleset = try Corpus.load(name, family: family)
        #expect(!ruleset.tables.isEmpty)
        #expect(ruleset.tables.allSatisfy { $0.family == (family == .ipv4 ? .ip : .ip6) })
        #expect(ruleset.diagnostics.allSatisfy { $0.severity != .error })
    }

    @Test("the corpus directory holds files")
    func corpusIsNotEmpty() {
        #expect(Corpus.files.count >= 20)
    }
}

/// Concrete facts about a few corpus files, counted from the files themselves.
@Suite("corpus facts", .enabled(if: Corpus.isAvailable, "../shared/corpus/iptables is absent"))
struct CorpusFactTests {
    @Test("ipt-save-filter-2003: one filter table, rule counts per chain, old-style matches")
    func filter2003() throws {
        let ruleset = try Corpus.load("aosp-mirror__platform_external_iptables__ipt-save-filter-2003.v4", family: .ipv4)
        #expect(ruleset.tables.map(\.name) == ["filter"])
        let table = ruleset.tables[0]
        let counts = Dictionary(uniqueKeysWithValues: table.chains.map { ($0.name, $0.rules.count) })
        #expect(counts == [
            "INPUT": 5, "FORWARD": 22, "OUTPUT": 3, "WLAN": 4, "accept_log": 3, "block": 4,
            "in_icmp": 6, "in_trusted": 2, "reject_log": 3, "wlanout": 3,
        ])
        #expect(ruleset.ruleCount == 55)
        #expect(table.chains.filter { $0.base != nil }.map { $0.base!.policy } == [.drop, .drop, .drop])

        // -A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu (line 38)
        let mss = try #require(table.chain(named: "FORWARD")?.rules.first { $0.location.line == 38 })
        #expect(mss.matches.map(\.condition) == [.layer4Protocol(ProtocolSet(value: 6)), .tcpFlags(mask: 0x06, compare: 0x02)])
        #expect(mss.action == .continue("TCPMSS"))

        // -A accept_log -i ppp0 ! -p tcp -m limit --limit 1/sec -j LOG … (line 48)
        let log = try #require(table.chain(named: "accept_log")?.rules[1])
        #expect(log.matches.map(\.negated) == [false, true, false])
        #expect(log.matches.compactMap(\.throttle) == [Throttle(.limit, withinLimits: true)])
        #expect(log.matches.map(\.text).last == "-m limit --limit 1/sec")

        // Every opaque match is reported: mac (2 rules); the limits (5 rules) are throttles, not opaque.
        #expect(ruleset.diagnostics.count == 2)
        #expect(Set(ruleset.diagnostics.map(\.message)) == ["match 'mac' is not modelled; treated as unknown"])
    }

    @Test("fedora27-firewalld: per-rule counters are dropped from the text; gotos and CT targets")
    func fedoraFirewalld() throws {
        let ruleset = try Corpus.load("aosp-mirror__platform_external_iptables__fedora27-firewalld.v4", family: .ipv4)
        #expect(ruleset.tables.map(\.name) == ["mangle", "raw", "filter"])
        #expect(ruleset.ruleCount == 73)
        #expect(ruleset.diagnostics.isEmpty)
        let filter = ruleset.tables[2]
        let input = try #require(filter.chain(named: "INPUT"))
        #expect(input.base == BaseChain(hook: .input, priority: 0, policy: .accept))
        #expect(input.rules.count == 11)
        #expect(input.rules[0].text == "-A INPUT -i virbr0 -p udp -m udp --dport 53 -j ACCEPT")
        #expect(input.rules[0].location.line == 85)
        #expect(filter.chain(named: "INPUT_ZONES")?.rules.map(\.action) == [.goto("IN_FedoraWorkstation"), .goto("IN_FedoraWorkstation")])
        let raw = ruleset.tables[1]
        #expect(raw.chain(named: "PREROUTING")?.base?.priority == -300)
        #expect(raw.chain(named: "PRE_FedoraWorkstation_allow")?.rules.first?.action == .continue("CT"))
    }

    @Test("docker hairpin NAT: raw, filter and nat tables with DNAT, SNAT and MASQUERADE")
    func dockerHairpin() throws {
        let ruleset = try Corpus.load("moby__moby__iptabler-hairpin-nat-wsl2.v4", family: .ipv4)
        #expect(ruleset.tables.map(\.name) == ["raw", "filter", "nat"])
        #expect(ruleset.tables.map { $0.chains.reduce(0) { $0 + $1.rules.count } } == [3, 10, 6])
        let nat = ruleset.tables[2]
        #expect(nat.chains.filter { $0.base != nil }.allSatisfy { $0.base!.isNat })
        #expect(nat.chain(named: "POSTROUTING")?.rules.map(\.action) == [
            .nat(.source(address: addresses("192.168.123.0"), ports: nil)),
            .nat(.source(address: addresses("192.168.123.0"), ports: nil)),
            .nat(.masquerade),
        ])
        #expect(nat.chain(named: "DOCKER")?.rules.first?.action == .nat(.destination(address: addresses("192.168.0.2"), ports: PortSet(value: 80))))
    }

    @Test("ip6tables parser test: IPv6 addresses, a rule without target, a LOG prefix full of punctuation")
    func ipv6ParserTest() throws {
        let ruleset = try Corpus.load("diekmann__Iptables_Semantics__parser-test.v6", family: .ipv6)
        let table = try #require(ruleset.tables.first)
        #expect(table.family == .ip6)
        let forward = try #require(table.chain(named: "FORWARD"))
        #expect(forward.rules.count == 5)
        #expect(forward.rules[1].matches.first?.condition == .address(.destination, addresses("::ffff:127.0.0.1/128")))
        #expect(forward.rules[3].action == .continue("LOG"))
        let user = try #require(table.chain(named: "gh32_-2qns"))
        #expect(user.rules.map(\.action) == [.verdict(.reject), .none, .verdict(.accept)])
        #expect(forward.rules[0].action == .jump("gh32_-2qns"))
    }
}
