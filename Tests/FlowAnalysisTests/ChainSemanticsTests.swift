import FirewallModel
import FlowAnalysis
import Testing

/// DESIGN §3 "Chains" and "Hooks with several base chains", checked with the interpreter and the engine.
@Suite struct ChainSemantics {
    @Test func firstMatchingRuleDecides() throws {
        let subject = try Subject(filter("""
        -A INPUT -s 192.0.2.0/24 -j DROP
        -A INPUT -p tcp -m tcp --dport 5061 -j ACCEPT
        """))
        #expect(subject.verdict(subject.inbound("192.0.2.7", port: 5061)) == (.drop, 5))
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 5061)) == (.accept, 6))
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 22)) == (.drop, nil))
    }

    @Test func policyAppliesToWhatFallsThrough() throws {
        let subject = try Subject(filter("-A INPUT -p tcp -m tcp --dport 22 -j DROP", input: "ACCEPT"))
        let trace = subject.interpreter.run(subject.inbound("203.0.113.7", port: 80), from: .network)
        #expect(trace.verdict == .accept)
        #expect(trace.deciding?.rule == nil)
        #expect(trace.deciding?.location.description == "test.rules:2: chain INPUT policy ACCEPT")
    }

    @Test func jumpReturnsAndGotoDoesNot() throws {
        let subject = try Subject("""
        *filter
        :INPUT DROP [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        :SERVICES - [0:0]
        :FINAL - [0:0]
        -A INPUT -p tcp -m tcp --dport 1:1000 -j SERVICES
        -A INPUT -p tcp -m tcp --dport 443 -j ACCEPT
        -A INPUT -p tcp -m tcp --dport 2000:3000 -g FINAL
        -A INPUT -p tcp -j ACCEPT
        -A SERVICES -p tcp -m tcp --dport 22 -j ACCEPT
        -A SERVICES -p tcp -m tcp --dport 443 -j RETURN
        -A SERVICES -p tcp -m tcp --dport 80 -j DROP
        -A FINAL -p tcp -m tcp --dport 2222 -j ACCEPT
        COMMIT
        """)
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 22)) == (.accept, 11))
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 443)) == (.accept, 8))
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 80)) == (.drop, 13))
        // Falling off the end of SERVICES continues after the jump.
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 500)) == (.accept, 10))
        // Falling off the end of a goto target returns past the chain that went there: INPUT's policy.
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 2500)) == (.drop, nil))
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 2222)) == (.accept, 14))
    }

    @Test func acceptEndsOnlyItsOwnBaseChain() throws {
        let subject = try Subject("""
        *mangle
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        -A INPUT -j ACCEPT
        COMMIT
        *filter
        :INPUT DROP [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        COMMIT
        """)
        let trace = subject.interpreter.run(subject.inbound("203.0.113.7", port: 80), from: .network)
        #expect(trace.verdict == .drop)
        #expect(trace.deciding?.table == "filter")
    }

    @Test func dropInAnEarlierTableIsFinal() throws {
        let subject = try Subject("""
        *raw
        :PREROUTING ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A PREROUTING -p tcp -m tcp --dport 23 -j DROP
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        COMMIT
        """)
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 23)) == (.drop, 4))
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 24)).0 == .accept)
    }

    @Test func nonTerminatingTargetsContinue() throws {
        let subject = try Subject(filter("""
        -A INPUT -p tcp -m tcp --dport 22 -j LOG --log-prefix "ssh "
        -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
        """))
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 22)) == (.accept, 6))
    }

    @Test func negatedPortNeedsThePortHeader() throws {
        let subject = try Subject(filter("-A INPUT -p tcp -m tcp ! --dport 22 -j ACCEPT"))
        var icmp = subject.inbound("203.0.113.7", port: 0)
        icmp.layer4Protocol = 1
        #expect(subject.verdict(icmp).0 == .drop)
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 80)).0 == .accept)
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 22)).0 == .drop)
    }

    @Test func natChainsSeeOnlyTheFirstPacket() throws {
        let subject = try Subject("""
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        -A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.0.5:80
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -d 10.0.0.5/32 -p tcp -m tcp --dport 80 -j ACCEPT
        COMMIT
        """)
        let trace = subject.interpreter.run(subject.inbound("203.0.113.7", port: 8080), from: .network)
        #expect(trace.path == .forward)
        #expect(trace.verdict == .accept)
        #expect(trace.deciding?.location.line == 12)
        // An established packet skips nat and is delivered locally, where INPUT accepts it.
        let later = subject.interpreter.run(subject.inbound("203.0.113.7", port: 8080, state: .established), from: .network)
        #expect(later.path == .input)
        // The engine agrees for the whole space.
        var everywhere = subject.inboundTCP
        everywhere.destination = AddressSet(AddressFamily.ipv4.domain)
        everywhere.outInterface = subject.context.interfaces.all
        let outcomes = subject.outcomes(everywhere)
        let forwarded = outcomes.filter { $0.path == .forward && $0.verdict == .accept }
        // Translated traffic (originally to port 8080) and traffic sent to 10.0.0.5:80 directly.
        #expect(forwarded.count == 2)
        #expect(forwarded.filter { $0.box.originalDestinationPort == PortSet(value: 8080) }.count == 1)
    }
}

