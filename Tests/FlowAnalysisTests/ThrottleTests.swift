import FirewallModel
import FlowAnalysis
import Testing

/// DESIGN §3 "Intent beyond the flows": throttles are decided by their within-limits answer and
/// the analysis records the ones that decided; on request they stay unknown instead.
@Suite struct Throttles {
    static let bruteForce = filter("""
    -A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m recent --set --name SSH --rsource
    -A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m recent --update --seconds 60 --hitcount 4 --name SSH --rsource -j DROP
    -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
    -A INPUT -p tcp -m tcp --dport 80 -m limit --limit 5/min --limit-burst 10 -j ACCEPT
    -A INPUT -p tcp -m tcp --dport 443 -m limit --limit 1/sec -j LOG --log-prefix "https: "
    -A INPUT -p tcp -m tcp --dport 443 -m connlimit --connlimit-above 20 --connlimit-mask 32 -j DROP
    -A INPUT -p tcp -m tcp --dport 443 -j ACCEPT
    -A INPUT -p tcp -m tcp --dport 8080 -m hashlimit --hashlimit-above 10/sec --hashlimit-name web -j DROP
    """)

    func box(_ subject: Subject, port: UInt16) -> PacketBox {
        var box = subject.inboundTCP
        box.destinationPort = PortSet(value: port)
        return box
    }

    @Test func aRecentUpdateBeforeTheAcceptLetsOrdinaryTrafficThrough() throws {
        let subject = try Subject(Throttles.bruteForce)
        let outcomes = subject.outcomes(box(subject, port: 22))
        #expect(outcomes.map(\.verdict) == [.accept])
        #expect(outcomes[0].box.unknowns.isEmpty)
        #expect(outcomes[0].deciding?.location.line == 7)
        // The --set rule only records the source (no verdict); the --update rule decided.
        #expect(outcomes[0].throttles.map(\.location.line) == [6])
        let met = try #require(outcomes[0].throttles.first)
        #expect(met.text == "-m recent --update --seconds 60 --hitcount 4 --name SSH --rsource")
        #expect(met.ruleText.hasPrefix("-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m recent --update"))
        #expect(met.throttle == Throttle(.recent, withinLimits: false))
        #expect(!met.holds)
        #expect(met.hook == .input)

        let trace = subject.interpreter.run(subject.inbound("203.0.113.7", port: 22), from: .network)
        #expect(trace.verdict == .accept)
        #expect(trace.deciding?.location.line == 7)
        #expect(trace.throttles == outcomes[0].throttles)
    }

    @Test func aLimitedAcceptAcceptsOrdinaryTrafficAndIsNamed() throws {
        let subject = try Subject(Throttles.bruteForce)
        let outcomes = subject.outcomes(box(subject, port: 80))
        #expect(outcomes.map(\.verdict) == [.accept])
        #expect(outcomes[0].deciding?.location.line == 8)
        #expect(outcomes[0].throttles.map(\.location.line) == [8])
        #expect(outcomes[0].throttles.first?.holds == true)
        #expect(subject.interpreter.run(subject.inbound("192.0.2.1", port: 80), from: .network).throttles.map(\.location.line) == [8])
    }

    @Test func onlyThrottlesWhoseOtherConditionsHoldAreRecorded() throws {
        let subject = try Subject(Throttles.bruteForce)
        // Port 443: the LOG rule's limit changes nothing; the connlimit drop decided.
        let https = subject.outcomes(box(subject, port: 443))
        #expect(https.map(\.verdict) == [.accept])
        #expect(https[0].throttles.map(\.location.line) == [10])
        #expect(https[0].throttles.first?.throttle == Throttle(.connlimit, withinLimits: false))
        // Port 25 meets no throttle rule at all.
        let smtp = subject.outcomes(box(subject, port: 25))
        #expect(smtp.map(\.verdict) == [.drop])
        #expect(smtp[0].throttles.isEmpty)
        #expect(subject.interpreter.run(subject.inbound("192.0.2.1", port: 25), from: .network).throttles.isEmpty)
        // A wider space splits where a throttle rule's other conditions hold.
        var tcp = subject.inboundTCP
        tcp.destinationPort = PortSet(ranges: [22...22, 8080...8080, 9000...9000])
        let outcomes = subject.outcomes(tcp)
        let ports = outcomes.map { ($0.box.destinationPort, $0.throttles.map(\.location.line)) }
        #expect(ports.contains { $0.0 == PortSet(value: 22) && $0.1 == [6] })
        #expect(ports.contains { $0.0 == PortSet(value: 8080) && $0.1 == [12] })
        #expect(ports.contains { $0.0 == PortSet(value: 9000) && $0.1 == [] })
    }

    @Test func negationFlipsTheAnswer() throws {
        let subject = try Subject(filter("""
        -A INPUT -p tcp -m tcp --dport 22 -m recent ! --rcheck --seconds 60 --name knock --rsource -j DROP
        -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
        -A INPUT -p tcp -m tcp --dport 23 -m connlimit ! --connlimit-above 3 -j ACCEPT
        """))
        // A source that did not knock is not in the list: `! --rcheck` holds and the rule drops.
        #expect(subject.outcomes(box(subject, port: 22)).map(\.verdict) == [.drop])
        #expect(subject.verdict(subject.inbound("192.0.2.1", port: 22)) == (.drop, 5))
        #expect(subject.outcomes(box(subject, port: 23)).map(\.verdict) == [.accept])
        #expect(subject.verdict(subject.inbound("192.0.2.1", port: 23)) == (.accept, 7))
    }

