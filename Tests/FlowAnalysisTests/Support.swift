import FirewallModel
import Foundation
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

/// A small deterministic generator: the same rulesets on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 11 ^ state << 23
    }
}

/// Conditions of a random rule over small pools of values, so rules overlap, nest and repeat;
/// some depend on a MAC match the analysis keeps unknown (both answers stay in view).
func randomConditions(_ generator: inout SeededGenerator) -> String {
    let sources = ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3", "192.0.2.0/24", "0.0.0.0/0"]
    let protocols = ["tcp", "udp", "icmp"]
    var rule = ""
    if Bool.random(using: &generator) { rule += (Bool.random(using: &generator) ? " ! " : " ") + "-s \(sources.randomElement(using: &generator)!)" }
    if Int.random(in: 0..<3, using: &generator) == 0 { rule += " -d 198.51.100.10" }
    if Bool.random(using: &generator) {
        let proto = protocols.randomElement(using: &generator)!
        rule += " -p \(proto)"
        if proto != "icmp" && Bool.random(using: &generator) {
            let low = Int.random(in: 20...25, using: &generator)
            rule += " -m \(proto) --dport \(low)" + (Bool.random(using: &generator) ? ":\(low + Int.random(in: 1...3, using: &generator))" : "")
        }
    }
    if Int.random(in: 0..<4, using: &generator) == 0 { rule += " -i eth\(Int.random(in: 0...1, using: &generator))" }
    if Int.random(in: 0..<4, using: &generator) == 0 { rule += " -m conntrack --ctstate NEW" }
    if Int.random(in: 0..<5, using: &generator) == 0 { rule += " -m mac --mac-source 00:11:22:33:44:0\(Int.random(in: 0...1, using: &generator))" }
    return rule
}

/// The iptables-save rulesets of the fixtures and, when `../shared` is present, of the shared
/// corpus (tum-i8 left out: the engine takes seconds on it in a debug build).
func savedRulesets(for suite: String) -> (fixtures: [URL], corpus: [URL]) {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    func rulesets(in directory: String) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: root.appendingPathComponent(directory), includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { ["v4", "v6"].contains($0.pathExtension) && !$0.path.contains("tum-i8") }
    }
    let corpus = rulesets(in: "../shared/corpus/iptables")
    if corpus.isEmpty { print("\(suite): ../shared/corpus/iptables is absent; comparing the fixtures only") }
    return (rulesets(in: "Fixtures"), corpus)
}
