import FirewallModel
import FlowAnalysis
import PortMatrix

/// The audit of one address family: flows, then extras, on one ruleset.
final class FamilyAudit {
    let matrix: PortMatrix
    let family: AddressFamily
    let context: AnalysisContext
    let index: RulesetIndex
    let engine: PathEngine
    let interpreter: Interpreter
    let describe: SpaceDescription
    private(set) var diagnostics: [Diagnostic] = []

    init(matrix: PortMatrix, family: AddressFamily, ruleset: Ruleset) {
        self.matrix = matrix
        self.family = family
        var local = AddressSet()
        for zone in matrix.zones where zone.isLocal {
            if let addresses = zone.addresses(for: family) { local = local.union(addresses) }
        }
        context = AnalysisContext(family: family, localAddresses: local,
                                  extraInterfaces: matrix.zones.flatMap(\.interfaces), ruleset: ruleset)
        index = RulesetIndex(ruleset: ruleset, family: family)
        engine = PathEngine(index: index, context: context)
        interpreter = Interpreter(index: index, context: context)
        describe = SpaceDescription(family: family, interfaces: context.interfaces)
    }

    // MARK: - Zones and flows as packet boxes

    /// The zone's addresses; an `any` zone leaves out the host's own and loopback addresses.
    func addresses(of zone: Zone) -> AddressSet {
        let set = zone.addresses(for: family) ?? AddressSet()
        if zone.isLocal { return set }
        return zone.isAny ? set.subtracting(context.localAddresses) : set.subtracting(AnalysisContext.loopback(family))
    }

    /// The interface classes a zone is reached through.
    func interfaces(of zone: Zone) -> InterfaceSet {
        if zone.interfaces.isEmpty { return context.interfaces.external }
        return zone.interfaces.reduce(InterfaceSet(count: context.interfaces.count)) { $0.union(context.interfaces.matching($1)) }
    }

    func origin(of path: PathKind) -> PathEngine.Origin { path == .output ? .host : .network }

    func path(of flow: Flow) -> PathKind { Auditor.path(of: flow, in: matrix) }

    static let synOnly = IntervalSet<UInt8>(value: 0x02)
    /// Later packets of the opening side: ACK set, SYN clear.
    static let establishedFlags = IntervalSet<UInt8>(ranges: (0...255).compactMap { (v: Int) -> ClosedRange<UInt8>? in
        v & 0x10 != 0 && v & 0x02 == 0 ? UInt8(v)...UInt8(v) : nil })
    /// Packets of the answering side: ACK set (SYN+ACK included).
    static let replyFlags = IntervalSet<UInt8>(ranges: (0...255).compactMap { (v: Int) -> ClosedRange<UInt8>? in
        v & 0x10 != 0 ? UInt8(v)...UInt8(v) : nil })

    /// The packets of one leg of a flow, before they meet the firewall.
    func boxes(for flow: Flow, leg: ConnectionLeg) -> [PacketBox] {
        let from = matrix.zone(flow.from)!, to = matrix.zone(flow.to)!
        var box = PacketBox(family: family, interfaces: context.interfaces)
        box.layer4Protocol = flow.protocol.protocolNumbers(for: family)
        box.source = addresses(of: from)
        box.destination = addresses(of: to)
        box.sourcePort = flow.sourcePorts ?? .full
        box.destinationPort = flow.ports ?? .full
        box.mark = IntervalSet(value: 0)
        box.state = leg == .new ? .new : .established
        box.connectionMark = leg == .new ? IntervalSet(value: 0) : .full
        switch path(of: flow) {
        case .input: box.inInterface = interfaces(of: from); box.outInterface = context.interfaces.none
        case .output: box.inInterface = context.interfaces.none; box.outInterface = interfaces(of: to)
        case .forward: box.inInterface = interfaces(of: from); box.outInterface = interfaces(of: to)
        }
        return splitTCP(box, flags: leg == .new ? FamilyAudit.synOnly : FamilyAudit.establishedFlags)
    }

