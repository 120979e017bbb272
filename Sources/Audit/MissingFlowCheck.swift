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

    struct Evaluation {
        var status: FlowStatus
        var certainty: Certainty
        var missing: Finding?
    }

    /// What fails to pass, grouped by leg and deciding rule.
    private struct BlockedPart {
        var leg: ConnectionLeg
        var decision: Decision
        var boxes: [PacketBox]
        /// The outcome the example packet is taken from: one without unknown answers when there is one.
        var outcome: Outcome
        var origin: PathEngine.Origin
    }

    func evaluate(_ flow: Flow) -> Evaluation {
        let path = space.path(of: flow)
        let origin = FlowSpace.origin(of: path)
        let newOutcomes = engine.run(PacketSpace(space.boxes(for: flow, leg: .new)), from: origin)
        let establishedOutcomes = engine.run(PacketSpace(space.boxes(for: flow, leg: .established)), from: origin)
        let acceptedNew = newOutcomes.filter { $0.verdict == .accept }
        let replyOrigin: PathEngine.Origin = path == .input ? .host : .network
        let replyOutcomes = engine.run(PacketSpace(space.replies(to: acceptedNew)), from: replyOrigin)
        let legs: [(ConnectionLeg, [Outcome], PathEngine.Origin)] = [
            (.new, newOutcomes, origin), (.established, establishedOutcomes, origin), (.reply, replyOutcomes, replyOrigin),
        ]

        var status = FlowStatus.allowed
        var uncertain = false
        var mustDrop = false
        for (_, outcomes, _) in legs {
            let accepted = PacketSpace(outcomes.filter { $0.verdict == .accept }.map(\.box)).projected
            let dropped = PacketSpace(outcomes.filter { $0.verdict != .accept }.map(\.box)).projected
            if dropped.isEmpty { continue }
            if accepted.isEmpty { status = .blocked } else if status != .blocked { status = .partial }
            let overlap = dropped.intersection(accepted)
            if !overlap.isEmpty { uncertain = true }
            if !dropped.subtracting(accepted).isEmpty { mustDrop = true }
        }
        if acceptedNew.isEmpty { status = .blocked }
        let certainty: Certainty = (status == .allowed || !uncertain) ? .definite : .possible
        guard status != .allowed, flow.isRequired else { return Evaluation(status: status, certainty: certainty, missing: nil) }

        var parts: [BlockedPart] = []
        for (leg, outcomes, legOrigin) in legs {
            for outcome in outcomes where outcome.verdict != .accept {
                guard let decision = outcome.deciding else { continue }
                if let existing = parts.firstIndex(where: { $0.leg == leg && $0.decision.location == decision.location }) {
                    parts[existing].boxes.append(outcome.box)
                    if !outcome.box.unknowns.isEmpty { continue }
                    if !parts[existing].outcome.box.unknowns.isEmpty { parts[existing].outcome = outcome }
                } else {
                    parts.append(BlockedPart(leg: leg, decision: decision, boxes: [outcome.box], outcome: outcome, origin: legOrigin))
                }
            }
        }
        parts.sort { ($0.leg, $0.decision.location) < ($1.leg, $1.decision.location) }
        guard let primary = parts.first, let zones = space.zones(of: flow) else {
            return Evaluation(status: status, certainty: certainty, missing: nil)
        }
        let witness = confirmation.witness(primary.outcome, leg: primary.leg, origin: primary.origin)
        let unknownIds = Set(parts.flatMap { $0.boxes.flatMap { $0.unknowns.map(\.id) } })
        var finding = Finding(
            kind: .missing, flow: flow, certainty: mustDrop && witness.confirmed ? .definite : .possible,
            family: space.family, path: path, from: zones.from.id, to: zones.to.id,
            rule: RuleReference(primary.decision),
            blockedBy: parts.map { BlockingPart(leg: $0.leg, rule: RuleReference($0.decision), space: describe.space($0.boxes)) },
            space: describe.space(primary.boxes), witness: witness,
            message: .flowDropped(blocked: status == .blocked, leg: primary.leg),
            unknowns: unknownIds.sorted().compactMap(index.describeUnknown), fingerprint: "", severity: flow.severity)
        finding.fingerprint = Fingerprint.of(finding)
        return Evaluation(status: status, certainty: certainty, missing: finding)
    }
}
