import FirewallModel
import FlowAnalysis
import Testing

/// The engine and the interpreter are two implementations of one semantics: on every box
/// the engine produces, a packet drawn from it must get the same verdict and deciding rule.
@Suite struct EngineAgreement {
    static let ruleset = """
    *raw
    :PREROUTING ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    -A PREROUTING -p udp -m udp --dport 5060 -j NOTRACK
    COMMIT
    *mangle
    :PREROUTING ACCEPT [0:0]
    :INPUT ACCEPT [0:0]
    :FORWARD ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    :POSTROUTING ACCEPT [0:0]
    -A PREROUTING -p tcp -m tcp --dport 8000:8999 -j MARK --set-mark 0x7
    COMMIT
    *filter
    :INPUT DROP [0:0]
    :FORWARD DROP [0:0]
    :OUTPUT ACCEPT [0:0]
    :web - [0:0]
    -A INPUT -i lo -j ACCEPT
    -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
    -A INPUT -s 203.0.113.0/24 -j DROP
    -A INPUT -p tcp -m multiport --dports 80,443,8000:8999 -j web
    -A INPUT -p udp -m udp ! --sport 53 -m iprange --src-range 192.0.2.10-192.0.2.20 -j ACCEPT
    -A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT
    -A INPUT -p tcp -m tcp --tcp-flags SYN,RST,ACK SYN -m mark --mark 0x7 -j ACCEPT
    -A INPUT -p tcp -m tcp --dport 2222 -m recent --update --seconds 60 --hitcount 4 --name ssh -j DROP
    -A INPUT -p tcp -m tcp --dport 22 -m limit --limit 3/min -j ACCEPT
    -A INPUT -p tcp -m tcp --dport 2222 -m length --length 0:100 -m hashlimit --hashlimit-upto 5/sec --hashlimit-name h -j ACCEPT
    -A web -s 192.0.2.0/25 -j RETURN
    -A web -p tcp -m tcp --dport 443 -j ACCEPT
    -A web -i eth+ -p tcp -m tcp --dport 80 -j ACCEPT
    COMMIT
    """

    @Test func everyBoxAgreesWithTheInterpreter() throws {
        let subject = try Subject(EngineAgreement.ruleset)
        var everything = PacketBox(family: .ipv4, interfaces: subject.context.interfaces)
        everything.mark = IntervalSet(value: 0)
        everything.connectionMark = IntervalSet(value: 0)
        everything.outInterface = subject.context.interfaces.none
        everything.destination = subject.context.localAddresses
        let outcomes = subject.outcomes(everything)
        #expect(outcomes.count > 10)
        var disagreements: [String] = []
        for outcome in outcomes {
            for packet in samples(of: outcome.box, interfaces: subject.context.interfaces) {
                let answers = Dictionary(uniqueKeysWithValues: outcome.box.unknowns.map { ($0.id, $0.holds) })
                let trace = subject.interpreter.run(packet, from: .network, answers: answers)
                if trace.verdict != outcome.verdict || trace.deciding?.location != outcome.deciding?.location || trace.throttles != outcome.throttles {
                    disagreements.append("\(packet): engine \(outcome.verdict) by \(outcome.deciding?.location.description ?? "-"), interpreter \(trace.verdict) by \(trace.deciding?.location.description ?? "-")")
                }
            }
        }
        #expect(disagreements == [])
    }

    /// Corner values of each field of a box.
    func samples(of box: PacketBox, interfaces: InterfaceUniverse) -> [Packet] {
        var packets: [Packet] = []
        let protocols = box.layer4Protocol.ranges.flatMap { [$0.lowerBound, $0.upperBound] }
        for proto in Set(protocols) {
            for range in box.source.ranges.prefix(3) {
                for port in Set(box.destinationPort.ranges.prefix(4).flatMap { [$0.lowerBound, $0.upperBound] }) {
                    for state in ConnectionStates.names.map(\.1) where box.state.contains(state) {
                        let flags = box.tcpFlags.ranges.first!.lowerBound
                        let inName = interfaces.names[box.inInterface.indices.first!]
                        packets.append(Packet(family: .ipv4, layer4Protocol: proto, source: range.upperBound, destination: box.destination.min!,
                                              sourcePort: box.sourcePort.ranges.last!.upperBound, destinationPort: port,
                                              icmpType: box.icmpType.min!, tcpFlags: flags, inInterface: inName, outInterface: "",
                                              state: state, mark: 0, connectionMark: 0))
                    }
                }
            }
        }
        return packets
    }
}
