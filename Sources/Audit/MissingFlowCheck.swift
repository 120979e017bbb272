import FirewallModel
import FlowAnalysis
import PortMatrix

/// Whether each documented flow passes: its opening packets, its later packets and its replies.
/// A required flow that does not fully pass becomes a missing finding.
struct MissingFlowCheck {
    let space: FlowSpace
    let engine: PathEngine
    let index: RulesetIndex
    let describe: SpaceDescription
    let confirmation: WitnessConfirmation
    let denyLists: DenyListMatching

    struct Evaluation {
        var status: FlowStatus
        var certainty: Certainty
        var missing: Finding?
        /// Intended drops by the matrix's deny lists.
        var narrowedBy: [Narrowing] = []
        /// Throttles the flow's packets met, in path order, each once.
        var rateLimitedBy: [RateLimit] = []
        /// Address translations the flow's connections take, each once.
        var translatedBy: [Translation] = []
        /// The paths the flow's opening packets take after translation.
        var paths: Set<PathKind> = []
    }

    /// What fails to pass, grouped by leg and deciding rule.
    private struct BlockedPart {
        var leg: ConnectionLeg
        var decision: Decision
        var boxes: [PacketBox]
        /// The outcome the example packet is taken from: one without unknown answers when there is one.
        var outcome: Outcome
        var origin: PathEngine.Origin
        /// The path of the flow's part (a reply of an input flow still belongs to the input path).
        var path: PathKind
    }

    /// The three legs of one part of a flow, as the engine decided them.
    private struct PartOutcome {
        var part: FlowSpace.Part
        var legs: [(leg: ConnectionLeg, outcomes: [Outcome], origin: PathEngine.Origin)]
    }

