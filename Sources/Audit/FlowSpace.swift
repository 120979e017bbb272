import FirewallModel
import FlowAnalysis
import PortMatrix

/// The matrix of one family as packet boxes: each flow's legs, the traffic flows cover, what the
/// `allow` list tolerates, the mirror images of flows, and every new connection the host can see.
struct FlowSpace {
    let matrix: PortMatrix
    let family: AddressFamily
    let context: AnalysisContext
    let host: AuditedHost

    /// The zone's addresses; an `any` zone leaves out the host's own and loopback addresses (the
    /// host is in a zone only by name), other zones leave out loopback.
    func addresses(of zone: Zone) -> AddressSet {
        let set = zone.addresses(for: family) ?? AddressSet()
        if zone.isLocal { return set }
        return zone.isAny ? set.subtracting(context.localAddresses) : set.subtracting(AnalysisContext.loopback(family))
    }

    /// The interfaces that carry traffic: when zones name the interfaces they are reached
    /// through, those and the ones the rules name; a name nothing mentions carries nothing then.
    var carrying: InterfaceSet {
        let external = context.interfaces.external
        guard matrix.zones.contains(where: { !$0.interfaces.isEmpty }) else { return external }
        var set = external
        for index in external.indices where context.interfaces.pattern(of: index) == "*" { set.remove(index) }
        return set
    }

    /// The interface classes a zone is reached through.
    func interfaces(of zone: Zone) -> InterfaceSet {
        if zone.interfaces.isEmpty { return carrying }
        return zone.interfaces.reduce(InterfaceSet(count: context.interfaces.count)) { $0.union(context.interfaces.matching($1)) }
    }

    /// One path of a flow: the addresses of its zones that take that path across the host.
    struct Part {
        var path: PathKind
        var sources: AddressSet
        var destinations: AddressSet
        var from: Zone
        var to: Zone
    }

    /// The flow split by where its addresses are (DESIGN §3): to the host's addresses it takes
    /// the input path, from them the output path, between two others the forward path — only
    /// when the host routes, not between members of one zone that holds the host, who reach each
    /// other directly, and not between zones reached through the same interfaces, whose packets
    /// would leave where they came in. Traffic from the host to itself goes over `lo` and is left out.
    func parts(of flow: Flow) -> [Part] {
        guard let (from, to) = zones(of: flow) else { return [] }
        let sources = addresses(of: from), destinations = addresses(of: to)
        let hostAddresses = host.addresses
        var parts = [
            Part(path: .input, sources: sources.subtracting(hostAddresses), destinations: destinations.intersection(hostAddresses), from: from, to: to),
            Part(path: .output, sources: sources.intersection(hostAddresses), destinations: destinations.subtracting(hostAddresses), from: from, to: to),
        ]
        // Members of one zone that holds the host (cluster nodes) reach each other directly, and
        // packets that would leave through the interface they came in on are not routed by this host.
        let peers = from.id == to.id && !sources.isDisjoint(with: hostAddresses)
        // Members of one zone behind one interface (containers on a bridge) do cross the host.
        let sameInterfaces = from.id != to.id && !from.interfaces.isEmpty && Set(from.interfaces) == Set(to.interfaces)
        if host.forwarding.routes && !peers && !sameInterfaces {
            parts.append(Part(path: .forward, sources: sources.subtracting(hostAddresses), destinations: destinations.subtracting(hostAddresses), from: from, to: to))
        }
        return parts.filter { !$0.sources.isEmpty && !$0.destinations.isEmpty }
    }

    /// The source ports a flow's connections come from on a path: the flow's own, or the
    /// host's client ports for its own connections and the remote client ports for the others.
    func sourcePorts(of flow: Flow, on path: PathKind) -> PortSet {
        flow.sourcePorts ?? (path == .output ? host.clientPorts : host.remoteClientPorts)
    }

    /// The flow's two zones, or nil when the matrix does not define them (the loader refuses such matrices).
    func zones(of flow: Flow) -> (from: Zone, to: Zone)? {
        guard let from = matrix.zone(flow.from), let to = matrix.zone(flow.to) else { return nil }
        return (from, to)
    }

