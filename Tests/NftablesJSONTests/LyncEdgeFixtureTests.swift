import FirewallModel
import FixtureSupport
import Foundation
import NftablesJSON
import Testing

/// The Lync Edge scenario written for nftables (Fixtures/nft/lync-edge), read from its `nft -j` exports.
@Suite struct LyncEdgeFixtureTests {
    static let directory = "Fixtures/nft/lync-edge"

    static func load(_ name: String) throws -> Ruleset {
        let path = "\(directory)/\(name)"
        return try NftablesJSONLoader.load(Scenario.load(path), source: path)
    }

    static let edge4 = AddressSet(value: IPAddress("198.51.100.10")!.value)
    static let edge6 = AddressSet(value: IPAddress("2001:db8:e::10")!.value)
    static let partners4 = AddressPrefix("192.0.2.0/24")!.addresses
    static let eth0 = InterfacePattern(name: "eth0", isWildcard: false)
    static let newOnEth0: [Condition] = [.connectionState(.new), .inInterface(eth0)]

    @Test func theCompliantExportLoadsToOneInetTableWithThreeBaseChains() throws {
        let ruleset = try LyncEdgeFixtureTests.load("compliant.json")
        #expect(ruleset.diagnostics.filter { $0.severity >= .warning } == [])
        #expect(ruleset.tables.map(\.name) == ["lync"])
        let table = ruleset.tables[0]
        #expect(table.family == .inet)
        #expect(table.chains.map(\.name) == ["input", "forward", "output"])
        for chain in table.chains {
            #expect(chain.base?.priority == 0)
            #expect(chain.base?.policy == .drop)
            #expect(chain.base?.isNat == false)
        }
        #expect(table.chains.map { $0.base?.hook } == [.input, .forward, .output])
    }

    @Test func theInputChainExpandsTheVerdictMapPerFamilyAndKey() throws {
        let input = try LyncEdgeFixtureTests.load("compliant.json").tables[0].chain(named: "input")!
        // lo, established, 2 + 2 verdict map keys, and the two 5061 rules.
        #expect(input.rules.count == 8)
        #expect(Snippet.conditions(input.rules[0]) == [.inInterface(InterfacePattern(name: "lo", isWildcard: false))])
        #expect(Snippet.conditions(input.rules[1]) == [.connectionState([.established, .related])])
        let mapped = Array(input.rules[2...5])
        #expect(mapped.map(\.action) == Array(repeating: .verdict(.accept), count: 4))
        #expect(Set(mapped.prefix(2).map(\.location.detail)).count == 1)
        let first = Snippet.conditions(mapped[0])
        #expect(Array(first.prefix(4)) == LyncEdgeFixtureTests.newOnEth0 + [.addressFamily(.ipv4), .address(.destination, LyncEdgeFixtureTests.edge4)])
        // The key is `meta l4proto . th dport`: one conjunction per element, tcp . 443 and udp . 3478.
        var keys: Set<String> = []
        for rule in mapped.prefix(2) {
            guard case .oneOf(let conjunctions)? = rule.matches.last?.condition, conjunctions.count == 1,
                  case .layer4Protocol(let proto)? = conjunctions[0].first?.condition,
                  case .oneOf(let port)? = conjunctions[0].last?.condition,
                  case .port(.destination, let ports)? = port.first?.first?.condition else {
                Issue.record("unexpected map key in \(rule.matches)")
                continue
            }
            keys.insert("\(proto.numbers) \(ports.portSyntax)")
        }
        #expect(keys == ["6 443", "17 3478"])
        let v6 = Snippet.conditions(mapped[3])
        #expect(v6.contains(.address(.destination, LyncEdgeFixtureTests.edge6)))
    }

