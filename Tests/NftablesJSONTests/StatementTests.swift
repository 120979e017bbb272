import FirewallModel
import NftablesJSON
import Testing

/// Statements → actions: verdicts, verdict maps, marks, NAT, and what stays unknown.
@Suite struct StatementTests {
    static let tcp22 = Expr.match(Expr.payload("tcp", "dport"), "22")

    func actions(_ expr: String) throws -> [Action] { try Snippet.rules(expr).map(\.action) }

    @Test func verdictsAndChainCalls() throws {
        #expect(try actions(#"[{"accept": null}]"#) == [.verdict(.accept)])
        #expect(try actions(#"[{"drop": null}]"#) == [.verdict(.drop)])
        #expect(try actions(#"[{"reject": {"type": "tcp reset"}}]"#) == [.verdict(.reject)])
        #expect(try actions(#"[{"jump": {"target": "other"}}]"#) == [.jump("other")])
        #expect(try actions(#"[{"goto": {"target": "other"}}]"#) == [.goto("other")])
        #expect(try actions(#"[{"return": null}]"#) == [.return])
        #expect(try actions(#"[{"continue": null}]"#) == [.continue("continue")])
    }

    @Test func countersAndLogsLeaveTheVerdictToLaterRules() throws {
        #expect(try actions(#"[{"counter": {"packets": 3, "bytes": 120}}]"#) == [.none])
        #expect(try actions(#"[{"log": {"prefix": "in: "}}]"#) == [.continue("log")])
        #expect(try actions(#"[{"counter": null}, {"log": {"prefix": "x"}}, {"drop": null}]"#) == [.verdict(.drop)])
    }

