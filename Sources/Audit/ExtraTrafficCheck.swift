import FirewallModel
import FlowAnalysis
import PortMatrix

/// New connections the firewall accepts that no documented flow covers: each accepting rule's
/// uncovered traffic is an extra finding, or a wrong-direction one when all of it mirrors a flow.
struct ExtraTrafficCheck {
    let space: FlowSpace
    let engine: PathEngine
    let index: RulesetIndex
    let describe: SpaceDescription
    let confirmation: WitnessConfirmation

    /// Uncovered accepted traffic of one rule on one path, each box with the outcome it came from.
    private struct Group {
        var decision: Decision
        var path: PathKind
        var entries: [(box: PacketBox, outcome: Outcome)]
    }

    private struct GroupKey: Hashable {
        var location: SourceLocation
        var path: PathKind
    }

    func findings() -> [Finding] {
        let covered = PacketSpace(space.matrix.flows.flatMap(space.envelope(of:)) + space.tolerated())
        var findings: [Finding] = []
        for origin in [PathEngine.Origin.network, .host] {
            if origin == .host && space.matrix.allowances.contains(.outbound) { continue }
            let outcomes = engine.run(PacketSpace(space.universe(origin: origin)), from: origin)
            // Needed only for extras that depend on an unknown answer: projected on first use.
            let droppedProjection = LazySpace { PacketSpace(outcomes.filter { $0.verdict != .accept }.map(\.box)).projected(keeping: self.index.choiceIds) }
            var groups: [Group] = []
            // Where each rule's group is, by rule and path: thousands of accepting rules each have one.
            var groupIndex: [GroupKey: Int] = [:]
            for outcome in outcomes where outcome.verdict == .accept {
                // Flows document connections as they arrive: translated traffic is judged by its
                // destination before translation.
                let uncovered = PacketSpace(space.arrivingView(of: outcome.box, origin: origin)).subtracting(covered)
                guard !uncovered.isEmpty, let decision = outcome.deciding else { continue }
                let entries = uncovered.boxes.map { (box: $0, outcome: outcome) }
                let key = GroupKey(location: decision.location, path: outcome.path)
                if let existing = groupIndex[key] {
                    groups[existing].entries += entries
                } else {
                    groupIndex[key] = groups.count
                    groups.append(Group(decision: decision, path: outcome.path, entries: entries))
                }
            }
            groups.sort { ($0.decision.location, $0.path) < ($1.decision.location, $1.path) }
            for group in groups {
                findings.append(finding(for: group, origin: origin, droppedProjection: droppedProjection))
            }
        }
        return findings
    }

    /// A rule whose whole uncovered acceptance is the mirror image of one flow was written for that
    /// flow the wrong way round; anything broader is extra.
    private func mirroredFlow(_ uncovered: PacketSpace) -> (Flow, MirrorKind)? {
        for flow in space.matrix.flows {
            for (mirror, mirrorSpace) in space.mirrors(of: flow) where uncovered.subtracting(mirrorSpace).isEmpty {
                return (flow, mirror)
            }
        }
        return nil
    }

    private func finding(for group: Group, origin: PathEngine.Origin, droppedProjection: LazySpace) -> Finding {
        let boxes = group.entries.map(\.box)
        let best = group.entries.first { index.isCertain($0.box) && $0.box.layer4Protocol.contains(6) }
            ?? group.entries.first { index.isCertain($0.box) } ?? group.entries[0]
        var outcome = best.outcome
        outcome.box = space.translatedView(of: best.box, as: best.outcome.box)
        let witness = confirmation.witness(outcome, leg: .new, origin: origin)
        // A box that fixes no doubt is accepted whatever the answers, unless widening merged it:
        // then only the projections can tell.
        let definite = boxes.contains { index.isCertain($0) && !$0.widened }
            || !PacketSpace(boxes).projected(keeping: index.choiceIds).subtracting(droppedProjection.value).isEmpty
        let accepted = describe.space(boxes)
        let unknownIds = Set(boxes.flatMap { $0.unknowns.map(\.id) }).subtracting(index.choiceIds)
        let mirrored = mirroredFlow(PacketSpace(boxes))
        let zones = mirrored.flatMap { space.zones(of: $0.0) }
        var finding = Finding(
            kind: mirrored == nil ? .extra : .wrongDirection, flow: mirrored?.0,
            certainty: definite && witness.confirmed ? .definite : .possible, family: space.family, path: group.path,
            from: zones?.from.id ?? space.zone(holding: accepted.sources),
            to: zones?.to.id ?? space.zone(holding: accepted.destinations),
            rule: RuleReference(group.decision), blockedBy: [], space: accepted, witness: witness,
            message: mirrored.map { .mirrored($0.1) } ?? .undocumentedTraffic,
            unknowns: unknownIds.sorted().compactMap(index.describeUnknown), fingerprint: "",
            severity: mirrored?.0.severity ?? .high)
        if finding.path == .forward && space.host.forwarding == .undeclared { finding.notes.append(.forwardingUndeclared) }
        for entry in group.entries {
            for applied in entry.outcome.translations where applied.kind == .dnat || applied.kind == .redirect {
                Translation.merge(Translation(family: space.family, applied), into: &finding.translatedBy)
            }
        }
        // Traffic for the host's own addresses that a translation sends down the forward path
        // never meets the input chains: a published port is open whatever they say.
        if group.path == .forward && !accepted.destinations.intersection(space.context.localAddresses).isEmpty
            && group.entries.contains(where: { $0.outcome.box.isDestinationTranslated }) {
            finding.notes.append(.bypassesInput)
        }
        finding.fingerprint = Fingerprint.of(finding)
        return finding
    }
}

/// A packet space computed the first time it is read.
private final class LazySpace {
    private let make: () -> PacketSpace
    private var computed: PacketSpace?

    init(_ make: @escaping () -> PacketSpace) { self.make = make }

    var value: PacketSpace {
        if let computed { return computed }
        let made = make()
        computed = made
        return made
    }
}