    @Test func aThrottleInAUserChainIsRecordedOnceWhateverTheCallers() throws {
        let subject = try Subject("""
        *filter
        :INPUT DROP [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        :guard - [0:0]
        -A INPUT -p tcp -j guard
        -A INPUT -p tcp -m tcp --dport 22 -j guard
        -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
        -A guard -p tcp -m tcp --dport 22 -m recent --update --seconds 60 --hitcount 4 --name SSH -j DROP
        COMMIT
        """)
        let outcomes = subject.outcomes(box(subject, port: 22))
        #expect(outcomes.map(\.verdict) == [.accept])
        #expect(outcomes[0].throttles.map(\.location.line) == [9])
        #expect(subject.interpreter.run(subject.inbound("192.0.2.1", port: 22), from: .network).throttles.map(\.location.line) == [9])
    }

    @Test func onRequestThrottlesStayUnknown() throws {
        let subject = try Subject(Throttles.bruteForce, throttles: .unknown)
        let outcomes = subject.outcomes(box(subject, port: 22))
        #expect(Set(outcomes.map(\.verdict)) == [.accept, .drop])
        #expect(outcomes.allSatisfy { $0.throttles.isEmpty })
        // The --set rule has no verdict: only the --update rule's answer matters.
        let ids = PacketSpace(outcomes.map(\.box)).unknownIds
        let described = ids.sorted().compactMap(subject.index.describeUnknown)
        #expect(described.map(\.location.line) == [6])
        #expect(described.allSatisfy { $0.reason.contains("kept unknown on request") })
        #expect(described.map(\.text).last == "-m recent --update --seconds 60 --hitcount 4 --name SSH --rsource")
        // The interpreter takes the throttle's answer from the caller, as for opaque matches.
        let drop = try #require(outcomes.first { $0.verdict == .drop })
        let answers = Dictionary(uniqueKeysWithValues: drop.box.unknowns.map { ($0.id, $0.holds) })
        let trace = subject.interpreter.run(subject.inbound("203.0.113.7", port: 22), from: .network, answers: answers)
        #expect(trace.verdict == .drop)
        #expect(trace.deciding?.location.line == 6)
        #expect(trace.throttles.isEmpty)
        #expect(trace.steps.contains { !$0.assumed.isEmpty })
    }

    @Test func theModeIsOneDecisionForBothEngines() throws {
        let within = try Subject(Throttles.bruteForce)
        let strict = try Subject(Throttles.bruteForce, throttles: .unknown)
        let recent = Throttle(.recent, withinLimits: false)
        #expect(within.context.throttleAnswer(recent, negated: false) == false)
        #expect(within.context.throttleAnswer(recent, negated: true) == true)
        #expect(strict.context.throttleAnswer(recent, negated: false) == nil)
        #expect(AnalysisContext(family: .ipv4, localAddresses: AddressSet(), ruleset: Ruleset(tables: [])).throttles == .withinLimits)
    }

    @Test func nftablesFormsDecideTheSameWay() throws {
        // Model rules as the nftables readers build them: `meter` over a limit, `quota`, `ct count`.
        let location = SourceLocation(source: "test.nft", line: 3)
        func rule(_ throttle: Throttle, _ text: String, _ verdict: Verdict, port: UInt16, line: Int) -> Rule {
            var at = location
            at.line = line
            return Rule(location: at, matches: [Match(.layer4Protocol(ProtocolSet(value: 6)), text: "meta l4proto tcp"),
                                                Match(.port(.destination, PortSet(value: port)), text: "tcp dport \(port)"),
                                                Match(.throttle(throttle), text: text)],
                        action: .verdict(verdict), text: "tcp dport \(port) \(text) \(verdict.rawValue)")
        }
        let chain = Chain(name: "input", base: BaseChain(hook: .input, priority: 0, policy: .drop), rules: [
            rule(Throttle(.meter, withinLimits: false), "meter m { ip saddr limit rate over 10/second }", .drop, port: 22, line: 3),
            rule(Throttle(.connectionCount, withinLimits: false), "ct count over 20", .drop, port: 22, line: 4),
            rule(Throttle(.quota, withinLimits: false), "quota over 100 mbytes", .drop, port: 22, line: 5),
            rule(Throttle(.limit, withinLimits: true), "limit rate 5/minute", .accept, port: 22, line: 6),
        ], location: location)
        let ruleset = Ruleset(tables: [Table(name: "t", family: .inet, chains: [chain], location: location)])
        let index = RulesetIndex(ruleset: ruleset, family: .ipv4)
        let context = AnalysisContext(family: .ipv4, localAddresses: AddressPrefix("198.51.100.10")!.addresses, ruleset: ruleset)
        let subject = Subject(index: index, context: context)
        let outcomes = subject.outcomes(box(subject, port: 22))
        #expect(outcomes.map(\.verdict) == [.accept])
        #expect(outcomes[0].throttles.map(\.location.line) == [3, 4, 5, 6])
        #expect(outcomes[0].throttles.map(\.holds) == [false, false, false, true])
        #expect(subject.interpreter.run(subject.inbound("192.0.2.1", port: 22), from: .network).throttles == outcomes[0].throttles)
    }
}