    /// TCP packets of a leg carry specific flags; other protocols keep every flag value.
    func splitTCP(_ box: PacketBox, flags: IntervalSet<UInt8>) -> [PacketBox] {
        let tcp = ProtocolSet(value: 6)
        var result: [PacketBox] = []
        if box.layer4Protocol.contains(6) {
            var tcpBox = box
            tcpBox.layer4Protocol = tcp
            tcpBox.tcpFlags = flags
            result.append(tcpBox)
        }
        var other = box
        other.layer4Protocol = box.layer4Protocol.subtracting(tcp)
        if !other.layer4Protocol.isEmpty { result.append(other) }
        return result.filter { !$0.isEmpty }
    }

    /// The replies to accepted opening packets: ends swapped, as the filtering chains saw them.
    func replies(to accepted: [Outcome]) -> [PacketBox] {
        accepted.flatMap { outcome -> [PacketBox] in
            var reply = outcome.box
            reply.source = outcome.box.destination
            reply.destination = outcome.box.source
            reply.sourcePort = outcome.box.destinationPort
            reply.destinationPort = outcome.box.sourcePort
            reply.inInterface = outcome.box.outInterface
            reply.outInterface = outcome.box.inInterface
            reply.originalDestination = nil
            reply.originalDestinationPort = nil
            reply.state = .established
            reply.mark = IntervalSet(value: 0)
            reply.connectionMark = .full
            return splitTCP(reply, flags: FamilyAudit.replyFlags)
        }
    }

    // MARK: - Flows

    struct FlowEvaluation {
        var status: FlowStatus
        var certainty: Certainty
        var missing: Finding?
    }

    func evaluate(_ flow: Flow) -> FlowEvaluation {
        let path = path(of: flow)
        let origin = origin(of: path)
        let newOutcomes = engine.run(PacketSpace(boxes(for: flow, leg: .new)), from: origin)
        let establishedOutcomes = engine.run(PacketSpace(boxes(for: flow, leg: .established)), from: origin)
        let acceptedNew = newOutcomes.filter { $0.verdict == .accept }
        let replyOrigin: PathEngine.Origin = path == .input ? .host : .network
        let replyOutcomes = engine.run(PacketSpace(replies(to: acceptedNew)), from: replyOrigin)
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
        guard status != .allowed, flow.isRequired else { return FlowEvaluation(status: status, certainty: certainty, missing: nil) }

        // Group what does not pass by leg and deciding rule.
        var parts: [(leg: ConnectionLeg, decision: Decision, boxes: [PacketBox], outcome: Outcome, origin: PathEngine.Origin)] = []
        for (leg, outcomes, legOrigin) in legs {
            for outcome in outcomes where outcome.verdict != .accept {
                let decision = outcome.deciding!
                if let existing = parts.firstIndex(where: { $0.leg == leg && $0.decision.location == decision.location }) {
                    parts[existing].boxes.append(outcome.box)
                    if !outcome.box.unknowns.isEmpty { continue }
                    if !parts[existing].outcome.box.unknowns.isEmpty { parts[existing].outcome = outcome }
                } else {
                    parts.append((leg, decision, [outcome.box], outcome, legOrigin))
                }
            }
        }
        parts.sort { ($0.leg, $0.decision.location) < ($1.leg, $1.decision.location) }
        let primary = parts[0]
        let witness = confirmedWitness(primary.outcome, leg: primary.leg, origin: primary.origin)
        let unknownIds = Set(parts.flatMap { $0.boxes.flatMap { $0.unknowns.map(\.id) } })
        let from = matrix.zone(flow.from)!, to = matrix.zone(flow.to)!
        let ports = flow.portsText ?? "any"
        let what = status == .blocked ? "blocked" : "partly blocked"
        let legText: String
        switch primary.leg {
        case .new: legText = "new connections"
        case .established: legText = "later packets of the connection"
        case .reply: legText = "replies"
        }
        let message = "\(flow.protocol.rawValue) \(ports) from \(from.id) to \(to.id) is \(what) (\(family)): \(legText) dropped by \(primary.decision.location)"
        let finding = Finding(
            kind: .missing, flow: flow.id, certainty: mustDrop && witness.confirmed ? .definite : .possible, family: family, path: path,
            protocol: flow.protocol.rawValue, ports: ports, from: from.id, to: to.id,
            rule: RuleReference(primary.decision),
            blockedBy: parts.map { BlockingPart(leg: $0.leg, rule: RuleReference($0.decision), space: describe.summary($0.boxes)) },
            space: describe.summary(primary.boxes), witness: witness, mirror: nil,
            unknowns: unknownIds.sorted().compactMap(index.describeUnknown), message: message,
            fingerprint: Fingerprint.make(["missing", flow.id, family.rawValue, flow.protocol.rawValue, ports, from.id, to.id]),
            severity: flow.severity)
        return FlowEvaluation(status: status, certainty: certainty, missing: finding)
    }