    @Test func thePartnersIntervalSetIsResolvedAtTheLookup() throws {
        let input = try LyncEdgeFixtureTests.load("compliant.json").tables[0].chain(named: "input")!
        let sip = input.rules[6]
        #expect(Snippet.conditions(sip) == LyncEdgeFixtureTests.newOnEth0 + [
            .addressFamily(.ipv4), .address(.source, LyncEdgeFixtureTests.partners4), .address(.destination, LyncEdgeFixtureTests.edge4),
            .layer4Protocol(ProtocolSet(value: 6)), .port(.destination, PortSet(value: 5061)),
        ])
        #expect(sip.text == "ct state new iifname eth0 ip saddr @partners4 ip daddr 198.51.100.10 tcp dport 5061 accept")
        #expect(sip.location.detail?.hasPrefix("table inet lync chain input handle ") == true)
    }

    @Test func theOutboundConcatenatedIntervalSetKeepsBothFlows() throws {
        let output = try LyncEdgeFixtureTests.load("compliant.json").tables[0].chain(named: "output")!
        let media = output.rules.filter { $0.comment == "A/V to messenger clients" }
        #expect(media.count == 2)
        guard case .oneOf(let flows)? = media.first?.matches.last?.condition else { Issue.record("expected the concatenated set"); return }
        #expect(flows.map { $0.first?.condition } == [.layer4Protocol(ProtocolSet(value: 6)), .layer4Protocol(ProtocolSet(value: 17))])
        guard case .oneOf(let rtp)? = flows[0].last?.condition else { Issue.record("expected the th port"); return }
        #expect(rtp.first?.map(\.condition) == [.port(.destination, PortSet(50000...59999))])
    }

    @Test func theBlockingTableRunsFirstOnTheSameHookAndDropsSIP() throws {
        let ruleset = try LyncEdgeFixtureTests.load("blocking-table.json")
        #expect(ruleset.tables.map(\.name) == ["lync", "legacy-block"])
        let block = try #require(ruleset.tables[1].chain(named: "input"))
        #expect(ruleset.tables[1].family == .ip)
        #expect(block.base == BaseChain(hook: .input, priority: -10, policy: .accept))
        #expect(block.rules.map(\.action) == [.verdict(.drop)])
        #expect(Snippet.conditions(block.rules[0]) == [.layer4Protocol(ProtocolSet(value: 6)), .port(.destination, PortSet(value: 5061))])
        #expect(block.rules[0].comment == "old SIP block")
        // IPv4 packets meet the blocking chain before the lync table's; IPv6 packets never do.
        #expect(ruleset.baseChains(on: .input, family: .ipv4).map { "\($0.table.name)/\($0.chain.name)" } == ["legacy-block/input", "lync/input"])
        #expect(ruleset.baseChains(on: .input, family: .ipv6).map(\.table.name) == ["lync"])
    }

    /// The ruleset with every location's line dropped, for comparing exports laid out differently.
    static func withoutLines(_ ruleset: Ruleset) -> Ruleset {
        func strip(_ location: FirewallModel.SourceLocation) -> FirewallModel.SourceLocation {
            FirewallModel.SourceLocation(source: location.source, detail: location.detail)
        }
        var result = ruleset
        for table in result.tables.indices {
            result.tables[table].location = strip(result.tables[table].location)
            for chain in result.tables[table].chains.indices {
                result.tables[table].chains[chain].location = strip(result.tables[table].chains[chain].location)
                for rule in result.tables[table].chains[chain].rules.indices {
                    result.tables[table].chains[chain].rules[rule].location = strip(result.tables[table].chains[chain].rules[rule].location)
                }
            }
        }
        result.diagnostics = result.diagnostics.map { diagnostic in
            var diagnostic = diagnostic
            diagnostic.location = diagnostic.location.map { strip($0) }
            return diagnostic
        }
        return result
    }

    /// The stored exports are what the installed nft makes of the stored scripts.
    @Test(.needsNetworkNamespace) func theExportsMatchWhatNftProducesFromTheScripts() throws {
        let directory = packageRoot.appendingPathComponent(LyncEdgeFixtureTests.directory).path
        for (export, scripts) in [("compliant.json", ["compliant.nft"]), ("blocking-table.json", ["compliant.nft", "blocking-table.nft"])] {
            let loads = scripts.map { "nft -f '\(directory)/\($0)' && " }.joined()
            let result = try Namespaces.runIsolated(["sh", "-c", loads + "nft -j list ruleset"])
            guard result.status == 0 else {
                print("skipped: nft could not load the fixture here: \(result.output)")
                return
            }
            let fresh = try NftablesJSONLoader.load(result.output, source: export)
            let stored = try NftablesJSONLoader.load(Scenario.load("\(LyncEdgeFixtureTests.directory)/\(export)"), source: export)
            // nft writes its export on one line; the stored one is indented: only the lines differ.
            #expect(Self.withoutLines(fresh) == Self.withoutLines(stored), "\(export) differs from nft's export of \(scripts.joined(separator: " + "))")
        }
    }
}

extension IntervalSet where Bound == UInt8 {
    /// The protocol numbers of a set of single protocols, for compact comparisons.
    var numbers: String { ranges.map { "\($0.lowerBound)" }.joined(separator: ",") }
}

/// Where an export's objects are: each rule, chain and table names the line of its `{` in the file.
@Suite struct ExportLocationTests {
    /// The line numbers of lines that open an item holding `"key": {`, in order.
    static func itemLines(_ text: String, key: String) -> [Int] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.indices.compactMap { index in
            index > 0 && lines[index].trimmingCharacters(in: .whitespaces) == "\"\(key)\": {"
                && lines[index - 1].trimmingCharacters(in: .whitespaces) == "{" ? index : nil
        }
    }

    @Test func rulesChainsAndTablesCarryTheLineOfTheirObject() throws {
        let path = "\(LyncEdgeFixtureTests.directory)/blocking-table.json"
        let text = try Scenario.load(path)
        let ruleset = try NftablesJSONLoader.load(text, source: path)
        let rules = ruleset.tables.flatMap { $0.chains.flatMap(\.rules) }
        // Rules from one verdict map share the line of their object; in file order they are the rule objects.
        var ruleLines: [Int] = []
        for rule in rules where ruleLines.last != rule.location.line { ruleLines.append(try #require(rule.location.line)) }
        #expect(Set(ruleLines) == Set(Self.itemLines(text, key: "rule")))
        #expect(ruleset.tables.flatMap(\.chains).compactMap(\.location.line) == Self.itemLines(text, key: "chain"))
        #expect(ruleset.tables.compactMap(\.location.line) == Self.itemLines(text, key: "table"))
        // The kernel location stays beside the line.
        #expect(rules.allSatisfy { $0.location.detail?.contains(" handle ") == true })
        let block = try #require(ruleset.tables.first { $0.name == "legacy-block" }?.chains.first?.rules.first)
        #expect(block.location.description.hasPrefix("\(path):"))
        #expect(block.text == "tcp dport 5061 counter packets 0 bytes 0 drop comment \"old SIP block\"" || block.text.hasSuffix("comment \"old SIP block\""))
        #expect(block.comment == "old SIP block")
    }
}
