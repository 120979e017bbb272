import FirewallModel
import FlowAnalysis
import IptablesLoading

/// fwaudit's side of the comparison: the same iptables-save text loaded by `IptablesLoader`, or
/// what the kernel holds read back over netlink (`KernelReadback`), analysed with the testbed
/// host's own addresses as the local ones.
struct FwauditVerdicts {
    let ruleset: Ruleset
    let context: AnalysisContext
    let index: RulesetIndex
    let interpreter: Interpreter
    /// The engine splitting every run of two rules or more in one pass, which the kernel checks
    /// as closely as the rule-by-rule engine beside it.
    let engine: PathEngine
    let ruleByRuleEngine: PathEngine

    init(_ text: String, family: AddressFamily, layout: Layout, source: String = "generated") throws {
        self.init(ruleset: try IptablesLoader.load(text, source: source, family: family), family: family, layout: layout)
    }

    /// fwaudit's verdicts on a ruleset from any loader (the netlink reader for the nftables backends).
    init(ruleset: Ruleset, family: AddressFamily, layout: Layout) {
        self.ruleset = ruleset
        var context = AnalysisContext(family: family, localAddresses: layout.localSet(family),
                                      extraInterfaces: layout.links.map { InterfacePattern(name: $0.name, isWildcard: false) }, ruleset: ruleset)
        // Translated packets are routed as the testbed routes them.
        context.routing = layout.routing(family, interfaces: context.interfaces)
        for link in layout.links { context.interfaceAddresses[link.name] = AddressSet(value: layout.hostAddress(of: link, family).value) }
        self.context = context
        index = RulesetIndex(ruleset: ruleset, family: family)
        interpreter = Interpreter(index: index, context: context)
        engine = PathEngine(index: index, context: context, runPolicy: .everyRun)
        ruleByRuleEngine = PathEngine(index: index, context: context, runPolicy: .ruleByRule)
    }

    /// The concrete interpreter's trace for a probe (unknown conditions answered "does not hold").
    func trace(_ probe: Probe) -> Trace { interpreter.run(probe.packet, from: probe.side.origin) }

    /// Every trace the interpreter can give the probe, one per combination of answers to the
    /// unknown conditions it meets (just one when it meets none). fwaudit claims only that the
    /// kernel's verdict is among these; it claims a verdict when they all agree.
    func traces(_ probe: Probe, limit: Int = 64) -> [Trace] {
        interpreter.traces(probe.packet, from: probe.side.origin, limit: limit)
    }

    /// The verdicts (accepted or not) the interpreter allows for the probe.
    func possibleAcceptance(_ probe: Probe) -> Set<Bool> { Set(traces(probe).map { $0.verdict == .accept }) }

    /// The packet-space engine's verdict on the one-packet box of the probe (nil when its outcomes differ).
    func engineVerdict(_ probe: Probe) -> Verdict? {
        let verdicts = engineAcceptance(probe)
        guard verdicts.count == 1 else { return nil }
        return verdicts.first! ? .accept : .drop
    }

    /// Whether the engine accepts the one-packet box of the probe, per outcome (two answers when unknown conditions split it).
    func engineAcceptance(_ probe: Probe) -> Set<Bool> { engineAcceptance(probe, by: engine) }

    func engineAcceptance(_ probe: Probe, by engine: PathEngine) -> Set<Bool> {
        let packet = probe.packet
        let universe = context.interfaces
        var box = PacketBox(family: packet.family, interfaces: universe)
        box.layer4Protocol = ProtocolSet(value: packet.layer4Protocol)
        box.source = AddressSet(value: packet.source)
        box.destination = AddressSet(value: packet.destination)
        if packet.hasPorts {
            box.sourcePort = PortSet(value: packet.sourcePort)
            box.destinationPort = PortSet(value: packet.destinationPort)
        }
        if packet.isICMP { box.icmpType = IntervalSet(value: packet.icmpType) }
        if packet.layer4Protocol == 6 { box.tcpFlags = IntervalSet(value: packet.tcpFlags) }
        func interfaces(_ name: String) -> InterfaceSet {
            var set = InterfaceSet(count: universe.count)
            if let index = universe.index(of: name) { set.insert(index) }
            return set
        }
        box.inInterface = interfaces(packet.inInterface)
        // The engine routes the box itself; the output interface is what routing chose.
        box.outInterface = interfaces(packet.outInterface)
        box.state = packet.state
        box.mark = IntervalSet(value: packet.mark)
        box.connectionMark = IntervalSet(value: packet.connectionMark)
        box.translation = IntervalSet(value: packet.translation)
        let outcomes = engine.run(PacketSpace([box]), from: probe.side.origin)
        return Set(outcomes.map { $0.verdict == .accept })
    }
}

/// `accept`, `drop` or `accept|drop` for a set of acceptance answers.
func verdictNames(_ acceptance: Set<Bool>) -> String {
    [true, false].filter(acceptance.contains).map { $0 ? "accept" : "drop" }.joined(separator: "|")
}

extension Interpreter {
    /// Every trace the interpreter can give `packet`, one per combination of answers to the
    /// unknown conditions and per-connection choices it meets (just one when it meets none).
    func traces(_ packet: Packet, from origin: PathEngine.Origin, limit: Int = 64) -> [Trace] {
        var result: [Trace] = []
        var pending: [[Int: Bool]] = [[:]]
        while let answers = pending.popLast(), result.count + pending.count < limit {
            let trace = run(packet, from: origin, answers: answers)
            if let open = trace.steps.flatMap(\.assumed).first(where: { answers[$0] == nil }) {
                var no = answers, yes = answers
                no[open] = false
                yes[open] = true
                pending += [yes, no]
            } else {
                result.append(trace)
            }
        }
        return result
    }
}