    @Test func queueAndSynproxyHaveUnknownVerdicts() throws {
        let ruleset = try Snippet.load([#"[{"queue": {"num": 3, "flags": ["bypass"]}}]"#])
        #expect(ruleset.tables[0].chain(named: "input")!.rules.map(\.action) == [.opaqueVerdict("queue")])
        #expect(ruleset.diagnostics.contains { $0.severity == .warning && $0.message.contains("queue") })
    }

    @Test func notrackIsAnEffect() throws {
        let rules = try Snippet.rules("[" + Expr.match(Expr.payload("udp", "dport"), "53") + #", {"notrack": null}]"#)
        #expect(rules.map(\.action) == [.notrack])
        #expect(rules[0].matches.count == 2)
    }

    @Test func markSetThenAcceptBecomesTwoRules() throws {
        let rules = try Snippet.rules("[" + StatementTests.tcp22 + #", {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 5}}, {"accept": null}]"#)
        #expect(rules.map(\.action) == [.setMark(value: 5, mask: 0xffff_ffff), .verdict(.accept)])
        #expect(rules.allSatisfy { $0.matches.count == 2 && $0.text == rules[0].text })
    }

    @Test func bitwiseMarkUpdatesUseTheMaskForm() throws {
        // meta mark set meta mark & 0xffffff00 | 0x2
        let value = #"{"|": [{"&": [{"meta": {"key": "mark"}}, 4294967040]}, 2]}"#
        #expect(try actions(#"[{"mangle": {"key": {"meta": {"key": "mark"}}, "value": \#(value)}}]"#) == [.setMark(value: 2, mask: 0xff)])
        #expect(try actions(#"[{"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"|": [{"meta": {"key": "mark"}}, 16]}}}]"#)
            == [.setMark(value: 16, mask: 16)])
    }

    @Test func connectionMarkSetSaveAndRestore() throws {
        #expect(try actions(#"[{"mangle": {"key": {"ct": {"key": "mark"}}, "value": 7}}]"#) == [.connectionMark(.set(value: 7, mask: 0xffff_ffff))])
        #expect(try actions(#"[{"mangle": {"key": {"ct": {"key": "mark"}}, "value": {"meta": {"key": "mark"}}}}]"#) == [.connectionMark(.save)])
        #expect(try actions(#"[{"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"ct": {"key": "mark"}}}}]"#) == [.connectionMark(.restore)])
    }

    @Test func aMarkMatchBeforeTheMarkChangesIsOpaqueInTheLaterCopy() throws {
        let expr = "[" + Expr.match(Expr.meta("mark"), "1") + #", {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 2}}, {"accept": null}]"#
        let rules = try Snippet.rules(expr)
        #expect(rules.map(\.action) == [.setMark(value: 2, mask: 0xffff_ffff), .verdict(.accept)])
        #expect(rules[0].matches.map(\.condition) == [.packetMark(value: 1, mask: 0xffff_ffff)])
        #expect(rules[1].matches.map(\.isOpaque) == [true])
    }

    @Test func natStatements() throws {
        #expect(try actions(#"[{"dnat": {"family": "ip", "addr": "10.0.0.5", "port": 80}}]"#)
            == [.nat(.destination(address: AddressSet(value: 0x0a00_0005), ports: PortSet(value: 80)))])
        #expect(try actions(#"[{"snat": {"family": "ip", "addr": {"range": ["1.2.3.4", "1.2.3.8"]}, "port": {"range": [1000, 2000]}}}]"#)
            == [.nat(.source(address: AddressSet(0x0102_0304...0x0102_0308), ports: PortSet(1000...2000)))])
        #expect(try actions(#"[{"masquerade": null}]"#) == [.nat(.masquerade)])
        #expect(try actions(#"[{"redirect": {"port": 3128}}]"#) == [.nat(.redirect(ports: PortSet(value: 3128)))])
        #expect(try actions(#"[{"redirect": null}]"#) == [.nat(.redirect(ports: nil))])
    }

    @Test func limitIsAThrottle() throws {
        let rules = try Snippet.rules("[" + StatementTests.tcp22 + #", {"limit": {"rate": 5, "per": "second", "burst": 5}}, {"accept": null}]"#)
        #expect(rules.count == 1)
        #expect(rules[0].matches.map(\.isOpaque) == [false, false, false])
        #expect(rules[0].matches[2].throttle == Throttle(.limit, withinLimits: true))
        #expect(rules[0].text == "tcp dport 22 limit rate 5/second accept")
        #expect(rules[0].action == .verdict(.accept))
    }

    @Test func anUnknownStatementIsOpaqueAndItsRuleHasAnUnknownVerdict() throws {
        let ruleset = try Snippet.load([#"[{"teleport": {"to": "mars"}}]"#])
        let rules = ruleset.tables[0].chain(named: "input")!.rules
        #expect(rules.map(\.action) == [.opaqueVerdict("teleport")])
        #expect(rules[0].matches.map(\.isOpaque) == [true])
        #expect(ruleset.diagnostics.count == 2)
    }

    @Test func theAnonymousChainNft106WritesAsTextIsUnknown() throws {
        let rules = try Snippet.rules(#"["jump {\n\t\ttcp dport 1 drop\n\t}"]"#)
        #expect(rules.map(\.action) == [.opaqueVerdict("anonymous chain")])
        #expect(rules[0].text == "jump { … }")
        #expect(rules[0].matches.map(\.isOpaque) == [true])
    }

    @Test func aVerdictMapExpandsIntoOneRulePerKey() throws {
        let map = #"{"map": {"family": "FAMILY", "name": "ports", "table": "t", "type": "inet_service", "map": "verdict", "elem": [[22, {"accept": null}], [{"elem": {"val": {"range": [8000, 8080]}, "counter": {"packets": 0, "bytes": 0}}}, {"jump": {"target": "other"}}]]}}"#
        let rules = try Snippet.rules(sets: [map], #"[{"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": "@ports"}}]"#)
        #expect(rules.map(\.action) == [.verdict(.accept), .jump("other")])
        #expect(rules.map(Snippet.conditions) == [
            [.layer4Protocol(ProtocolSet(value: 6)), .port(.destination, PortSet(value: 22))],
            [.layer4Protocol(ProtocolSet(value: 6)), .port(.destination, PortSet(8000...8080))],
        ])
        #expect(Set(rules.map(\.location)).count == 1)
    }

    @Test func anAnonymousVerdictMapWithACatchAllTakesTheRest() throws {
        let expr = #"[\#(Expr.match(Expr.ct("state"), #""new""#, op: "in")), {"vmap": {"key": {"payload": {"protocol": "udp", "field": "dport"}}, "data": {"set": [[53, {"accept": null}], [{"range": [1000, 2000]}, "drop"], ["*", {"goto": {"target": "other"}}]]}}}]"#
        let rules = try Snippet.rules(expr)
        #expect(rules.map(\.action) == [.verdict(.accept), .verdict(.drop), .goto("other")])
        // Statements before the map apply to every expanded rule.
        #expect(rules.allSatisfy { $0.matches.first?.condition == .connectionState(.new) })
        let rest = rules[2].matches.last!
        #expect(rest.negated)
        guard case .oneOf(let keys) = rest.condition else { Issue.record("expected the other keys"); return }
        #expect(keys.map { $0.map(\.condition) } == [[.port(.destination, PortSet(value: 53))], [.port(.destination, PortSet(1000...2000))]])
        // The catch-all still needs udp: the dependency is outside the negation.
        #expect(rules[2].matches.contains { $0.condition == .layer4Protocol(ProtocolSet(value: 17)) && !$0.negated })
    }

    @Test func aVerdictMapOnAConcatenation() throws {
        let expr = #"[{"vmap": {"key": {"concat": [{"payload": {"protocol": "ip", "field": "protocol"}}, {"payload": {"protocol": "th", "field": "dport"}}]}, "data": {"set": [[{"concat": ["tcp", 22]}, {"accept": null}], [{"concat": ["udp", 53]}, {"drop": null}]]}}}]"#
        let rules = try Snippet.rules(expr)
        #expect(rules.map(\.action) == [.verdict(.accept), .verdict(.drop)])
        #expect(rules[0].matches.first?.condition == .addressFamily(.ipv4))
        guard case .oneOf(let alternatives)? = rules[0].matches.last?.condition else { Issue.record("expected a conjunction"); return }
        #expect(alternatives.count == 1)
        #expect(alternatives[0].first?.condition == .layer4Protocol(ProtocolSet(value: 6)))
    }

    @Test func aVmapOnANonVerdictMapIsAnError() {
        let map = #"{"map": {"family": "FAMILY", "name": "addresses", "table": "t", "type": "ipv4_addr", "map": "ipv4_addr", "elem": [["1.1.1.1", "2.2.2.2"]]}}"#
        #expect(throws: NftablesJSONError.self) {
            try Snippet.rules(sets: [map], #"[{"vmap": {"key": {"payload": {"protocol": "ip", "field": "daddr"}}, "data": "@addresses"}}]"#)
        }
    }

    @Test func dnatThroughAMapTranslatesToOneOfItsValues() throws {
        let map = #"{"map": {"family": "FAMILY", "name": "dm", "table": "t", "type": "ipv4_addr", "map": "ipv4_addr", "elem": [["1.1.1.1", "2.2.2.2"], ["1.1.1.2", "2.2.2.3"]]}}"#
        let rules = try Snippet.rules(sets: [map], #"[{"dnat": {"family": "ip", "addr": {"map": {"key": {"payload": {"protocol": "ip", "field": "daddr"}}, "data": "@dm"}}}}]"#)
        #expect(rules.map(\.action) == [.nat(.destination(address: AddressSet(0x0202_0202...0x0202_0203), ports: nil))])
    }

    @Test func setUpdatesMakeTheSetOpaqueToLookups() throws {
        let set = #"{"set": {"family": "FAMILY", "name": "seen", "table": "t", "type": "ipv4_addr", "elem": ["10.0.0.1"]}}"#
        let ruleset = try Snippet.load(sets: [set], [
            #"[{"set": {"op": "add", "elem": {"payload": {"protocol": "ip", "field": "saddr"}}, "set": "@seen"}}]"#,
            "[" + Expr.match(Expr.payload("ip", "saddr"), #""@seen""#) + #", {"accept": null}]"#,
        ])
        let rules = ruleset.tables[0].chain(named: "input")!.rules
        #expect(rules.map(\.action) == [.none, .verdict(.accept)])
        #expect(rules[1].matches.last?.isOpaque == true)
    }

    @Test func aVerdictMapThatChangesAtRunTimeHasUnknownKeys() throws {
        let map = #"{"map": {"family": "FAMILY", "name": "learned", "table": "t", "type": "ipv4_addr", "map": "verdict", "flags": ["dynamic"], "elem": [["10.0.0.1", {"drop": null}]]}}"#
        let rules = try Snippet.rules(sets: [map], #"[{"vmap": {"key": {"payload": {"protocol": "ip", "field": "saddr"}}, "data": "@learned"}}]"#)
        #expect(rules.map(\.action) == [.verdict(.drop)])
        #expect(rules[0].matches.map(\.isOpaque) == [false, true])
    }
}
