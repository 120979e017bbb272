import FirewallModel
import FlowAnalysis
import IptablesLoading

/// A ruleset and its analysis context, built from iptables-save text, for specifications.
struct Subject {
    let index: RulesetIndex
    let context: AnalysisContext
    var engine: PathEngine { PathEngine(index: index, context: context) }
    var interpreter: Interpreter { Interpreter(index: index, context: context) }

    init(index: RulesetIndex, context: AnalysisContext) {
        self.index = index
        self.context = context
    }

    init(_ text: String, family: AddressFamily = .ipv4, local: String = "198.51.100.10", throttles: ThrottleMode = .withinLimits) throws {
        let ruleset = try IptablesLoader.load(text, source: "test.rules", family: family)
        index = RulesetIndex(ruleset: ruleset, family: family)
        context = AnalysisContext(family: family, localAddresses: AddressPrefix(local)!.addresses,
                                  extraInterfaces: [InterfacePattern(name: "eth0", isWildcard: false)], ruleset: ruleset, throttles: throttles)
    }

    /// A TCP SYN from the network to the host.
    func inbound(_ source: String, port: UInt16, from interface: String = "eth0", state: ConnectionStates = .new) -> Packet {
        Packet(family: .ipv4, layer4Protocol: 6, source: IPAddress(source)!.value, destination: IPAddress("198.51.100.10")!.value,
               sourcePort: 40000, destinationPort: port, tcpFlags: state == .new ? 0x02 : 0x10, inInterface: interface, state: state)
    }

    /// The verdict and the deciding rule's line for a concrete packet (nil when a policy decides).
    func verdict(_ packet: Packet, from origin: PathEngine.Origin = .network, answers: [Int: Bool] = [:]) -> (Verdict, Int?) {
        let trace = interpreter.run(packet, from: origin, answers: answers)
        return (trace.verdict, trace.deciding?.rule == nil ? nil : trace.deciding?.location.line)
    }

    /// Every box of one space, with verdict and deciding line.
    func outcomes(_ box: PacketBox, from origin: PathEngine.Origin = .network) -> [Outcome] {
        engine.run(PacketSpace([box]), from: origin)
    }

    /// TCP to the host from anywhere, new connections only.
    var inboundTCP: PacketBox {
        var box = PacketBox(family: .ipv4, interfaces: context.interfaces)
        box.layer4Protocol = ProtocolSet(value: 6)
        box.destination = AddressPrefix("198.51.100.10")!.addresses
        box.inInterface = context.interfaces.external
        box.outInterface = context.interfaces.none
        box.state = .new
        box.tcpFlags = IntervalSet(value: 0x02)
        box.mark = IntervalSet(value: 0)
        box.connectionMark = IntervalSet(value: 0)
        return box
    }
}

func filter(_ body: String, input: String = "DROP", output: String = "ACCEPT") -> String {
    """
    *filter
    :INPUT \(input) [0:0]
    :FORWARD DROP [0:0]
    :OUTPUT \(output) [0:0]
    \(body)
    COMMIT
    """
}
