import FirewallModel
import FlowAnalysis

/// Turns packet boxes into what people read: field summaries and concrete example packets.
struct SpaceDescription {
    let family: AddressFamily
    let interfaces: InterfaceUniverse

    /// The union of each field over `boxes`, as the packets were before any address translation.
    func space(_ boxes: [PacketBox]) -> TrafficSpace {
        var protocols = ProtocolSet(), sources = AddressSet(), destinations = AddressSet()
        var sourcePorts = PortSet(), destinationPorts = PortSet()
        var inInterfaces = InterfaceSet(count: interfaces.count), outInterfaces = InterfaceSet(count: interfaces.count)
        var icmpTypes = IntervalSet<UInt16>()
        let icmp: UInt8 = family == .ipv4 ? 1 : 58
        for box in boxes {
            protocols = protocols.union(box.layer4Protocol)
            sources = sources.union(box.source)
            destinations = destinations.union(box.originalDestination ?? box.destination)
            if !box.layer4Protocol.isDisjoint(with: portProtocols) {
                sourcePorts = sourcePorts.union(box.sourcePort)
                destinationPorts = destinationPorts.union(box.originalDestinationPort ?? box.destinationPort)
            }
            if box.layer4Protocol.contains(icmp) { icmpTypes = icmpTypes.union(box.icmpType) }
            inInterfaces = inInterfaces.union(box.inInterface)
            outInterfaces = outInterfaces.union(box.outInterface)
        }
        return TrafficSpace(
            family: family, protocols: protocols, sources: sources, destinations: destinations,
            sourcePorts: sourcePorts.isEmpty ? nil : sourcePorts, destinationPorts: destinationPorts.isEmpty ? nil : destinationPorts,
            icmpTypes: icmpTypes.isEmpty ? nil : icmpTypes, inInterfaces: scope(inInterfaces), outInterfaces: scope(outInterfaces))
    }

    /// Interface classes as people read them: every external one is `any`.
    func scope(_ set: InterfaceSet) -> InterfaceScope {
        let external = interfaces.external
        if !external.isEmpty && external.isSubset(of: set) { return .any }
        let names = set.indices.compactMap(interfaces.pattern(of:))
        return names.isEmpty ? .none : .only(names)
    }

    static func protocolText(_ set: ProtocolSet) -> String {
        if set.isFull() { return "any" }
        var names: [String] = []
        for range in set.ranges {
            if range.upperBound - range.lowerBound > 8 {
                names.append("\(range.lowerBound)-\(range.upperBound)")
            } else {
                for value in range { names.append(Packet.protocolName(value)) }
            }
        }
        return names.joined(separator: ",")
    }

    /// A concrete packet from a box, chosen to read naturally (tcp before others, an ephemeral
    /// source port, the first host of a network rather than its network address).
    func witness(from box: PacketBox) -> (Packet, [Int: Bool]) {
        let proto: UInt8 = [6, 17, 1, 58, 132].first { box.layer4Protocol.contains($0) } ?? box.layer4Protocol.min ?? 6
        let source = SpaceDescription.host(in: box.source, family: family)
        var destination = SpaceDescription.host(in: box.originalDestination ?? box.destination, family: family)
        if destination == source, let other = (SpaceDescription.exampleAddresses[family] ?? []).dropFirst().first(where: (box.originalDestination ?? box.destination).contains) {
            destination = other
        }
        let sourcePort = box.sourcePort.contains(40000) ? 40000 : SpaceDescription.preferredPort(box.sourcePort)
        let dports = box.originalDestinationPort ?? box.destinationPort
        // Port 0 is legal but reads like a mistake: prefer the next port the set holds.
        let destinationPort = dports.isFull() ? 40000 : (dports.min == 0 && dports.contains(1) ? 1 : dports.min ?? 40000)
        let flags: UInt8 = [0x02, 0x10, 0x12, 0x18].first { box.tcpFlags.contains($0) } ?? box.tcpFlags.min ?? 0x02
        // The family's echo request: conntrack opens connections for it (other types are invalid or untracked first).
        let echoRequest: UInt16 = family == .ipv4 ? 8 << 8 : 128 << 8
        let icmp: UInt16 = box.icmpType.contains(echoRequest) ? echoRequest : box.icmpType.min ?? 0
        let state = ConnectionStates.names.map(\.1).first { box.state.contains($0) } ?? .new
        var packet = Packet(family: family, layer4Protocol: proto, source: source, destination: destination,
                            sourcePort: sourcePort, destinationPort: destinationPort, icmpType: icmp, tcpFlags: flags,
                            inInterface: interfaceName(box.inInterface), outInterface: interfaceName(box.originalOutInterface ?? box.outInterface),
                            state: state, mark: 0, connectionMark: box.connectionMark.contains(0) ? 0 : box.connectionMark.min ?? 0)
        // A translated packet names where its translation sent it, and leaves as the route for
        // that destination leads (the out interface after translation).
        if box.originalDestination != nil { packet.translatedDestination = SpaceDescription.host(in: box.destination, family: family) }
        if box.originalDestinationPort != nil { packet.translatedDestinationPort = box.destinationPort.min }
        packet.translation = box.translation.contains(0) ? 0 : box.translation.min ?? 0
        let answers = Dictionary(uniqueKeysWithValues: box.unknowns.map { ($0.id, $0.holds) })
        return (packet, answers)
    }

    /// The packet with stand-in interface names left out: reports name real interfaces only.
    func shown(_ packet: Packet) -> Packet {
        var shown = packet
        func real(_ name: String) -> String {
            guard !name.isEmpty, let index = interfaces.names.firstIndex(of: name) else { return name }
            return interfaces.isWritten(index) ? name : ""
        }
        shown.inInterface = real(packet.inInterface)
        shown.outInterface = real(packet.outInterface)
        return shown
    }

    private func interfaceName(_ set: InterfaceSet) -> String {
        let indices = set.indices
        // Prefer a name written in the rules or the matrix over a stand-in for "any other name".
        if let written = indices.first(where: interfaces.isWritten) { return interfaces.names[written] }
        return indices.first.map { interfaces.names[$0] } ?? ""
    }

    /// Documentation addresses (RFC 5737, RFC 3849) read better than 0.0.0.1 when a set is wide.
    static let exampleAddresses: [AddressFamily: [UInt128]] = [
        .ipv4: ["203.0.113.7", "192.0.2.7", "198.51.100.7", "10.0.0.7"].compactMap { IPAddress($0)?.value },
        .ipv6: ["2001:db8:ffff::7", "2001:db8::7"].compactMap { IPAddress($0)?.value },
    ]

    static func host(in set: AddressSet, family: AddressFamily) -> UInt128 {
        if set.approximateCount > 65536, let example = (exampleAddresses[family] ?? []).first(where: set.contains) { return example }
        guard let first = set.ranges.first else { return 0 }
        if first.upperBound - first.lowerBound >= 2 && first.lowerBound & 0xff == 0 { return first.lowerBound + 1 }
        return first.lowerBound
    }

    static func preferredPort(_ set: PortSet) -> UInt16 {
        for range in set.ranges where range.upperBound >= 1024 { return Swift.max(range.lowerBound, 1024) }
        return set.min ?? 40000
    }
}
