import FirewallModel
import Testing
@testable import IptablesLoading

/// Rate limits and brute-force protection are throttles with their within-limits answer, the rule
/// text kept as written, and no "not modelled" warning.
@Suite("throttles")
struct ThrottleTests {
    /// The throttle, negation and text of the only match of `-A INPUT <options>`, and the warnings.
    func throttle(_ options: String) throws -> (throttle: Throttle?, negated: Bool, text: String, diagnostics: [Diagnostic]) {
        let (rule, diagnostics) = try inputRule(options)
        try #require(rule.matches.count == 1, "expected one match, got \(rule.matches.map(\.text))")
        return (rule.matches[0].throttle, rule.matches[0].negated, rule.matches[0].text, diagnostics)
    }

    @Test("each form has its within-limits answer", arguments: [
        ("-m limit --limit 5/min -j ACCEPT", Throttle(.limit, withinLimits: true), false),
        ("-m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix \"dropped: \"", Throttle(.limit, withinLimits: true), false),
        ("-m limit -j ACCEPT", Throttle(.limit, withinLimits: true), false),
        ("-m hashlimit --hashlimit-upto 10/sec --hashlimit-burst 5 --hashlimit-mode srcip --hashlimit-name h -j ACCEPT",
         Throttle(.hashlimit, withinLimits: true), false),
        ("-m hashlimit --hashlimit 10/sec --hashlimit-name h -j ACCEPT", Throttle(.hashlimit, withinLimits: true), false),
        ("-m hashlimit --hashlimit-above 10/sec --hashlimit-mode srcip,dstport --hashlimit-name x --hashlimit-htable-expire 60000 -j DROP",
         Throttle(.hashlimit, withinLimits: false), false),
        ("-m hashlimit --hashlimit-above 1kb/s --hashlimit-rate-match --hashlimit-rate-interval 5 --hashlimit-name b -j DROP",
         Throttle(.hashlimit, withinLimits: false), false),
        ("-m connlimit --connlimit-above 4 --connlimit-mask 32 --connlimit-saddr -j DROP", Throttle(.connlimit, withinLimits: false), false),
        ("-m connlimit --connlimit-upto 4 --connlimit-mask 32 --connlimit-saddr -j ACCEPT", Throttle(.connlimit, withinLimits: true), false),
        ("-m connlimit ! --connlimit-above 4 -j ACCEPT", Throttle(.connlimit, withinLimits: false), true),
        ("-m recent --set --name SSH --mask 255.255.255.255 --rsource", Throttle(.recent, withinLimits: true), false),
        ("-m recent --update --seconds 60 --hitcount 4 --name SSH --mask 255.255.255.255 --rsource -j DROP",
         Throttle(.recent, withinLimits: false), false),
        ("-m recent --rcheck --seconds 60 --name SSH --rsource -j DROP", Throttle(.recent, withinLimits: false), false),
        ("-m recent --update --name SSH -j DROP", Throttle(.recent, withinLimits: false), false),
        ("-m recent ! --rcheck --seconds 60 --name ssh --rsource -j DROP", Throttle(.recent, withinLimits: false), true),
        ("-m recent --remove --name knock --rdest -j DROP", Throttle(.recent, withinLimits: false), false),
        ("-m quota --quota 1000000 -j ACCEPT", Throttle(.quota, withinLimits: true), false),
        ("-m quota ! --quota 1000000 -j DROP", Throttle(.quota, withinLimits: true), true),
    ] as [(String, Throttle, Bool)])
    func forms(options: String, expected: Throttle, negated: Bool) throws {
        let result = try throttle(options)
        #expect(result.throttle == expected)
        #expect(result.negated == negated)
        #expect(result.diagnostics.isEmpty)
        #expect(options.hasPrefix(result.text))
    }

    @Test("the rule text stays as written")
    func ruleText() throws {
        let line = "-p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m recent --update --seconds 60 --hitcount 4 --name SSH --rsource -j DROP"
        let (rule, diagnostics) = try inputRule(line)
        #expect(rule.text == "-A INPUT " + line)
        #expect(rule.matches.map(\.text) == ["-p tcp", "--dport 22", "--ctstate NEW", "-m recent --update --seconds 60 --hitcount 4 --name SSH --rsource"])
        #expect(rule.matches.last?.throttle == Throttle(.recent, withinLimits: false))
        #expect(diagnostics.isEmpty)
    }

    @Test("options of the implicit protocol match end a throttle module, as iptables reads them")
    func implicitAfterThrottle() throws {
        let rule = try matches("-p tcp -m limit --limit 1/s --dport 22 -j ACCEPT")
        #expect(rule.map(\.text) == ["-p tcp", "-m limit --limit 1/s", "--dport 22"])
        #expect(rule[1].throttle == Throttle(.limit, withinLimits: true))
        #expect(rule[2].condition == .port(.destination, PortSet(value: 22)))
    }

    @Test("what is not understood stays opaque with its warning", arguments: [
        "-m recent --name SSH -j DROP",                                 // no mode option
        "-m recent --set --update --name SSH -j DROP",                  // two modes
        "-m hashlimit --hashlimit-name h -j ACCEPT",                    // no rate
        "-m connlimit --connlimit-mask 32 -j DROP",                     // neither above nor upto
        "-m limit --limit 5/min --limit-frobnicate 3 -j ACCEPT",        // an option limit does not have
        "-m quota -j ACCEPT",                                           // no quota
    ])
    func unparseable(options: String) throws {
        let (rule, diagnostics) = try inputRule(options)
        #expect(rule.matches.count == 1)
        #expect(rule.matches[0].isOpaque)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.message.contains("is not modelled") == true)
    }

    @Test("the canonical form names the construct, the answer and the text")
    func canonicalForm() throws {
        let match = try onlyMatch("-m limit --limit 5/min  --limit-burst 10")
        #expect(match.canonicalForm == #"throttle(limit,1)["-m limit --limit 5/min --limit-burst 10"]"#)
        let other = try onlyMatch("-m limit --limit 50/min --limit-burst 10")
        #expect(other.canonicalForm != match.canonicalForm)
    }
}
