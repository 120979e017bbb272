import FirewallModel
import NftablesBytecode
import NftablesJSON
import NftablesLoading
import Testing

/// The same rules read from an `nft -j` export and from the kernel's bytecode give the same model rules.
@Suite struct ReaderAgreementTests {
    /// An export of table `inet t` whose base chain `input` holds one rule per entry of `rules` (JSON `expr` arrays).
    func fromJSON(_ rules: [String]) throws -> [Rule] {
        var objects = [
            #"{"table": {"family": "inet", "name": "t", "handle": 1}}"#,
            #"{"chain": {"family": "inet", "table": "t", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}"#,
        ]
        for (index, expr) in rules.enumerated() {
            objects.append(#"{"rule": {"family": "inet", "table": "t", "chain": "input", "handle": \#(10 + index), "expr": \#(expr)}}"#)
        }
        let ruleset = try NftablesJSONLoader.load(#"{"nftables": ["# + objects.joined(separator: ",") + "]}", source: "test.json")
        return ruleset.tables[0].chains[0].rules
    }

    /// The same table from rules in the bytecode notation.
    func fromBytecode(_ notation: String) throws -> [Rule] {
        let rules = try NotationParser.rules(notation)
        let chain = ChainObject(family: .inet, table: "t", name: "input", hook: 1, priority: 0, policy: 1, type: "filter")
        let snapshot = Snapshot(tables: [TableObject(family: .inet, name: "t")], chains: [chain], rules: rules)
        return try NftablesLoader.load(snapshot, source: "test").tables[0].chains[0].rules
    }

    /// What both readers must agree on: conditions, their negation and the action.
    func essence(_ rules: [Rule]) -> [[String]] {
        rules.map { rule in rule.matches.map { "\($0.negated ? "!" : "")\($0.condition)" } + ["\(rule.action)"] }
    }

    @Test func portsAddressesStatesAndInterfacesAgree() throws {
        let json = try fromJSON([
            // tcp dport 22 accept
            #"[{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}, {"accept": null}]"#,
            // ip saddr 10.1.2.0/24 drop
            #"[{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": {"addr": "10.1.2.0", "len": 24}}}}, {"drop": null}]"#,
            // ct state established,related accept
            #"[{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]"#,
            // iifname "eth*" drop
            #"[{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "eth*"}}, {"drop": null}]"#,
        ])
        let bytecode = try fromBytecode("""
        inet t input handle 10
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ cmp eq reg 1 0x00001600 ]
          [ immediate reg 0 accept ]
        inet t input handle 11
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ payload load 3b @ network header + 12 => reg 1 ]
          [ cmp eq reg 1 0x0002010a ]
          [ immediate reg 0 drop ]
        inet t input handle 12
          [ ct load state => reg 1 ]
          [ bitwise reg 1 = ( reg 1 & 0x00000006 ) ^ 0x00000000 ]
          [ cmp neq reg 1 0x00000000 ]
          [ immediate reg 0 accept ]
        inet t input handle 13
          [ meta load iifname => reg 1 ]
          [ cmp eq reg 1 0x00687465 ]
          [ immediate reg 0 drop ]
        """)
        #expect(essence(json) == essence(bytecode))
        #expect(json.map(\.text).prefix(3) == bytecode.map(\.text).prefix(3))
        // Rule texts differ in one respect: the export's strings are shown as written, without nft's quotes.
        #expect(json[3].text == "iifname eth* drop")
        #expect(bytecode[3].text == "iifname \"eth*\" drop")
    }

    @Test func icmpTypesAgree() throws {
        // meta nfproto ipv4 meta l4proto icmp icmp type echo-request accept
        let json = try fromJSON([
            #"[{"match": {"op": "==", "left": {"payload": {"protocol": "icmp", "field": "type"}}, "right": "echo-request"}}, {"accept": null}]"#,
        ])
        let bytecode = try fromBytecode("""
        inet t input handle 10
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000001 ]
          [ payload load 1b @ transport header + 0 => reg 1 ]
          [ cmp eq reg 1 0x00000008 ]
          [ immediate reg 0 accept ]
        """)
        #expect(json.map { $0.matches.map(\.condition) } == bytecode.map { $0.matches.map(\.condition) })
        #expect(json.map(\.action) == bytecode.map(\.action))
    }
}
