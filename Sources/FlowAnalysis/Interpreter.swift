import FirewallModel

/// One line of an explanation: a rule passed over or taken, or a policy applied.
public struct TraceStep: Sendable, Hashable {
    public enum Event: Sendable, Hashable {
        /// The rule did not match; `failed` is the first condition that did not hold.
        case skipped(failed: String)
        /// The rule matched and its action was taken (`accept`, `jump X`, `MARK`, ...).
        case matched(action: String)
        /// The packet fell through the base chain and its policy applied.
        case policy(Verdict)
        /// A user chain ended and control returned to the caller.
        case returned
    }

    public var hook: Hook
    public var table: String
    public var chain: String
    public var location: SourceLocation?
    public var text: String
    public var event: Event
    /// Unknown conditions whose assumed answer this step relied on.
    public var assumed: [Int]
}

/// The concrete answer for one packet: its path, verdict, deciding rule and every step.
public struct Trace: Sendable, Hashable {
    public var packet: Packet
    public var path: PathKind
    public var verdict: Verdict
    public var deciding: Decision?
    public var decisions: [Decision]
    public var steps: [TraceStep]
    /// The packet as the filtering chains last saw it (after address translation).
    public var finalPacket: Packet
    /// The throttles the packet met whose answer decided whether their rule applied, in path
    /// order, each once (as `Outcome.throttles`; empty when throttles are kept unknown).
    public var throttles: [DecidedThrottle] = []
}

/// Walks one packet through hooks, chains and rules; the explanation a user reads.
///
/// It evaluates every match on concrete values, independently of the packet-space engine,
/// so that the two can check each other.
public struct Interpreter: Sendable {
    public let index: RulesetIndex
    public let context: AnalysisContext

    public init(index: RulesetIndex, context: AnalysisContext) {
        self.index = index
        self.context = context
    }

    /// Runs `packet`; unknown conditions take their answer from `answers` (`otherwise` when absent).
    public func run(_ packet: Packet, from origin: PathEngine.Origin, answers: [Int: Bool] = [:], otherwise: Bool = false) -> Trace {
        var state = RunState(packet: packet, answers: answers, otherwise: otherwise)
        let path: PathKind
        switch origin {
        case .host:
            path = .output
            if runHook(.output, &state) {
                // Routed again on leaving the output hook when a translation changed the destination.
                if state.packet.destination != packet.destination { reroute(&state) }
                _ = runHook(.postrouting, &state)
            }
        case .network:
            if runHook(.prerouting, &state) {
                if context.localAddresses.contains(state.packet.destination) {
                    path = .input
                    state.packet.outInterface = ""
                    _ = runHook(.input, &state)
                } else {
                    path = .forward
                    if state.packet.destination != packet.destination {
                        state.packet.outInterface = routedInterface(for: state.packet.destination, current: state.packet.outInterface)
                    }
                    if runHook(.forward, &state) { _ = runHook(.postrouting, &state) }
                }
            } else {
                path = context.localAddresses.contains(state.packet.destination) ? .input : .forward
            }
        }
        if state.decisions.isEmpty { state.decisions = [Decision.noChain(on: path)] }
        let verdict = state.dropped ? (state.decisions.last?.verdict ?? .drop) : .accept
        let outcome = Outcome(box: PacketBox(family: packet.family, interfaces: context.interfaces), verdict: verdict, path: path, decisions: state.decisions)
        return Trace(packet: packet, path: path, verdict: verdict, deciding: outcome.deciding, decisions: state.decisions,
                     steps: state.steps, finalPacket: state.packet, throttles: state.throttles)
    }

    struct RunState {
        var packet: Packet
        var answers: [Int: Bool]
        var otherwise: Bool
        var steps: [TraceStep] = []
        var decisions: [Decision] = []
        var throttles: [DecidedThrottle] = []
        var dropped = false
    }

