import FirewallModel
import FlowAnalysis
import PortMatrix

/// Concrete traces for `explain`: a documented flow's example packets, or one packet.
extension Auditor {
    public enum ExplainError: Error, Sendable, CustomStringConvertible {
        case unknownFlow(String)
        case familyNotAudited(AddressFamily)
        case flowNotApplicable(String)

        public var description: String {
            switch self {
            case .unknownFlow(let id): "no flow '\(id)' in the matrix"
            case .familyNotAudited(let family): "no \(family) ruleset given"
            case .flowNotApplicable(let id): "flow '\(id)' has no addresses in the audited families"
            }
        }
    }

    /// The opening packet, a later packet and a reply of `flowId`, traced in each audited family.
    public func explain(flow flowId: String) throws(ExplainError) -> [(title: String, trace: Trace)] {
        guard let flow = matrix.flow(flowId) else { throw .unknownFlow(flowId) }
        var result: [(String, Trace)] = []
        for family in AddressFamily.allCases {
            guard applies(flow, to: family), let ruleset = rulesets[family] else { continue }
            let audit = FamilyAudit(matrix: matrix, family: family, ruleset: ruleset, facts: hostFacts, throttles: throttles)
            guard let part = audit.space.parts(of: flow).first else { continue }
            let path = part.path
            let origin = FlowSpace.origin(of: path)
            guard let newBox = audit.space.boxes(for: flow, part: part, leg: .new).first,
                  let establishedBox = audit.space.boxes(for: flow, part: part, leg: .established).first else { continue }
            let (opening, _) = audit.describe.witness(from: newBox)
            let newTrace = audit.interpreter.run(opening, from: origin)
            result.append(("\(flow.id) (\(family)): new connection", newTrace))
            let seen = newTrace.finalPacket
            var later = audit.describe.witness(from: establishedBox).0
            later.source = opening.source
            later.destination = opening.destination
            later.sourcePort = opening.sourcePort
            later.destinationPort = opening.destinationPort
            // Conntrack translates later packets as the opening one was, without the nat chains.
            if seen.destination != opening.destination { later.translatedDestination = seen.destination }
            if seen.destinationPort != opening.destinationPort { later.translatedDestinationPort = seen.destinationPort }
            later.translation = seen.translation
            result.append(("\(flow.id) (\(family)): later packet", audit.interpreter.run(later, from: origin)))
            var reply = seen
            reply.source = seen.destination
            reply.destination = seen.source
            reply.sourcePort = seen.destinationPort
            reply.destinationPort = seen.sourcePort
            reply.inInterface = seen.outInterface
            reply.outInterface = seen.inInterface
            reply.state = .established
            reply.tcpFlags = reply.layer4Protocol == 6 ? 0x12 : 0
            if reply.isICMP { reply.icmpType = family == .ipv4 ? 0 : 129 << 8 }
            reply.mark = 0
            reply.translatedDestination = nil
            reply.translatedDestinationPort = nil
            // A reply to a source-translated connection arrives for the translated source and gets
            // the original back where destinations are translated.
            if let snat = newTrace.decisions.compactMap({ $0.rule }).last(where: { rule in
                if case .nat(.source) = rule.action { return true }
                if case .nat(.masquerade) = rule.action { return true }
                return false
            }) {
                var translated: UInt128?
                if case .nat(.source(let addresses, _)) = snat.action { translated = addresses?.min }
                translated = translated ?? audit.space.context.redirectAddresses(arrivingOn: seen.outInterface).min
                if let translated {
                    reply.translatedDestination = reply.destination
                    reply.destination = translated
                }
            }
            // Replies come back along the path the connection took: from the host to what reached
            // it, through the host to what it forwarded (after translation too).
            let replyOrigin: PathEngine.Origin = newTrace.path == .input ? .host : .network
            result.append(("\(flow.id) (\(family)): reply", audit.interpreter.run(reply, from: replyOrigin)))
        }
        if result.isEmpty { throw .flowNotApplicable(flowId) }
        return result
    }

    /// One packet traced through the ruleset of its family; it comes from the host when its
    /// source is a local address (of the matrix's local zones or a live host), or when `fromHost` says so.
    public func explain(packet: Packet, fromHost forced: Bool = false) throws(ExplainError) -> Trace {
        guard let ruleset = rulesets[packet.family] else { throw .familyNotAudited(packet.family) }
        let audit = FamilyAudit(matrix: matrix, family: packet.family, ruleset: ruleset, facts: hostFacts, throttles: throttles)
        let fromHost = forced || audit.space.context.localAddresses.contains(packet.source)
        var packet = packet
        if fromHost { packet.inInterface = "" }
        if !fromHost && audit.space.context.localAddresses.contains(packet.destination) { packet.outInterface = "" }
        return audit.interpreter.run(packet, from: fromHost ? .host : .network)
    }
}