    /// The flow's first path (input, output, forward), for reports that name one.
    func path(of flow: Flow) -> PathKind { parts(of: flow).first?.path ?? Auditor.path(of: flow, in: matrix) }

    static func origin(of path: PathKind) -> PathEngine.Origin { path == .output ? .host : .network }

    /// The path of the connections whose replies take `path`: replies to what reached the host
    /// leave it, replies to what it sent arrive, replies to what it forwarded are forwarded.
    static func openingPath(ofReplyOn path: PathKind) -> PathKind {
        switch path {
        case .input: .output
        case .output: .input
        case .forward: .forward
        }
    }

    /// The host's own addresses on each interface its zones name (a local zone reached through
    /// `eth0` holds the addresses of `eth0`): where REDIRECT sends what arrives there.
    static func interfaceAddresses(_ matrix: PortMatrix, family: AddressFamily) -> [String: AddressSet] {
        var result: [String: AddressSet] = [:]
        for zone in matrix.zones where zone.isLocal {
            guard let addresses = zone.addresses(for: family), !addresses.isEmpty else { continue }
            for interface in zone.interfaces where !interface.isWildcard {
                result[interface.name] = (result[interface.name] ?? AddressSet()).union(addresses)
            }
        }
        return result
    }

    /// Where the host routes translated packets: each zone reached through named interfaces
    /// (the host's own zones aside), most specific first; elsewhere the interfaces that carry traffic.
    func routing() -> RoutingTable {
        let routes = matrix.zones.filter { !$0.isLocal && !$0.interfaces.isEmpty }.map { zone in
            RoutingTable.Route(destinations: addresses(of: zone), interfaces: interfaces(of: zone))
        }
        return RoutingTable(routes: routes, defaultInterfaces: carrying)
    }

    /// Later packets of connections whose opening packets a nat rule translated, carrying the
    /// connection's translation (conntrack applies it without running the nat chains); packets
    /// of connections that were not translated stay as they are.
    func translating(_ boxes: [PacketBox], as opened: [Outcome]) -> [PacketBox] {
        let translated = opened.filter { $0.box.translation != IntervalSet(value: 0) }
        if translated.isEmpty { return boxes }
        var result: [PacketBox] = []
        for box in boxes {
            var rest = [box]
            // A connection translated several ways (one endpoint of several each time) has later
            // packets for each of them.
            for outcome in translated {
                // The connection as it arrived: the opening packet's ends before translation.
                var connection = PacketBox(family: family, interfaces: context.interfaces)
                connection.layer4Protocol = outcome.box.layer4Protocol
                connection.source = outcome.box.source
                connection.sourcePort = outcome.box.sourcePort
                connection.destination = outcome.box.originalDestination ?? outcome.box.destination
                connection.destinationPort = outcome.box.originalDestinationPort ?? outcome.box.destinationPort
                connection.inInterface = outcome.box.inInterface
                guard var inside = box.intersection(connection) else { continue }
                inside.connectionDestination = outcome.box.originalDestination == nil ? nil : outcome.box.destination
                inside.connectionDestinationPort = outcome.box.originalDestinationPort == nil ? nil : outcome.box.destinationPort
                inside.translation = outcome.box.translation
                result.append(inside)
                rest = rest.flatMap { $0.subtracting(connection) }
            }
            result += rest
        }
        return result
    }

    /// A part's protocols, addresses, ports and interfaces, with every other field open.
    private func traffic(of flow: Flow, part: Part) -> PacketBox {
        var box = PacketBox(family: family, interfaces: context.interfaces)
        box.layer4Protocol = flow.protocol.protocolNumbers(for: family)
        box.source = part.sources
        box.destination = part.destinations
        box.sourcePort = flow.sourcePorts ?? .full
        box.destinationPort = flow.ports ?? .full
        switch part.path {
        case .input: box.inInterface = interfaces(of: part.from); box.outInterface = context.interfaces.none
        case .output: box.inInterface = context.interfaces.none; box.outInterface = interfaces(of: part.to)
        case .forward: box.inInterface = interfaces(of: part.from); box.outInterface = interfaces(of: part.to)
        }
        return box
    }