    /// The interface the route for `address` leads through: `current` when the route allows it,
    /// else the first name the route's interfaces hold (a written one before a stand-in).
    private func routedInterface(for address: UInt128, current: String) -> String {
        let universe = context.interfaces
        let routed = context.routing.interfaces(for: address, in: universe)
        if let index = universe.index(of: current), routed.contains(index) { return current }
        let indices = routed.indices
        return (indices.first(where: universe.isWritten) ?? indices.first).map { universe.names[$0] } ?? ""
    }

    /// A later packet of a translated connection takes the connection's destination where the
    /// destination nat chains run (the opening packet's own translation is the nat rule's).
    private func applyConnectionTranslation(_ state: inout RunState, on hook: Hook) {
        guard state.packet.state == .established || state.packet.state == .related else { return }
        let before = state.packet.destination
        if let address = state.packet.translatedDestination { state.packet.destination = address }
        if let port = state.packet.translatedDestinationPort { state.packet.destinationPort = port }
    }

    /// The host's own packet after a nat rule rewrote its destination: through `lo` to one of the
    /// host's addresses, elsewhere as the route for the new destination leads.
    private func reroute(_ state: inout RunState) {
        state.packet.outInterface = context.localAddresses.contains(state.packet.destination) ? "lo"
            : routedInterface(for: state.packet.destination, current: state.packet.outInterface)
    }

    /// Runs the base chains of `hook`; false when the packet was dropped.
    private func runHook(_ hook: Hook, _ state: inout RunState) -> Bool {
        var translated = !PathEngine.translatesDestinations(on: hook)
        defer { if !translated { applyConnectionTranslation(&state, on: hook) } }
        for (tableIndex, chainIndex) in index.baseChains(on: hook) {
            let table = index.ruleset.tables[tableIndex]
            let chain = table.chains[chainIndex]
            let base = chain.base!
            if !translated && base.priority >= PathEngine.destinationNatPriority {
                applyConnectionTranslation(&state, on: hook)
                translated = true
            }
            if base.isNat && state.packet.state != .new { continue }
            let frame = PathEngine.Frame(hook: hook, table: tableIndex, baseChain: chain.name, baseLocation: chain.location, isNat: base.isNat,
                                         beforeConntrack: base.priority < PathEngine.conntrackPriority)
            switch runChain(chainIndex, frame: frame, &state, depth: 0) {
            case .accepted:
                continue
            case .dropped:
                state.dropped = true
                return false
            case .returned:
                let policy = Decision(hook: hook, table: table.name, baseChain: chain.name, chain: chain.name, rule: nil, position: nil,
                                      verdict: base.policy, chainLocation: chain.location, isNatTable: base.isNat)
                state.decisions.append(policy)
                state.steps.append(TraceStep(hook: hook, table: table.name, chain: chain.name, location: policy.location, text: policy.text,
                                             event: .policy(base.policy), assumed: []))
                if base.policy != .accept {
                    state.dropped = true
                    return false
                }
            }
        }
        return true
    }

    enum ChainEnd { case accepted, dropped, returned }

