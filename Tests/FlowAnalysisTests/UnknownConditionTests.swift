import FirewallModel
import FlowAnalysis
import Testing

/// DESIGN §3 "What is unknown is bounded, not guessed".
@Suite struct UnknownConditions {
    @Test func anOpaqueMatchSplitsTheSpaceOnItsAnswer() throws {
        let subject = try Subject(filter("""
        -A INPUT -p tcp -m tcp --dport 22 -m length --length 0:100 -j DROP
        -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
        """))
        var box = subject.inboundTCP
        box.destinationPort = PortSet(value: 22)
        let outcomes = subject.outcomes(box)
        let accepted = outcomes.filter { $0.verdict == .accept }
        let dropped = outcomes.filter { $0.verdict == .drop }
        #expect(accepted.count == 1 && dropped.count == 1)
        #expect(accepted[0].box.unknowns.map(\.holds) == [false])
        #expect(dropped[0].box.unknowns.map(\.holds) == [true])
        // Without the unknown answer, the same packets are both accepted and dropped: only "possible".
        #expect(!PacketSpace(accepted.map(\.box)).projected.intersection(PacketSpace(dropped.map(\.box)).projected).isEmpty)
        let id = dropped[0].box.unknowns[0].id
        #expect(subject.index.describeUnknown(id)?.text.contains("-m length") == true)
        // The interpreter takes the same answer from the oracle.
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 22), answers: [id: true]) == (.drop, 5))
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 22), answers: [id: false]) == (.accept, 6))
    }

    @Test func aQueueTargetMayAcceptOrDrop() throws {
        let subject = try Subject(filter("-A INPUT -p tcp -m tcp --dport 80 -j NFQUEUE --queue-num 1"))
        var box = subject.inboundTCP
        box.destinationPort = PortSet(value: 80)
        let verdicts = Set(subject.outcomes(box).map(\.verdict))
        #expect(verdicts == [.accept, .drop])
    }
}