    func evaluate(_ flow: Flow) -> Evaluation {
        // Drops by a deny list are intended: set aside and counted, they narrow the flow.
        // Each list's rules in the order met, and its remote addresses gathered then united once:
        // a chain of ten thousand bans is ten thousand outcomes.
        // Rules are told apart by their place (one rule has one location), which hashes cheaper than its location.
        var narrowed: [(entry: DenyList, rules: [SourceLocation], seen: Set<RulePosition>, remote: [ClosedRange<UInt128>])] = []
        func intended(_ outcomes: [Outcome], origin: PathEngine.Origin) -> [Outcome] {
            outcomes.filter { outcome in
                guard outcome.verdict != .accept, let decision = outcome.deciding, let position = decision.position,
                      let entry = denyLists.denyList(of: decision) else { return true }
                let remote = origin == .network ? outcome.box.source : outcome.box.destination
                var index = narrowed.firstIndex(where: { $0.entry == entry })
                if index == nil {
                    narrowed.append((entry, [], [], []))
                    index = narrowed.count - 1
                }
                remote.forEachRange { narrowed[index!].remote.append($0) }
                if narrowed[index!].seen.insert(position).inserted { narrowed[index!].rules.append(decision.location) }
                return false
            }
        }
        let partOutcomes = space.parts(of: flow).map { part -> PartOutcome in
            let origin = FlowSpace.origin(of: part.path)
            let newOutcomes = intended(engine.run(PacketSpace(space.boxes(for: flow, part: part, leg: .new)), from: origin), origin: origin)
            let opened = newOutcomes.filter { $0.verdict == .accept }
            // Later packets are translated as their connection's opening packet was.
            let later = space.translating(space.boxes(for: flow, part: part, leg: .established), as: opened)
            let establishedOutcomes = intended(engine.run(PacketSpace(later), from: origin), origin: origin)
            var legs: [(leg: ConnectionLeg, outcomes: [Outcome], origin: PathEngine.Origin)] = [(.new, newOutcomes, origin), (.established, establishedOutcomes, origin)]
            // Replies come back from where the opening packets went: from the host to what reached
            // it, through the host to what it forwarded (a translated connection's replies too).
            for path in PathKind.allCases {
                let answered = opened.filter { $0.path == path }
                if answered.isEmpty { continue }
                let replyOrigin: PathEngine.Origin = path == .input ? .host : .network
                let replyOutcomes = intended(engine.run(PacketSpace(space.replies(to: answered)), from: replyOrigin), origin: replyOrigin)
                legs.append((.reply, replyOutcomes, replyOrigin))
            }
            return PartOutcome(part: part, legs: legs)
        }
        guard !partOutcomes.isEmpty else { return Evaluation(status: .notApplicable, certainty: .definite, missing: nil) }
        let narrowings = narrowed.map { Narrowing(denyList: $0.entry.description, family: space.family, rules: $0.rules, addresses: AddressSet(ranges: $0.remote).approximateCount) }
        var translations: [Translation] = []
        var flowPaths: Set<PathKind> = []
        for partOutcome in partOutcomes {
            if partOutcome.legs[0].outcomes.isEmpty { flowPaths.insert(partOutcome.part.path) }
            for outcome in partOutcome.legs[0].outcomes {
                flowPaths.insert(outcome.path)
                guard outcome.verdict == .accept else { continue }
                for applied in outcome.translations {
                    Translation.merge(Translation(family: space.family, applied), into: &translations)
                }
            }
        }
        var rateLimits: [RateLimit] = []
        for partOutcome in partOutcomes {
            for (_, outcomes, _) in partOutcome.legs {
                for outcome in outcomes {
                    for throttle in outcome.throttles {
                        let limit = RateLimit(family: space.family, rule: throttle.location, match: throttle.text)
                        if !rateLimits.contains(limit) { rateLimits.append(limit) }
                    }
                }
            }
        }

        // Each part passes, passes in part or is blocked; the flow is allowed when every part is,
        // blocked when every part is, and partial otherwise.
        var partStatuses: [FlowStatus] = []
        var uncertain = false
        var mustDrop = false
        for partOutcome in partOutcomes {
            var status = FlowStatus.allowed
            for (_, outcomes, _) in partOutcome.legs {
                // Per-connection choices (kube-proxy's endpoint pick) are kept: a drop after one
                // choice is a fact about those connections, not a doubt.
                let accepted = PacketSpace(outcomes.filter { $0.verdict == .accept }.map(\.box)).projected(keeping: index.choiceIds)
                let dropped = PacketSpace(outcomes.filter { $0.verdict != .accept }.map(\.box)).projected(keeping: index.choiceIds)
                if dropped.isEmpty { continue }
                if accepted.isEmpty { status = .blocked } else if status != .blocked { status = .partial }
                if !dropped.intersection(accepted).isEmpty { uncertain = true }
                if !dropped.subtracting(accepted).isEmpty { mustDrop = true }
            }
            if partOutcome.legs[0].outcomes.allSatisfy({ $0.verdict != .accept }) { status = .blocked }
            partStatuses.append(status)
        }
        let status = FlowStatus.combining(partStatuses)
        let certainty: Certainty = (status == .allowed || !uncertain) ? .definite : .possible
        guard status != .allowed, flow.isRequired else {
            return Evaluation(status: status, certainty: certainty, missing: nil, narrowedBy: narrowings, rateLimitedBy: rateLimits, translatedBy: translations, paths: flowPaths)
        }
        let legs = partOutcomes.flatMap { partOutcome in partOutcome.legs.map { ($0.leg, $0.outcomes, $0.origin, partOutcome.part.path) } }

        var parts: [BlockedPart] = []
        for (leg, outcomes, legOrigin, _) in legs {
            for outcome in outcomes where outcome.verdict != .accept {
                guard let decision = outcome.deciding else { continue }
                // A translated connection is dropped where it really goes (a published port, on
                // the forward path); a reply still belongs to the part it answers.
                let path = leg == .reply ? FlowSpace.openingPath(ofReplyOn: outcome.path) : outcome.path
                if let existing = parts.firstIndex(where: { $0.leg == leg && $0.path == path && $0.decision.location == decision.location }) {
                    parts[existing].boxes.append(outcome.box)
                    if !index.isCertain(outcome.box) { continue }
                    if !index.isCertain(parts[existing].outcome.box) { parts[existing].outcome = outcome }
                } else {
                    parts.append(BlockedPart(leg: leg, decision: decision, boxes: [outcome.box], outcome: outcome, origin: legOrigin, path: path))
                }
            }
        }
        parts.sort { ($0.leg, $0.decision.location, $0.path) < ($1.leg, $1.decision.location, $1.path) }
        guard let primary = parts.first, let zones = space.zones(of: flow) else {
            return Evaluation(status: status, certainty: certainty, missing: nil, narrowedBy: narrowings, rateLimitedBy: rateLimits, translatedBy: translations, paths: flowPaths)
        }
        let path = primary.path
        let witness = confirmation.witness(primary.outcome, leg: primary.leg, origin: primary.origin)
        let unknownIds = Set(parts.flatMap { $0.boxes.flatMap { $0.unknowns.map(\.id) } }).subtracting(index.choiceIds)
        var finding = Finding(
            kind: .missing, flow: flow, certainty: mustDrop && witness.confirmed ? .definite : .possible,
            family: space.family, path: path, from: zones.from.id, to: zones.to.id,
            rule: RuleReference(primary.decision),
            blockedBy: parts.map { BlockingPart(leg: $0.leg, rule: RuleReference($0.decision), space: describe.space($0.boxes)) },
            space: describe.space(primary.boxes), witness: witness,
            message: .flowDropped(blocked: status == .blocked, leg: primary.leg),
            unknowns: unknownIds.sorted().compactMap(index.describeUnknown), fingerprint: "", severity: flow.severity)
        if finding.path == .forward && space.host.forwarding == .undeclared { finding.notes.append(.forwardingUndeclared) }
        // The translations the dropped connections took: the endpoints that fail.
        for (_, outcomes, _, _) in legs {
            for outcome in outcomes where outcome.verdict != .accept {
                for applied in outcome.translations { Translation.merge(Translation(family: space.family, applied), into: &finding.translatedBy) }
            }
        }
        finding.fingerprint = Fingerprint.of(finding)
        return Evaluation(status: status, certainty: certainty, missing: finding, narrowedBy: narrowings, rateLimitedBy: rateLimits, translatedBy: translations, paths: flowPaths)
    }
}
