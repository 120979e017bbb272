import FirewallModel
import NftablesBytecode
import Testing
@testable import NftablesLoading

/// Native rate limits, quotas, connection counts and meters, and iptables-nft's xt throttle
/// matches, read as throttles with their within-limits answer.
@Suite struct ThrottleTests {
    /// The only rule of a program written in the bytecode notation, and the load's warnings.
    func rule(_ body: String, sets: [SetObject] = []) throws -> (rule: Rule, warnings: [Diagnostic]) {
        let (rules, diagnostics) = try delinearize("ip t input handle 40\n" + body, sets: sets)
        try #require(rules.count == 1)
        return (rules[0], diagnostics.filter { $0.severity >= .warning })
    }

    @Test(arguments: [
        ("[ limit rate 5/minute burst 5 type packets flags 0x0 ]", Throttle(.limit, withinLimits: true), "limit rate 5/minute burst 5 packets"),
        ("[ limit rate 10/second burst 5 type packets flags 0x1 ]", Throttle(.limit, withinLimits: false), "limit rate over 10/second burst 5 packets"),
        ("[ limit rate 102400/second burst 0 type bytes flags 0x1 ]", Throttle(.limit, withinLimits: false),
         "limit rate over 102400 bytes/second burst 0 bytes"),
        ("[ quota bytes 104857600 consumed 0 flags 0 ]", Throttle(.quota, withinLimits: true), "quota 104857600 bytes"),
        ("[ quota bytes 104857600 consumed 0 flags 1 ]", Throttle(.quota, withinLimits: false), "quota over 104857600 bytes"),
        ("[ quota bytes 1000 consumed 2000 flags 2 ]", Throttle(.quota, withinLimits: true), "quota 1000 bytes"),
        ("[ connlimit count 4 flags 0 ]", Throttle(.connectionCount, withinLimits: true), "ct count 4"),
        ("[ connlimit count 4 flags 1 ]", Throttle(.connectionCount, withinLimits: false), "ct count over 4"),
    ] as [(String, Throttle, String)])
    func nativeForms(expression: String, expected: Throttle, text: String) throws {
        let (rule, warnings) = try rule("  \(expression)\n  [ immediate reg 0 accept ]")
        #expect(rule.matches.map(\.throttle) == [expected])
        #expect(rule.matches[0].text == text)
        #expect(rule.text == text + " accept")
        #expect(warnings.isEmpty)
    }

    @Test func metersTakeTheAnswerOfTheirPerKeyLimit() throws {
        let meter = SetObject(family: .ip, table: "t", name: "m", flags: 0x21, keyLength: 4)
        let over = try rule("""
          [ payload load 4b @ network header + 12 => reg 1 ]
          [ dynset add reg_key 1 set m expr [ limit rate 10/second burst 5 type packets flags 0x1 ] ]
          [ immediate reg 0 drop ]
        """, sets: [meter])
        #expect(over.rule.matches.map(\.throttle) == [Throttle(.meter, withinLimits: false)])
        #expect(over.rule.text == "add @m { limit rate 10/second burst 5 type packets flags 0x1 } drop")
        #expect(over.warnings.isEmpty)
        let within = try rule("""
          [ payload load 4b @ network header + 12 => reg 1 ]
          [ dynset update reg_key 1 set m timeout 60000ms expr [ limit rate 5/minute burst 3 type packets flags 0x0 ] ]
          [ immediate reg 0 accept ]
        """, sets: [meter])
        #expect(within.rule.matches.map(\.throttle) == [Throttle(.meter, withinLimits: true)])
        let plain = try rule("""
          [ payload load 4b @ network header + 12 => reg 1 ]
          [ dynset update reg_key 1 set m timeout 60000ms ]
          [ immediate reg 0 accept ]
        """, sets: [meter])
        #expect(plain.rule.matches.isEmpty)
    }

    @Test func unknownFlagsStayOpaque() throws {
        for expression in ["[ limit rate 5/minute burst 5 type packets flags 0x2 ]", "[ quota bytes 10 consumed 0 flags 4 ]",
                           "[ connlimit count 4 flags 2 ]"] {
            let (rule, warnings) = try rule("  \(expression)\n  [ immediate reg 0 accept ]")
            #expect(rule.matches.map(\.isOpaque) == [true], "\(expression)")
            #expect(warnings.count == 1, "\(expression)")
        }
    }