    /// The opening packet: SYN alone.
    static let synOnly = IntervalSet<UInt8>(value: 0x02)
    /// Later packets of the opening side: ACK set, SYN clear.
    static let establishedFlags = IntervalSet<UInt8>(ranges: (0...255).compactMap { (v: Int) -> ClosedRange<UInt8>? in
        v & 0x10 != 0 && v & 0x02 == 0 ? UInt8(v)...UInt8(v) : nil })
    /// Packets of the answering side: ACK set (SYN+ACK included).
    static let replyFlags = IntervalSet<UInt8>(ranges: (0...255).compactMap { (v: Int) -> ClosedRange<UInt8>? in
        v & 0x10 != 0 ? UInt8(v)...UInt8(v) : nil })

    /// The packets of one leg of one part of a flow, before they meet the firewall.
    func boxes(for flow: Flow, part: Part, leg: ConnectionLeg) -> [PacketBox] {
        var box = traffic(of: flow, part: part)
        box.sourcePort = sourcePorts(of: flow, on: part.path)
        box.mark = IntervalSet(value: 0)
        box.state = leg == .new ? .new : .established
        // An existing connection carries any mark the ruleset can give it.
        box.connectionMark = leg == .new ? IntervalSet(value: 0) : context.marks?.connection ?? .full
        // Untranslated until a nat rule translates the opening packet (see `translating`).
        box.translation = IntervalSet(value: 0)
        return splitTCP(box, flags: leg == .new ? FlowSpace.synOnly : FlowSpace.establishedFlags)
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
            reply.connectionDestination = nil
            reply.connectionDestinationPort = nil
            reply.translation = outcome.box.translation
            // A connection whose source was translated on the way out is answered to that source;
            // conntrack gives the reply the original source back where destinations are translated.
            if let snat = outcome.translations.last(where: { $0.kind == .snat || $0.kind == .masquerade }) {
                let translatedSources = snat.addresses ?? host.addresses.subtracting(AnalysisContext.loopback(family))
                if !translatedSources.isEmpty {
                    reply.connectionDestination = reply.destination
                    reply.destination = translatedSources
                }
                if let ports = snat.ports {
                    reply.connectionDestinationPort = reply.destinationPort
                    reply.destinationPort = ports
                }
            }
            reply.state = .established
            reply.mark = IntervalSet(value: 0)
            reply.connectionMark = context.marks?.connection ?? .full
            return splitTCP(reply, flags: FlowSpace.replyFlags)
        }
    }

    /// Packets as they arrived (or as the host sent them), before any translation: the
    /// destination and port before DNAT or REDIRECT, and the out interface the route for that
    /// destination has (none for what arrives for the host, `lo` for what the host sends itself).
    func arrivingView(of box: PacketBox, origin: PathEngine.Origin) -> [PacketBox] {
        guard box.originalDestination != nil || box.originalDestinationPort != nil else { return [box] }
        var view = box
        view.destinationPort = box.originalDestinationPort ?? box.destinationPort
        view.originalDestination = nil
        view.originalDestinationPort = nil
        guard let original = box.originalDestination else { return [view] }
        let own = origin == .network ? context.interfaces.none : context.interfaces.loopback
        return context.routes(original, local: own).map { route in
            var part = view
            part.destination = route.destinations
            part.outInterface = route.interfaces
            return part
        }
    }

    /// The translated packets of `outcome` whose arriving view is `arriving` (part of `arrivingView(of: outcome)`).
    func translatedView(of arriving: PacketBox, as outcome: PacketBox) -> PacketBox {
        guard outcome.originalDestination != nil || outcome.originalDestinationPort != nil else { return arriving }
        var box = arriving
        if outcome.originalDestination != nil {
            box.originalDestination = arriving.destination
            box.destination = outcome.destination
            box.outInterface = outcome.outInterface
            if outcome.originalOutInterface != nil { box.originalOutInterface = arriving.outInterface }
        }
        if outcome.originalDestinationPort != nil {
            box.originalDestinationPort = arriving.destinationPort
            box.destinationPort = outcome.destinationPort
        }
        return box
    }

    /// Every new connection the host could see: arriving from networks and leaving from the host.
    func universe(origin: PathEngine.Origin) -> [PacketBox] {
        // Conntrack gives an opening packet state new; only NOTRACK in the raw table makes it untracked.
        var states: ConnectionStates = [.new]
        if !matrix.allowances.contains(.established) { states.formUnion([.established, .related]) }
        let loopback = AnalysisContext.loopback(family)
        var base = PacketBox(family: family, interfaces: context.interfaces)
        // ICMPv6 over IPv4 and ICMP over IPv6 are not traffic a host serves: out of scope.
        base.layer4Protocol = ProtocolSet.full.subtracting(ProtocolSet(value: family == .ipv4 ? IPProtocol.icmpv6 : IPProtocol.icmp))
        base.state = states
        base.mark = IntervalSet(value: 0)
        base.connectionMark = IntervalSet(value: 0)
        base.translation = IntervalSet(value: 0)
        var viaLoopback = base, viaNetwork = base
        switch origin {
        case .network:
            viaLoopback.inInterface = context.interfaces.loopback
            viaLoopback.source = context.localAddresses
            viaNetwork.inInterface = carrying
            // Packets claiming the host's own or loopback source from a network are spoofed: out of scope.
            viaNetwork.source = viaNetwork.source.subtracting(context.localAddresses)
            viaNetwork.destination = viaNetwork.destination.subtracting(loopback)
            // A host that does not route only ever receives packets for its own addresses.
            if !host.forwarding.routes { viaNetwork.destination = viaNetwork.destination.intersection(context.localAddresses) }
            viaLoopback.outInterface = context.interfaces.none.union(context.interfaces.loopback)
        case .host:
            viaLoopback.inInterface = context.interfaces.none
            viaLoopback.outInterface = context.interfaces.loopback
            viaLoopback.source = context.localAddresses
            viaNetwork.inInterface = context.interfaces.none
            viaNetwork.outInterface = carrying
            viaNetwork.source = context.localAddresses.subtracting(loopback)
            // Traffic to the host's own addresses leaves through lo, never a network interface.
            viaNetwork.destination = viaNetwork.destination.subtracting(context.localAddresses)
        }
        var network: [PacketBox]
        switch origin {
        case .network:
            // To the host, no out interface; elsewhere, out of the interfaces that carry traffic.
            var local = viaNetwork, forwarded = viaNetwork
            local.destination = viaNetwork.destination.intersection(context.localAddresses)
            local.outInterface = context.interfaces.none
            forwarded.destination = viaNetwork.destination.subtracting(context.localAddresses)
            forwarded.outInterface = carrying
            network = [local] + byZoneInterfaces(forwarded, side: .destination)
            network = network.flatMap { byZoneInterfaces($0, side: .source) }
        case .host:
            network = byZoneInterfaces(viaNetwork, side: .destination)
        }
        return ([viaLoopback] + network).flatMap(splitICMP).flatMap(splitTranslated).filter { !$0.isEmpty }
    }

    /// Packets of existing connections may belong to translated ones; new packets, untracked and
    /// invalid ones have no translation yet.
    private func splitTranslated(_ box: PacketBox) -> [PacketBox] {
        let existing: ConnectionStates = [.established, .related]
        guard !box.state.intersection(existing).isEmpty else { return [box] }
        var fresh = box, old = box
        fresh.state = box.state.subtracting(existing)
        old.state = box.state.intersection(existing)
        old.translation = TranslationStatus.all
        return [fresh, old].filter { !$0.state.isEmpty }
    }

    /// When zones name their interfaces, each interface carries the zones reached through it
    /// (DESIGN §3): packets arriving on `docker0` come from the containers' addresses, packets
    /// leaving through it go to them. An interface no zone names carries any address.
    private func byZoneInterfaces(_ box: PacketBox, side: PacketSide) -> [PacketBox] {
        let named = matrix.zones.filter { !$0.interfaces.isEmpty }
        if named.isEmpty { return [box] }
        let carried = side == .source ? box.inInterface : box.outInterface
        if carried == context.interfaces.none { return [box] }
        var groups: [(addresses: AddressSet, interfaces: InterfaceSet)] = []
        for index in carried.indices {
            let zones = named.filter { interfaces(of: $0).contains(index) }
            let addresses = index == 0 || zones.isEmpty ? AddressSet(family.domain)
                : zones.reduce(AddressSet()) { $0.union(zone(addressesOf: $1)) }
            if let existing = groups.firstIndex(where: { $0.addresses == addresses }) {
                groups[existing].interfaces.insert(index)
            } else {
                var set = InterfaceSet(count: context.interfaces.count)
                set.insert(index)
                groups.append((addresses, set))
            }
        }
        return groups.map { group in
            var part = box
            if side == .source {
                part.inInterface = group.interfaces
                part.source = box.source.intersection(group.addresses)
            } else {
                part.outInterface = group.interfaces
                part.destination = box.destination.intersection(group.addresses)
            }
            return part
        }.filter { !$0.isEmpty }
    }

    /// Every address of a zone, the host's own included (the universe removes those itself).
    private func zone(addressesOf zone: Zone) -> AddressSet {
        zone.isAny ? AddressSet(family.domain) : (zone.addresses(for: family) ?? AddressSet())
    }

    /// An ICMP packet that opens nothing is not `new`: it is untracked (neighbour discovery,
    /// MLD) or invalid, as conntrack decides by its type.
    func splitICMP(_ box: PacketBox) -> [PacketBox] {
        let icmp = ProtocolSet(value: context.icmpProtocol)
        guard box.layer4Protocol.contains(context.icmpProtocol), box.state.contains(.new) else { return [box] }
        var other = box
        other.layer4Protocol = box.layer4Protocol.subtracting(icmp)
        var opening = box, untracked = box, invalid = box
        opening.layer4Protocol = icmp
        untracked.layer4Protocol = icmp
        invalid.layer4Protocol = icmp
        let openingTypes = ICMPTracking.values(ICMPTracking.openingTypes(family))
        let untrackedTypes = ICMPTracking.values(ICMPTracking.untrackedTypes(family))
        opening.icmpType = box.icmpType.intersection(openingTypes)
        untracked.icmpType = box.icmpType.intersection(untrackedTypes)
        untracked.state = box.state.subtracting(.new).union(.untracked)
        invalid.icmpType = box.icmpType.subtracting(openingTypes).subtracting(untrackedTypes)
        invalid.state = box.state.subtracting(.new).union(.invalid)
        return [other, opening, untracked, invalid]
    }

    /// The traffic a documented flow covers, whatever its state, flags or source port.
    func envelope(of flow: Flow) -> [PacketBox] {
        parts(of: flow).map { traffic(of: flow, part: $0) }.filter { !$0.isEmpty }
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

    /// Accepted traffic that looks like a flow written the wrong way round.
    func mirrors(of flow: Flow) -> [(MirrorKind, PacketSpace)] {
        guard let (from, to) = zones(of: flow) else { return [] }
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

    /// The zone that holds all of `addresses`: the smallest such zone, the first in the matrix
    /// among equals; nil when no zone does.
    func zone(holding addresses: AddressSet) -> String? {
        var best: (id: String, size: Double)?
        for zone in matrix.zones {
            guard let set = zone.addresses(for: family), !set.isEmpty, addresses.subtracting(set).isEmpty else { continue }
            let size = set.approximateCount
            if let current = best, current.size <= size { continue }
            best = (zone.id, size)
        }
        return best?.id
    }
}