    private func runChain(_ chainIndex: Int, frame: PathEngine.Frame, _ state: inout RunState, depth: Int) -> ChainEnd {
        let table = index.ruleset.tables[frame.table]
        let chain = table.chains[chainIndex]
        for (ruleIndex, rule) in chain.rules.enumerated() {
            let position = RulePosition(table: frame.table, chain: chainIndex, rule: ruleIndex)
            let throttles = DecidedThrottle.of(rule, at: position, hook: frame.hook, context: context)
            if !throttles.isEmpty { noteThrottles(throttles, of: rule, frame: frame, &state) }
            var assumed: [Int] = []
            var failed: String?
            for (matchIndex, match) in rule.matches.enumerated() {
                let holds: Bool
                if let known = evaluate(match, packet: state.packet, hook: frame.hook, beforeConntrack: frame.beforeConntrack) {
                    holds = known
                } else {
                    let id = index.unknownId(at: position, match: matchIndex)
                    holds = state.answers[id] ?? state.otherwise
                    assumed.append(id)
                }
                if !holds { failed = match.text; break }
            }
            func step(_ event: TraceStep.Event) {
                state.steps.append(TraceStep(hook: frame.hook, table: table.name, chain: chain.name, location: rule.location,
                                             text: rule.text, event: event, assumed: assumed))
            }
            if let failed {
                step(.skipped(failed: failed))
                continue
            }
            func decide(_ verdict: Verdict) {
                state.decisions.append(Decision(hook: frame.hook, table: table.name, baseChain: frame.baseChain, chain: chain.name, rule: rule,
                                                position: position, verdict: verdict, chainLocation: frame.baseLocation, isNatTable: frame.isNat))
            }
            /// The rule's verdict as an unknown condition: the answer given for it, else the default.
            func decideUnknown(_ action: String) -> ChainEnd {
                let id = index.verdictUnknownId(at: position)
                let accepts = state.answers[id] ?? state.otherwise
                assumed.append(id)
                step(.matched(action: "\(action) (assumed \(accepts ? "accept" : "drop"))"))
                decide(accepts ? .accept : .drop)
                return accepts ? .accepted : .dropped
            }
            switch rule.action {
            case .verdict(let verdict):
                step(.matched(action: verdict.rawValue))
                decide(verdict)
                return verdict == .accept ? .accepted : .dropped
            case .return:
                step(.matched(action: "return"))
                return .returned
            case .jump(let name), .goto(let name):
                let isGoto: Bool
                if case .goto = rule.action { isGoto = true } else { isGoto = false }
                guard let target = index.chainIndex(table: frame.table, named: name) else {
                    step(.matched(action: (isGoto ? "goto " : "jump ") + name))
                    decide(.drop)
                    return .dropped
                }
                guard depth + 1 < EngineLimits.chainDepth else {
                    // Not followed further, as by the engine: the verdict is unknown.
                    return decideUnknown("\(isGoto ? "goto" : "jump") \(name), nested too deep to follow")
                }
                step(.matched(action: (isGoto ? "goto " : "jump ") + name))
                let end = runChain(target, frame: frame, &state, depth: depth + 1)
                switch end {
                case .accepted, .dropped: return end
                case .returned:
                    state.steps.append(TraceStep(hook: frame.hook, table: table.name, chain: name, location: nil, text: "return to \(chain.name)",
                                                 event: .returned, assumed: []))
                    if isGoto { return .returned }
                }
            case .continue(let name):
                step(.matched(action: name))
            case .none:
                step(.matched(action: "count"))
            case .setMark(let value, let mask):
                state.packet.mark = (state.packet.mark & ~mask) ^ value
                step(.matched(action: "set mark"))
            case .notrack:
                state.packet.state = .untracked
                state.packet.translation = 0
                step(.matched(action: "notrack"))
            case .connectionMark(let action):
                guard !frame.beforeConntrack && state.packet.state != .untracked else {
                    step(.matched(action: "connmark (no connection: no effect)"))
                    continue
                }
                switch action {
                case .set(let value, let mask): state.packet.connectionMark = (state.packet.connectionMark & ~mask) ^ value
                case .save: state.packet.connectionMark = state.packet.mark
                case .restore: state.packet.mark = state.packet.connectionMark
                }
                step(.matched(action: "connmark"))
            case .nat(let action):
                let target = NatTarget(action, hook: frame.hook, context: context)
                if target.isEmpty {
                    step(.matched(action: "nat (no address of this family: not applied)"))
                    continue
                }
                state.packet.translation |= target.status
                // Of several targets, the one the packet names (a witness's choice), else the first.
                var targets = target.destinations
                if case .redirect = action, frame.hook == .prerouting {
                    targets = context.redirectAddresses(arrivingOn: state.packet.inInterface)
                }
                if let addresses = targets {
                    let chosen = state.packet.translatedDestination.flatMap { addresses.contains($0) ? $0 : nil }
                    if let address = chosen ?? addresses.min { state.packet.destination = address }
                }
                if let ports = target.ports {
                    let chosen = state.packet.translatedDestinationPort.flatMap { ports.contains($0) ? $0 : nil }
                    if let port = chosen ?? ports.min { state.packet.destinationPort = port }
                }
                step(.matched(action: NatTarget.describe(action)))
                decide(.accept)
                return .accepted
            case .opaqueVerdict(let name):
                return decideUnknown(name)
            }
        }
        return .returned
    }