/// `oneOf` is how loaders express set lookups on concatenated keys.
@Suite struct Disjunctions {
    @Test func aConcatenatedSetMatchesOnlyItsPairs() throws {
        var subject = try Subject(filter("-A INPUT -p tcp -j ACCEPT"))
        // Replace the rule's matches with "ip saddr . tcp dport { 192.0.2.1 . 22, 192.0.2.2 . 80 }".
        var ruleset = subject.index.ruleset
        let pair = { (address: String, port: UInt16) -> [Match] in
            [Match(.address(.source, AddressPrefix(address)!.addresses), text: "saddr \(address)"),
             Match(.port(.destination, PortSet(value: port)), text: "dport \(port)")]
        }
        ruleset.tables[0].chains[0].rules[0].matches = [Match(.oneOf([pair("192.0.2.1", 22), pair("192.0.2.2", 80)]), text: "{...}")]
        subject = Subject(index: RulesetIndex(ruleset: ruleset, family: .ipv4), context: subject.context)
        #expect(subject.verdict(subject.inbound("192.0.2.1", port: 22)).0 == .accept)
        #expect(subject.verdict(subject.inbound("192.0.2.1", port: 80)).0 == .drop)
        #expect(subject.verdict(subject.inbound("192.0.2.2", port: 80)).0 == .accept)
        var box = subject.inboundTCP
        box.source = AddressPrefix("192.0.2.0/30")!.addresses
        box.destinationPort = PortSet(ranges: [22...22, 80...80])
        let accepted = subject.outcomes(box).filter { $0.verdict == .accept }
        #expect(PacketSpace(accepted.map(\.box)).subtracting(PacketSpace(accepted.map(\.box)).coalesced()).isEmpty)
        let acceptedPairs = Set(accepted.flatMap { outcome in outcome.box.source.ranges.flatMap { range in range.map { address in outcome.box.destinationPort.ranges.flatMap { $0.map { "\(address & 0xff):\($0)" } } } }.joined() })
        #expect(acceptedPairs == ["1:22", "2:80"])
    }
}

/// Connection tracking runs at priority -200: the raw table sees packets before it.
@Suite struct ConntrackOrder {
    @Test func theRawTableSeesNoConnectionYet() throws {
        let subject = try Subject("""
        *raw
        :PREROUTING ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A PREROUTING -m conntrack --ctstate NEW -j DROP
        COMMIT
        """)
        // In raw, a new connection's first packet is not "new" yet: the rule does not match.
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 22)).0 == .accept)
        var box = subject.inboundTCP
        box.destinationPort = PortSet(value: 22)
        #expect(Set(subject.outcomes(box).map(\.verdict)) == [.accept])
    }

    @Test func notrackMakesLaterChainsSeeUntracked() throws {
        let subject = try Subject("""
        *raw
        :PREROUTING ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A PREROUTING -p tcp -m tcp --dport 80 -j CT --notrack
        COMMIT
        *filter
        :INPUT DROP [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -m conntrack --ctstate NEW -j ACCEPT
        -A INPUT -m conntrack --ctstate UNTRACKED -p tcp -m tcp --dport 80 -j LOG
        COMMIT
        """)
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 22)) == (.accept, 10))
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 80)) == (.drop, nil))
        var box = subject.inboundTCP
        box.destinationPort = PortSet(value: 80)
        #expect(subject.outcomes(box).map(\.verdict) == [.drop])
    }
}

/// INPUT jumps to c0, each chain to the next, and the last of `count` accepts ssh.
private func nestedChains(_ count: Int) -> String {
    var lines = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"]
    lines += (0..<count).map { ":c\($0) - [0:0]" }
    lines.append("-A INPUT -j c0")
    lines += (0..<count - 1).map { "-A c\($0) -j c\($0 + 1)" }
    lines += ["-A c\(count - 1) -p tcp -m tcp --dport 22 -j ACCEPT", "COMMIT"]
    return lines.joined(separator: "\n") + "\n"
}

/// How deep the analysis follows jumps, and what becomes of packets deeper.
@Suite struct ChainDepth {
    @Test func chainsUpToTheDepthLimitAreFollowed() throws {
        // c62 is 63 jumps below INPUT, the deepest the analysis follows.
        let subject = try Subject(nestedChains(EngineLimits.chainDepth - 1))
        let acceptLine = 4 + 63 + 1 + 62 + 1
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 22)) == (Verdict.accept, acceptLine))
        let lines = subject.outcomes(subject.inboundTCP).map { $0.deciding?.location.line }
        #expect(lines.contains(acceptLine))
        #expect(subject.index.depthDiagnostics.isEmpty)
    }

    @Test func aJumpDeeperThanTheLimitHasAnUnknownVerdict() throws {
        // iptables-legacy follows any depth; past the limit, the verdict of the jump into c63 is unknown.
        let subject = try Subject(nestedChains(70))
        let cutLine = 4 + 70 + 1 + 62 + 1
        let outcomes = subject.outcomes(subject.inboundTCP)
        #expect(Set(outcomes.map { $0.deciding?.location.line }) == [cutLine])
        #expect(Set(outcomes.map { $0.verdict }) == [Verdict.accept, Verdict.drop])
        let id = try #require(outcomes.first?.box.unknowns.first?.id)
        #expect(outcomes.allSatisfy { $0.box.unknowns.map { $0.id } == [id] })
        #expect(subject.index.describeUnknown(id)?.text == "verdict of chain c63")
        // The interpreter takes the same verdict on each answer.
        let ssh = subject.inbound("203.0.113.7", port: 22)
        #expect(subject.verdict(ssh, answers: [id: true]) == (Verdict.accept, cutLine))
        #expect(subject.verdict(ssh, answers: [id: false]) == (Verdict.drop, cutLine))
        // One warning, at the first rule whose jump is not followed.
        #expect(subject.index.depthDiagnostics.map { $0.location?.line } == [cutLine])
    }
}