    /// A packet from the outcome's box, re-run through the concrete interpreter.
    func confirmedWitness(_ outcome: Outcome, leg: ConnectionLeg, origin: PathEngine.Origin) -> Witness {
        let (packet, answers) = describe.witness(from: outcome.box)
        func agrees(_ trace: Trace) -> Bool {
            trace.verdict == outcome.verdict && trace.deciding?.location == outcome.deciding?.location
        }
        var trace = interpreter.run(packet, from: origin, answers: answers)
        if !agrees(trace) && outcome.box.widened {
            // Merged answers: the box's answers are incomplete; try the other default.
            trace = interpreter.run(packet, from: origin, answers: answers, otherwise: true)
        }
        let confirmed = agrees(trace)
        if !confirmed {
            let expected = "\(outcome.verdict.rawValue) by \(outcome.deciding?.location.description ?? "?")"
            let got = "\(trace.verdict.rawValue) by \(trace.deciding?.location.description ?? "?")"
            if outcome.box.widened {
                diagnostics.append(Diagnostic(.warning, "the example packet \(packet) could not be confirmed (\(expected) expected, \(got) found): too many unmodelled conditions were merged to keep the analysis bounded"))
            } else {
                diagnostics.append(Diagnostic(.error, "internal: the example packet \(packet) was expected to be \(expected) but the interpreter found \(got)"))
            }
        }
        return Witness(packet: packet, leg: leg, answers: answers, confirmed: confirmed)
    }

    // MARK: - Extras and wrong directions

    /// Every new connection the host could see: arriving from networks and leaving from the host.
    func universe(origin: PathEngine.Origin) -> [PacketBox] {
        // Conntrack gives an opening packet state new; only NOTRACK in the raw table makes it untracked.
        var states: ConnectionStates = [.new]
        if !matrix.allowances.contains(.established) { states.formUnion([.established, .related]) }
        let loopback = AnalysisContext.loopback(family)
        var base = PacketBox(family: family, interfaces: context.interfaces)
        base.state = states
        base.mark = IntervalSet(value: 0)
        base.connectionMark = IntervalSet(value: 0)
        var viaLoopback = base, viaNetwork = base
        switch origin {
        case .network:
            viaLoopback.inInterface = context.interfaces.loopback
            viaLoopback.source = context.localAddresses
            viaNetwork.inInterface = context.interfaces.external
            // Packets claiming the host's own or loopback source from a network are spoofed: out of scope.
            viaNetwork.source = viaNetwork.source.subtracting(context.localAddresses)
            viaNetwork.destination = viaNetwork.destination.subtracting(loopback)
            viaLoopback.outInterface = context.interfaces.none.union(context.interfaces.loopback)
        case .host:
            viaLoopback.inInterface = context.interfaces.none
            viaLoopback.outInterface = context.interfaces.loopback
            viaLoopback.source = context.localAddresses
            viaNetwork.inInterface = context.interfaces.none
            viaNetwork.outInterface = context.interfaces.external
            viaNetwork.source = context.localAddresses.subtracting(loopback)
            // Traffic to the host's own addresses leaves through lo, never a network interface.
            viaNetwork.destination = viaNetwork.destination.subtracting(context.localAddresses)
        }
        return [viaLoopback, viaNetwork].filter { !$0.isEmpty }
    }

    /// The traffic documented flows cover, whatever its state or flags.
    func envelope(of flow: Flow) -> PacketBox? {
        guard let from = matrix.zone(flow.from), let to = matrix.zone(flow.to) else { return nil }
        var box = PacketBox(family: family, interfaces: context.interfaces)
        box.layer4Protocol = flow.protocol.protocolNumbers(for: family)
        box.source = addresses(of: from)
        box.destination = addresses(of: to)
        box.sourcePort = flow.sourcePorts ?? .full
        box.destinationPort = flow.ports ?? .full
        switch path(of: flow) {
        case .input: box.inInterface = interfaces(of: from)
        case .output: box.outInterface = interfaces(of: to)
        case .forward: box.inInterface = interfaces(of: from); box.outInterface = interfaces(of: to)
        }
        return box.isEmpty ? nil : box
    }

