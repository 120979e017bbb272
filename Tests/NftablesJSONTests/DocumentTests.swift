import FirewallModel
import NftablesJSON
import Testing

/// The document as a whole: its shape, tables, chains, locations and the errors for bad input.
@Suite struct DocumentTests {
    @Test func textThatIsNotJSONIsAnErrorWithLineAndColumn() {
        #expect {
            try NftablesJSONLoader.load("{\"nftables\": [\n  {\"table\": }]}", source: "bad.json")
        } throws: { error in
            guard let error = error as? NftablesJSONError else { return false }
            return error.location.source == "bad.json" && error.location.line == 2 && error.location.column == 13
                && error.message.hasPrefix("not JSON")
        }
    }

    @Test func aDocumentWithoutTheNftablesArrayIsAnError() {
        #expect(throws: NftablesJSONError.self) { try NftablesJSONLoader.load(#"{"tables": []}"#, source: "x.json") }
        #expect(throws: NftablesJSONError.self) { try NftablesJSONLoader.load(#"[1, 2]"#, source: "x.json") }
        #expect(throws: NftablesJSONError.self) { try NftablesJSONLoader.load(#"{"nftables": {"table": {}}}"#, source: "x.json") }
    }

    @Test func tablesAndBaseChainsKeepFamilyHookPriorityPolicyAndNat() throws {
        let text = #"""
        {"nftables": [
          {"table": {"family": "ip", "name": "nat", "handle": 3}},
          {"table": {"family": "inet", "name": "filter", "handle": 4}},
          {"chain": {"family": "ip", "table": "nat", "name": "pre", "handle": 1, "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}},
          {"chain": {"family": "inet", "table": "filter", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 10, "policy": "drop"}},
          {"chain": {"family": "inet", "table": "filter", "name": "late", "handle": 2, "type": "filter", "hook": "input", "prio": "security"}},
          {"chain": {"family": "inet", "table": "filter", "name": "helpers", "handle": 3}}
        ]}
        """#
        let ruleset = try NftablesJSONLoader.load(text, source: "t.json")
        #expect(ruleset.tables.map(\.name) == ["nat", "filter"])
        #expect(ruleset.tables.map(\.family) == [.ip, .inet])
        #expect(ruleset.tables[0].chains[0].base == BaseChain(hook: .prerouting, priority: -100, policy: .accept, isNat: true))
        let filter = ruleset.tables[1]
        #expect(filter.chain(named: "input")?.base == BaseChain(hook: .input, priority: 10, policy: .drop))
        #expect(filter.chain(named: "late")?.base == BaseChain(hook: .input, priority: 50, policy: .accept))
        #expect(filter.chain(named: "helpers")?.base == nil)
        #expect(filter.chain(named: "input")?.location.detail == "table inet filter chain input")
    }

    @Test func aChainOnAHookOutsideTheIPPathsIsKeptWithAWarning() throws {
        let text = #"""
        {"nftables": [{"table": {"family": "netdev", "name": "n"}},
          {"chain": {"family": "netdev", "table": "n", "name": "in", "type": "filter", "hook": "ingress", "dev": "eth0", "prio": 0, "policy": "drop"}}]}
        """#
        let ruleset = try NftablesJSONLoader.load(text, source: "t.json")
        #expect(ruleset.tables[0].chains[0].base == nil)
        #expect(ruleset.diagnostics.contains { $0.severity == .warning && $0.message.contains("ingress") })
    }

    @Test func rulesCarryTheirHandleCommentAndText() throws {
        let rules = try Snippet.rules(#"[\#(Expr.match(Expr.payload("tcp", "dport"), "22")), {"counter": {"packets": 0, "bytes": 0}}, {"accept": null}]"#)
        #expect(rules.count == 1)
        // The line is that of the rule's object in the export; the kernel handle stays beside it.
        #expect(rules[0].location == SourceLocation(source: "test.json", line: 5, detail: "table inet t chain input handle 10"))
        #expect(rules[0].text == "tcp dport 22 counter accept")
        let commented = #"""
        {"nftables": [{"table": {"family": "ip", "name": "t"}}, {"chain": {"family": "ip", "table": "t", "name": "c"}},
          {"rule": {"family": "ip", "table": "t", "chain": "c", "comment": "allow ssh", "expr": [{"accept": null}]}},
          {"rule": {"family": "ip", "table": "t", "chain": "c", "handle": 0, "expr": [{"drop": null}]}}]}
        """#
        let chain = try NftablesJSONLoader.load(commented, source: "c.json").tables[0].chains[0]
        #expect(chain.rules.map(\.comment) == ["allow ssh", nil])
        #expect(chain.rules.map(\.text) == ["accept comment \"allow ssh\"", "drop"])
        #expect(chain.rules.map(\.location.line) == [2, 3])
        // Without a handle (or the test suite's handle 0), the position in the chain names the rule.
        #expect(chain.rules.map { $0.location.detail } == ["table ip t chain c rule 1", "table ip t chain c rule 2"])
    }

    @Test func aRuleInAnUnknownChainIsAnErrorNamingIt() {
        let text = #"""
        {"nftables": [{"table": {"family": "ip", "name": "t"}},
          {"rule": {"family": "ip", "table": "t", "chain": "nowhere", "handle": 4, "expr": [{"accept": null}]}}]}
        """#
        #expect {
            try NftablesJSONLoader.load(text, source: "t.json")
        } throws: { error in
            (error as? NftablesJSONError)?.message == "unknown chain 'nowhere' in table ip t"
        }
    }

    @Test func aJumpToAnUnknownChainIsAnErrorAtTheRule() {
        #expect {
            try Snippet.rules(#"[{"jump": {"target": "missing"}}]"#)
        } throws: { error in
            guard let error = error as? NftablesJSONError else { return false }
            return error.message == "unknown chain 'missing'"
                && error.location.detail == "table inet t chain input handle 10 ($.nftables[4].rule.expr[0].jump)"
        }
    }

    @Test func aLookupInAnUnknownSetIsAnError() {
        #expect {
            try Snippet.rules(#"[\#(Expr.match(Expr.payload("ip", "saddr"), "\"@nope\"")), {"drop": null}]"#)
        } throws: { error in
            (error as? NftablesJSONError)?.message == "unknown set 'nope'"
        }
    }

    @Test func aStatementThatIsNotAnObjectIsAnError() {
        #expect(throws: NftablesJSONError.self) { try Snippet.rules(#"[42]"#) }
        #expect(throws: NftablesJSONError.self) { try Snippet.rules(#"[{"match": {"op": "==", "right": 1}}]"#) }
    }

    @Test func jumpLoopsAreRefused() {
        let text = #"""
        {"nftables": [{"table": {"family": "ip", "name": "t"}},
          {"chain": {"family": "ip", "table": "t", "name": "a"}}, {"chain": {"family": "ip", "table": "t", "name": "b"}},
          {"rule": {"family": "ip", "table": "t", "chain": "a", "expr": [{"jump": {"target": "b"}}]}},
          {"rule": {"family": "ip", "table": "t", "chain": "b", "expr": [{"goto": {"target": "a"}}]}}]}
        """#
        #expect {
            try NftablesJSONLoader.load(text, source: "t.json")
        } throws: { error in
            (error as? NftablesJSONError)?.message.hasPrefix("chain loop a -> b -> a") == true
        }
    }

    @Test func olderSchemasWithoutMetainfoAndWithBareJumpTargetsLoad() throws {
        let text = #"""
        {"nftables": [{"table": {"family": "ip", "name": "t", "handle": 1}},
          {"chain": {"family": "ip", "table": "t", "name": "in", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}},
          {"chain": {"family": "ip", "table": "t", "name": "sub", "handle": 2}},
          {"set": {"family": "ip", "name": "s", "table": "t", "type": "ipv4_addr", "flags": ["interval"],
                   "elem": [{"elem": {"val": {"prefix": {"addr": "10.0.0.0", "len": 8}}, "comment": "lan"}},
                            {"range": {"min": "192.0.2.1", "max": "192.0.2.9"}}]}},
          {"rule": {"family": "ip", "table": "t", "chain": "in", "handle": 3,
                    "expr": [{"match": {"left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@s"}}, {"jump": "sub"}]}}]}
        """#
        let rules = try NftablesJSONLoader.load(text, source: "old.json").tables[0].chain(named: "in")!.rules
        #expect(rules.count == 1)
        #expect(Snippet.conditions(rules[0]) == [.address(.source, AddressSet(ranges: [0x0a00_0000...0x0aff_ffff, 0xc000_0201...0xc000_0209]))])
        #expect(rules[0].action == .jump("sub"))
    }

    @Test func unknownTopLevelObjectsAreReportedNotDropped() throws {
        let text = #"{"nftables": [{"table": {"family": "ip", "name": "t"}}, {"tunnel": {"name": "x"}}, {"counter": {"name": "c"}}]}"#
        let ruleset = try NftablesJSONLoader.load(text, source: "t.json")
        #expect(ruleset.diagnostics.count == 1)
        #expect(ruleset.diagnostics.first?.message == "object 'tunnel' is not modelled; ignored")
    }

    @Test func aDormantTableHasNoBaseChains() throws {
        // nft 1.0.6 writes the flag as "d"; later versions write ["dormant"].
        for flags in [#""d""#, #"["dormant"]"#] {
            let text = #"{"nftables": [{"table": {"family": "ip", "name": "d", "flags": \#(flags)}}, {"chain": {"family": "ip", "table": "d", "name": "c", "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}]}"#
            let ruleset = try NftablesJSONLoader.load(text, source: "d.json")
            #expect(ruleset.tables[0].chains[0].base == nil)
            #expect(ruleset.diagnostics.contains { $0.message.contains("dormant") })
        }
    }

    @Test func nftCommandDocumentsAreNotExports() {
        #expect {
            try NftablesJSONLoader.load(#"{"nftables": [{"add": {"table": {"family": "ip", "name": "t"}}}]}"#, source: "cmd.json")
        } throws: { error in
            (error as? NftablesJSONError)?.message.hasPrefix("'add' is an nft command") == true
        }
    }
}