    // MARK: iptables-nft xt matches

    /// `struct xt_recent_mtinfo_v1`: seconds, hit_count, check_set, invert, name[200], side, mask.
    static func recent(checkSet: UInt8, invert: UInt8 = 0) -> Bytes {
        Bytes(host(UInt32(60)) + host(UInt32(4)) + [checkSet, invert] + cString("SSH", size: 200) + [1, 0] + Array(repeating: 0xff, count: 16))
    }

    /// `struct xt_hashlimit_mtinfo3`: name[NAME_MAX] (padded to 256), then avg and burst (u64), mode (u32) and the rest.
    static func hashlimit(mode: UInt32) -> Bytes {
        Bytes(cString("h", size: 256) + host(UInt64(1000)) + host(UInt64(5)) + host(mode) + Array(repeating: 0, count: 36))
    }

    /// `struct xt_connlimit_info` revision 1: mask, limit, flags, kernel pointer.
    static func connlimit(flags: UInt32) -> Bytes {
        Bytes(Array(repeating: 0xff, count: 16) + host(UInt32(4)) + host(flags) + Array(repeating: 0, count: 8))
    }

    @Test(arguments: [
        ("recent", 1, recent(checkSet: 2), Throttle(.recent, withinLimits: true), false),               // --set
        ("recent", 1, recent(checkSet: 4), Throttle(.recent, withinLimits: false), false),              // --update
        ("recent", 1, recent(checkSet: 1, invert: 1), Throttle(.recent, withinLimits: false), true),    // ! --rcheck
        ("recent", 1, recent(checkSet: 8), Throttle(.recent, withinLimits: false), false),              // --remove
        ("recent", 1, recent(checkSet: 4 | 0x20), Throttle(.recent, withinLimits: false), false),       // --update --reap
        ("hashlimit", 3, hashlimit(mode: 4), Throttle(.hashlimit, withinLimits: true), false),          // --hashlimit-upto, srcip
        ("hashlimit", 3, hashlimit(mode: 4 | 0x10), Throttle(.hashlimit, withinLimits: false), false),  // --hashlimit-above
        ("connlimit", 1, connlimit(flags: 0), Throttle(.connlimit, withinLimits: false), false),        // --connlimit-above
        ("connlimit", 1, connlimit(flags: 1), Throttle(.connlimit, withinLimits: true), false),         // --connlimit-upto
        ("limit", 0, Bytes(host(UInt32(120_000)) + host(UInt32(10)) + Array(repeating: 0, count: 24)), Throttle(.limit, withinLimits: true), false),
        ("quota", 0, Bytes(host(UInt32(0)) + host(UInt32(0)) + host(UInt64(1_000_000)) + Array(repeating: 0, count: 8)),
         Throttle(.quota, withinLimits: true), false),
        ("quota", 0, Bytes(host(UInt32(1)) + host(UInt32(0)) + host(UInt64(1_000_000)) + Array(repeating: 0, count: 8)),
         Throttle(.quota, withinLimits: true), true),                                                    // ! --quota
    ] as [(String, UInt32, Bytes, Throttle, Bool)])
    func xtForms(name: String, revision: UInt32, info: Bytes, expected: Throttle, negated: Bool) throws {
        let (rule, diagnostics) = try iptablesRule(matches: [(name, revision, info)], verdict: .drop)
        #expect(rule.matches.map(\.throttle) == [expected])
        #expect(rule.matches[0].negated == negated)
        #expect(rule.matches[0].text == "-m \(name)")
        #expect(diagnostics.isEmpty)
    }

    @Test func xtMatchesThatDoNotDecodeStayOpaque() throws {
        // Two modes at once, and a structure too short to hold the mode.
        for (name, revision, info) in [("recent", UInt32(1), ThrottleTests.recent(checkSet: 2 | 4)), ("hashlimit", 3, Bytes([1, 2, 3]))] {
            let (rule, diagnostics) = try iptablesRule(matches: [(name, revision, info)], verdict: .drop)
            #expect(rule.matches[0].isOpaque)
            #expect(diagnostics.count == 1)
        }
    }
}