    /// Records `throttles` when every other condition of `rule` holds for the packet (unknown ones
    /// taken as possibly holding, as the packet-space engine does).
    private func noteThrottles(_ throttles: [DecidedThrottle], of rule: Rule, frame: PathEngine.Frame, _ state: inout RunState) {
        for match in rule.matches where match.throttle == nil {
            if evaluate(match, packet: state.packet, hook: frame.hook, beforeConntrack: frame.beforeConntrack) == false { return }
        }
        state.throttles += throttles.filter { !$0.isIn(state.throttles) }
    }

    /// The concrete truth of a match, or nil when the analysis cannot know it.
    func evaluate(_ match: Match, packet: Packet, hook: Hook, beforeConntrack: Bool) -> Bool? {
        let negated = match.negated
        func result(_ holds: Bool) -> Bool { holds != negated }
        switch match.condition {
        case .comment:
            return true
        case .addressFamily(let wanted):
            return result(wanted == context.family)
        case .layer4Protocol(let set):
            return result(set.contains(packet.layer4Protocol))
        case .address(let side, let set):
            return result(set.contains(side == .source ? packet.source : packet.destination))
        case .port(let side, let set):
            guard packet.hasPorts else { return false }
            return result(set.contains(side == .source ? packet.sourcePort : packet.destinationPort))
        case .eitherPort(let set):
            guard packet.hasPorts else { return false }
            return result(set.contains(packet.sourcePort) || set.contains(packet.destinationPort))
        case .inInterface(let pattern):
            return result(pattern.matches(packet.inInterface))
        case .outInterface(let pattern):
            let name = (hook == .prerouting || hook == .input) ? "" : packet.outInterface
            return result(pattern.matches(name))
        case .connectionState(let states):
            if beforeConntrack { return result(states.contains(packet.state == .untracked ? .untracked : .invalid)) }
            return result(states.contains(packet.state))
        case .connectionTranslationStatus(let values):
            if beforeConntrack || packet.state == .untracked { return false }
            return result(values.contains(packet.translation))
        case .translationStatus(let values):
            return result(values.contains(beforeConntrack || packet.state == .untracked ? 0 : packet.translation))
        case .tcpFlags(let mask, let compare):
            guard packet.layer4Protocol == 6 else { return false }
            return result(packet.tcpFlags & mask == compare)
        case .icmpType(let types):
            guard packet.isICMP else { return false }
            return result(types.contains(packet.icmpType))
        case .addressType(let side, let types):
            guard let set = MatchSpace(context: context, index: index).decidableAddresses(types) else { return nil }
            return result(set.contains(side == .source ? packet.source : packet.destination))
        case .packetMark(let value, let mask):
            guard context.packetMarks(value: value, mask: mask) != nil else { return nil }
            return result(packet.mark & mask == value)
        case .connectionMark(let value, let mask):
            if beforeConntrack || packet.state == .untracked { return false }
            guard context.connectionMarks(value: value, mask: mask) != nil else { return nil }
            return result(packet.connectionMark & mask == value)
        case .opaque:
            return nil
        case .throttle(let throttle):
            return context.throttleAnswer(throttle, negated: negated)
        case .oneOf(let conjunctions):
            var unknown = false
            for conjunction in conjunctions {
                var holds: Bool? = true
                for inner in conjunction {
                    switch evaluate(inner, packet: packet, hook: hook, beforeConntrack: beforeConntrack) {
                    case false?: holds = false
                    case nil: if holds == true { holds = nil }
                    case true?: break
                    }
                    if holds == false { break }
                }
                if holds == true { return result(true) }
                if holds == nil { unknown = true }
            }
            return unknown ? nil : result(false)
        }
    }
}
