import FirewallModel
import NftablesJSON
import Testing

/// Rate limits, quotas, connection counts and meters in an export are throttles with their
/// within-limits answer. The statements are those `nft -j list ruleset` (nft 1.0.6) wrote for
/// `limit rate 5/minute`, `limit rate over 100 kbytes/second`, `quota over 100 mbytes`,
/// `quota 50 mbytes used 10 mbytes`, `ct count over 4`, `meter m { ip saddr limit rate over 10/second }`
/// and `add`/`update @s { ip saddr limit rate … }`, loaded in a private network namespace.
@Suite struct JSONThrottleTests {
    static let set = #"{"set": {"family": "FAMILY", "name": "s", "table": "t", "type": "ipv4_addr", "handle": 2, "size": 65535, "flags": ["timeout"], "timeout": 60}}"#

    /// The throttle of the only match of a rule made of `statement` and `drop`, and the load's warnings.
    func throttle(_ statement: String) throws -> (throttle: Throttle?, rule: Rule, warnings: [Diagnostic]) {
        let ruleset = try Snippet.load(family: "ip", sets: [JSONThrottleTests.set], ["[" + statement + #", {"drop": null}]"#])
        let rules = ruleset.tables[0].chain(named: "input")!.rules
        try #require(rules.count == 1 && rules[0].matches.count == 1)
        return (rules[0].matches[0].throttle, rules[0], ruleset.diagnostics.filter { $0.severity >= .warning })
    }

    @Test(arguments: [
        (#"{"limit": {"rate": 5, "burst": 5, "per": "minute"}}"#, Throttle(.limit, withinLimits: true)),
        (#"{"limit": {"rate": 100, "burst": 0, "per": "second", "inv": true, "rate_unit": "kbytes", "burst_unit": "bytes"}}"#,
         Throttle(.limit, withinLimits: false)),
        (#"{"quota": {"val": 100, "val_unit": "mbytes", "inv": true}}"#, Throttle(.quota, withinLimits: false)),
        (#"{"quota": {"val": 100, "val_unit": "mbytes"}}"#, Throttle(.quota, withinLimits: true)),
        (#"{"quota": {"val": 50, "val_unit": "mbytes", "used": 10, "used_unit": "mbytes"}}"#, Throttle(.quota, withinLimits: true)),
        (#"{"ct count": {"val": 4, "inv": true}}"#, Throttle(.connectionCount, withinLimits: false)),
        (#"{"ct count": {"val": 4}}"#, Throttle(.connectionCount, withinLimits: true)),
        (#"{"meter": {"key": {"payload": {"protocol": "ip", "field": "saddr"}}, "stmt": {"limit": {"rate": 10, "burst": 5, "per": "second", "inv": true}}, "size": 65535, "name": "m"}}"#,
         Throttle(.meter, withinLimits: false)),
        (#"{"meter": {"key": {"payload": {"protocol": "ip", "field": "saddr"}}, "stmt": {"limit": {"rate": 10, "burst": 5, "per": "second"}}, "name": "m"}}"#,
         Throttle(.meter, withinLimits: true)),
        (#"{"set": {"op": "add", "elem": {"payload": {"protocol": "ip", "field": "saddr"}}, "set": "@s", "stmt": [{"limit": {"rate": 5, "burst": 5, "per": "minute", "inv": true}}]}}"#,
         Throttle(.meter, withinLimits: false)),
        (#"{"set": {"op": "update", "elem": {"payload": {"protocol": "ip", "field": "saddr"}}, "set": "@s", "stmt": [{"limit": {"rate": 5, "burst": 3, "per": "minute"}}]}}"#,
         Throttle(.meter, withinLimits: true)),
        (#"{"set": {"op": "update", "elem": {"payload": {"protocol": "ip", "field": "saddr"}}, "set": "@s", "stmt": [{"counter": null}, {"ct count": {"val": 20, "inv": true}}]}}"#,
         Throttle(.meter, withinLimits: false)),
    ] as [(String, Throttle)])
    func forms(statement: String, expected: Throttle) throws {
        let result = try throttle(statement)
        #expect(result.throttle == expected)
        #expect(result.rule.matches[0].negated == false)
        #expect(result.warnings.isEmpty)
    }

    @Test func theRuleTextStaysAsBefore() throws {
        let result = try throttle(#"{"limit": {"rate": 5, "burst": 5, "per": "minute", "inv": true}}"#)
        #expect(result.rule.text == "limit rate over 5/minute drop")
        #expect(result.rule.matches[0].text == #"limit {"burst":5,"inv":true,"per":"minute","rate":5}"#)
    }

    @Test func aSetUpdateWithoutStatementsIsStillASideEffect() throws {
        let rules = try Snippet.rules(family: "ip", sets: [JSONThrottleTests.set],
                                      #"[{"set": {"op": "update", "elem": {"payload": {"protocol": "ip", "field": "saddr"}}, "set": "@s"}}, {"accept": null}]"#)
        #expect(rules[0].matches.isEmpty)
        #expect(rules[0].action == .verdict(.accept))
    }

    @Test func whatIsNotUnderstoodStaysOpaque() throws {
        for statement in [
            #"{"limit": "fast"}"#,
            #"{"meter": {"key": {"payload": {"protocol": "ip", "field": "saddr"}}, "stmt": {"log": {"prefix": "x"}}, "name": "m"}}"#,
            #"{"set": {"op": "add", "elem": {"payload": {"protocol": "ip", "field": "saddr"}}, "set": "@s", "stmt": [{"log": null}]}}"#,
        ] {
            let result = try throttle(statement)
            #expect(result.throttle == nil, "\(statement)")
            #expect(result.rule.matches[0].isOpaque, "\(statement)")
            #expect(result.warnings.count == 1, "\(statement)")
        }
    }
}
