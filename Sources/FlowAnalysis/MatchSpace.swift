import FirewallModel

/// Translates a rule's matches into the packet boxes it matches at one hook.
///
/// A rule matches a union of boxes (usually one); unknown conditions become unknown-answer
/// variables so that both answers stay in view.
struct MatchSpace {
    let context: AnalysisContext
    let index: RulesetIndex

    /// The boxes a rule matches at `hook`; empty when it can never match. `beforeConntrack`: the
    /// chain runs before connection tracking (iptables' raw table), where no packet has a
    /// connection yet: state matches see `invalid` (or `untracked`), connection marks never match.
    /// `withoutThrottles`: the rule's own throttle matches are left out (the packets that meet them).
    func boxes(for rule: Rule, at position: RulePosition, hook: Hook, beforeConntrack: Bool, withoutThrottles: Bool = false) -> [PacketBox] {
        let everything = PacketBox(family: context.family, interfaces: context.interfaces)
        var result = [everything]
        for (matchIndex, match) in rule.matches.enumerated() {
            if withoutThrottles && match.throttle != nil { continue }
            let alternatives = self.alternatives(for: match, unknownId: index.unknownId(at: position, match: matchIndex), hook: hook,
                                                 beforeConntrack: beforeConntrack)
            guard let alternatives else { continue }
            var next: [PacketBox] = []
            for box in result {
                for alternative in alternatives {
                    if let both = box.intersection(alternative) { next.append(both) }
                }
            }
            result = next
            if result.isEmpty { break }
        }
        return result
    }

    /// The boxes one match allows, or nil when it allows everything.
    func alternatives(for match: Match, unknownId: Int, hook: Hook, beforeConntrack: Bool) -> [PacketBox]? {
        let family = context.family
        let base = PacketBox(family: family, interfaces: context.interfaces)
        let negated = match.negated
        func box(_ edit: (inout PacketBox) -> Void) -> [PacketBox] {
            var result = base
            edit(&result)
            return result.isEmpty ? [] : [result]
        }
        func unknown() -> [PacketBox] {
            var result = base
            result.unknowns = [PacketBox.UnknownAnswer(id: unknownId, holds: true)]
            return [result]
        }
        func addresses(_ set: AddressSet) -> AddressSet {
            let inFamily = set.intersection(AddressSet(family.domain))
            return negated ? inFamily.complement(in: family.domain) : inFamily
        }
        func choose<S>(_ set: IntervalSet<S>) -> IntervalSet<S> { negated ? set.complement() : set }

        switch match.condition {
        case .comment:
            return nil
        case .addressFamily(let wanted):
            return (wanted == family) != negated ? nil : []
        case .layer4Protocol(let set):
            return box { $0.layer4Protocol = choose(set) }
        case .address(.source, let set):
            return box { $0.source = addresses(set) }
        case .address(.destination, let set):
            return box { $0.destination = addresses(set) }
        case .port(let side, let set):
            return box {
                $0.layer4Protocol = portProtocols
                if side == .source { $0.sourcePort = choose(set) } else { $0.destinationPort = choose(set) }
            }
        case .eitherPort(let set):
            if negated {
                return box { $0.layer4Protocol = portProtocols; $0.sourcePort = set.complement(); $0.destinationPort = set.complement() }
            }
            return box { $0.layer4Protocol = portProtocols; $0.sourcePort = set }
                + box { $0.layer4Protocol = portProtocols; $0.destinationPort = set }
        case .inInterface(let pattern):
            let matching = context.interfaces.matching(pattern)
            return box { $0.inInterface = negated ? context.interfaces.all.subtracting(matching) : matching }
        case .outInterface(let pattern):
            if hook == .prerouting || hook == .input {
                // The output interface is not chosen yet: the kernel compares with no interface.
                return pattern.matches("") != negated ? nil : []
            }
            let matching = context.interfaces.matching(pattern)
            return box { $0.outInterface = negated ? context.interfaces.all.subtracting(matching) : matching }
        case .connectionState(let states):
            let wanted = negated ? ConnectionStates.all.subtracting(states) : states
            if beforeConntrack {
                // Not tracked yet: a packet that NOTRACK marked is untracked, any other is invalid.
                var result: [PacketBox] = []
                if wanted.contains(.untracked) { result += box { $0.state = .untracked } }
                if wanted.contains(.invalid) { result += box { $0.state = ConnectionStates.all.subtracting(.untracked) } }
                return result
            }
            return box { $0.state = wanted }
        case .connectionTranslationStatus(let values):
            // No connection (before conntrack, untracked): the test fails, negated or not.
            if beforeConntrack { return [] }
            let wanted = negated ? TranslationStatus.all.subtracting(values) : values.intersection(TranslationStatus.all)
            return box { $0.translation = wanted; $0.state = ConnectionStates.all.subtracting(.untracked) }
        case .translationStatus(let values):
            // Before conntrack, or without a connection, there is no translation to report.
            let wanted = negated ? TranslationStatus.all.subtracting(values) : values.intersection(TranslationStatus.all)
            if beforeConntrack { return wanted.contains(0) ? nil : [] }
            return box { $0.translation = wanted }
        case .tcpFlags(let mask, let compare):
            return box { $0.layer4Protocol = ProtocolSet(value: 6); $0.tcpFlags = choose(tcpFlagValues(mask: mask, compare: compare)) }
        case .icmpType(let types):
            return box { $0.layer4Protocol = ProtocolSet(value: context.icmpProtocol); $0.icmpType = choose(types) }
        case .addressType(let side, let types):
            guard let set = decidableAddresses(types) else { return unknown() }
            return box {
                if side == .source { $0.source = addresses(set) } else { $0.destination = addresses(set) }
            }
        case .packetMark(let value, let mask):
            guard let set = context.packetMarks(value: value, mask: mask) else { return unknown() }
            return box { $0.mark = choose(set) }
        case .connectionMark(let value, let mask):
            // Without a connection (before conntrack, or untracked) the match fails either way.
            if beforeConntrack { return [] }
            guard let set = context.connectionMarks(value: value, mask: mask) else {
                return unknown().map { var tracked = $0; tracked.state = ConnectionStates.all.subtracting(.untracked); return tracked }
            }
            return box { $0.connectionMark = choose(set); $0.state = ConnectionStates.all.subtracting(.untracked) }
        case .opaque:
            return unknown()
        case .throttle(let throttle):
            guard let holds = context.throttleAnswer(throttle, negated: negated) else { return unknown() }
            return holds ? nil : []
        case .oneOf(let conjunctions):
            var union: [PacketBox] = []
            for conjunction in conjunctions {
                var boxes = [base]
                for inner in conjunction {
                    guard let options = alternatives(for: inner, unknownId: unknownId, hook: hook, beforeConntrack: beforeConntrack) else { continue }
                    boxes = boxes.flatMap { box in options.compactMap { box.intersection($0) } }
                    if boxes.isEmpty { break }
                }
                union += boxes
            }
            if !negated { return union }
            return PacketSpace([base]).subtracting(PacketSpace(union)).boxes
        }
    }

    /// The addresses of the given `addrtype` classes, when the analysis can decide them exactly.
    func decidableAddresses(_ types: Set<AddressType>) -> AddressSet? {
        var set = AddressSet()
        for type in types {
            switch type {
            case .local: set = set.union(context.localAddresses)
            case .multicast: set = set.union(AnalysisContext.multicast(context.family))
            default: return nil
            }
        }
        return set
    }
}