    /// Traffic the matrix's `allow` list tolerates.
    func tolerated() -> [PacketBox] {
        let all = PacketBox(family: family, interfaces: context.interfaces)
        var result: [PacketBox] = []
        if matrix.allowances.contains(.loopback) {
            var viaIn = all, viaOut = all
            viaIn.inInterface = context.interfaces.loopback
            viaOut.outInterface = context.interfaces.loopback
            result += [viaIn, viaOut]
        }
        if matrix.allowances.contains(.established) {
            var box = all
            box.state = [.established, .related]
            result.append(box)
        }
        if matrix.allowances.contains(.icmp) {
            var box = all
            box.layer4Protocol = ProtocolSet(value: context.icmpProtocol)
            let types: [UInt16] = family == .ipv4 ? [0, 3, 8, 11, 12] : [1, 2, 3, 4, 128, 129]
            box.icmpType = IntervalSet(ranges: types.map { ($0 << 8)...($0 << 8 | 0xff) })
            result.append(box)
        }
        if matrix.allowances.contains(.ndp) && family == .ipv6 {
            var box = all
            box.layer4Protocol = ProtocolSet(value: 58)
            box.icmpType = IntervalSet((133 << 8)...(137 << 8 | 0xff))
            result.append(box)
        }
        return result.filter { !$0.isEmpty }
    }

    func extras() -> [Finding] {
        let covered = PacketSpace(matrix.flows.compactMap(envelope(of:)) + tolerated())
        var findings: [Finding] = []
        for origin in [PathEngine.Origin.network, .host] {
            if origin == .host && matrix.allowances.contains(.outbound) { continue }
            let outcomes = engine.run(PacketSpace(universe(origin: origin)), from: origin)
            let droppedProjection = PacketSpace(outcomes.filter { $0.verdict != .accept }.map(\.box)).projected
            // Group accepted, uncovered traffic by the rule that accepts it.
            var groups: [(decision: Decision, path: PathKind, boxes: [(PacketBox, Outcome)])] = []
            for outcome in outcomes where outcome.verdict == .accept {
                var filtered = outcome.box
                filtered.originalDestination = nil
                filtered.originalDestinationPort = nil
                let uncovered = PacketSpace([filtered]).subtracting(covered)
                if uncovered.isEmpty { continue }
                let decision = outcome.deciding!
                let entries = uncovered.boxes.map { ($0, outcome) }
                if let existing = groups.firstIndex(where: { $0.decision.location == decision.location && $0.path == outcome.path }) {
                    groups[existing].boxes += entries
                } else {
                    groups.append((decision, outcome.path, entries))
                }
            }
            groups.sort { ($0.decision.location, $0.path) < ($1.decision.location, $1.path) }
            for group in groups {
                // A rule whose whole uncovered acceptance is the mirror image of one flow was
                // written for that flow the wrong way round; anything broader is extra.
                let uncovered = PacketSpace(group.boxes.map(\.0))
                var mirrored: (Flow, MirrorKind)?
                search: for flow in matrix.flows {
                    for (mirror, space) in mirrors(of: flow) where uncovered.subtracting(space).isEmpty {
                        mirrored = (flow, mirror)
                        break search
                    }
                }
                findings.append(finding(kind: mirrored == nil ? .extra : .wrongDirection, flow: mirrored?.0, mirror: mirrored?.1,
                                        decision: group.decision, path: group.path, entries: group.boxes, origin: origin,
                                        droppedProjection: droppedProjection))
            }
        }
        return findings
    }

    /// Accepted traffic that looks like a flow written the wrong way round.
    func mirrors(of flow: Flow) -> [(MirrorKind, PacketSpace)] {
        guard let from = matrix.zone(flow.from), let to = matrix.zone(flow.to) else { return [] }
        var base = PacketBox(family: family, interfaces: context.interfaces)
        base.layer4Protocol = flow.protocol.protocolNumbers(for: family)
        var swapped = base
        swapped.source = addresses(of: to)
        swapped.destination = addresses(of: from)
        swapped.destinationPort = flow.ports ?? .full
        var result: [(MirrorKind, PacketSpace)] = []
        if !swapped.isEmpty { result.append((.swappedEnds, PacketSpace([swapped]))) }
        if let ports = flow.ports {
            var sourcePort = base
            sourcePort.source = addresses(of: from)
            sourcePort.destination = addresses(of: to)
            sourcePort.layer4Protocol = sourcePort.layer4Protocol.intersection(portProtocols)
            sourcePort.sourcePort = ports
            sourcePort.destinationPort = ports.complement()
            if !sourcePort.isEmpty { result.append((.sourcePort, PacketSpace([sourcePort]))) }
        }
        var sameEnds = base
        sameEnds.source = addresses(of: from)
        sameEnds.destination = addresses(of: to)
        sameEnds.sourcePort = flow.sourcePorts ?? .full
        sameEnds.destinationPort = flow.ports ?? .full
        if !sameEnds.isEmpty { result.append((.interface, PacketSpace([sameEnds]))) }
        return result
    }

    func finding(kind: FindingKind, flow: Flow?, mirror: MirrorKind?, decision: Decision, path: PathKind,
                 entries: [(PacketBox, Outcome)], origin: PathEngine.Origin, droppedProjection: PacketSpace) -> Finding {
        let boxes = entries.map(\.0)
        let best = entries.first { $0.0.unknowns.isEmpty && $0.0.layer4Protocol.contains(6) }
            ?? entries.first { $0.0.unknowns.isEmpty } ?? entries[0]
        var outcome = best.1
        outcome.box = best.0
        if let original = best.1.box.originalDestination { outcome.box.originalDestination = original }
        let witness = confirmedWitness(outcome, leg: .new, origin: origin)
        let definite = boxes.contains { $0.unknowns.isEmpty }
            || !PacketSpace(boxes).projected.subtracting(droppedProjection).isEmpty
        let summary = describe.summary(boxes)
        let unknownIds = Set(boxes.flatMap { $0.unknowns.map(\.id) })
        let message: String
        let fingerprintParts: [String]
        if let flow, let mirror {
            let from = matrix.zone(flow.from)!.id, to = matrix.zone(flow.to)!.id
            let how: String
            switch mirror {
            case .swappedEnds: how = "accepted from \(to) to \(from), the reverse of the documented direction"
            case .sourcePort: how = "accepted with \(flow.portsText ?? "") as the source port instead of the destination port"
            case .interface: how = "accepted on an interface \(from) is not reached through"
            }
            message = "\(flow.protocol.rawValue) \(flow.portsText ?? "any") \(how) (\(family)), by \(decision.location)"
            fingerprintParts = ["wrong-direction", flow.id, mirror.rawValue, family.rawValue, flow.protocol.rawValue, flow.portsText ?? "any", from, to]
        } else {
            let what = summary.protocols == "any" ? "all traffic" : summary.destinationPorts == "-" || summary.destinationPorts == "any"
                ? "\(summary.protocols) traffic" : "\(summary.protocols) port \(summary.destinationPorts)"
            message = "\(what) from \(summary.sources) to \(summary.destinations) accepted on the \(path.rawValue) path (\(family)) by \(decision.location), outside every documented flow"
            fingerprintParts = ["extra", family.rawValue, path.rawValue, summary.protocols, summary.destinationPorts, summary.sources, summary.destinations]
        }
        return Finding(
            kind: kind, flow: flow?.id, certainty: definite && witness.confirmed ? .definite : .possible, family: family, path: path,
            protocol: flow?.protocol.rawValue ?? summary.protocols, ports: flow?.portsText ?? summary.destinationPorts,
            from: flow.map { matrix.zone($0.from)!.id } ?? summary.sources, to: flow.map { matrix.zone($0.to)!.id } ?? summary.destinations,
            rule: RuleReference(decision), blockedBy: [], space: summary, witness: witness, mirror: mirror,
            unknowns: unknownIds.sorted().compactMap(index.describeUnknown), message: message,
            fingerprint: Fingerprint.make(fingerprintParts), severity: flow?.severity ?? .high)
    }
}

/// Stable identities for findings: a hash of their meaning, never of lines or handles.
enum Fingerprint {
    static func make(_ parts: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in parts.joined(separator: "|").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
