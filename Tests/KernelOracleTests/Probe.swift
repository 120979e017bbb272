import FirewallModel
import FlowAnalysis
import Foundation

/// Where a probe starts: behind one of the host's links, or on the host itself.
enum ProbeSide: Hashable, Sendable, CustomStringConvertible {
    case link(String)
    case host

    var description: String {
        switch self {
        case .link(let name): "network via \(name)"
        case .host: "host"
        }
    }

    var origin: PathEngine.Origin { self == .host ? .host : .network }

    /// `host`, or the interface name: how regression files write the side.
    var name: String {
        switch self {
        case .link(let name): name
        case .host: "host"
        }
    }
}

/// One packet sent through the testbed: the packet as fwaudit sees it (interfaces filled in from
/// the layout's routing) plus the id that identifies it in the kernel.
struct Probe: Sendable, Hashable, CustomStringConvertible {
    var id: Int
    var side: ProbeSide
    var packet: Packet
    /// TCP sequence and acknowledgement numbers (for the packets of a primed connection).
    var sequence: UInt32 = 1_000_000
    var acknowledgement: UInt32 = 0

    /// A probe from `side`, its interfaces set the way the kernel will route it.
    init(id: Int, side: ProbeSide, packet: Packet, layout: Layout) {
        self.id = id
        self.side = side
        var packet = packet
        packet.mark = 0
        packet.connectionMark = 0
        let local = layout.localSet(packet.family).contains(packet.destination)
        switch side {
        case .host:
            packet.inInterface = ""
            packet.outInterface = local ? "lo" : layout.route(packet.destination, packet.family)
        case .link(let name):
            packet.inInterface = name
            packet.outInterface = local ? "" : layout.route(packet.destination, packet.family)
        }
        self.packet = packet
        sequence = 1_000_000 + UInt32(id)
    }

    /// Whether the kernel delivers this probe locally (input path) rather than routing it out.
    func isLocal(_ layout: Layout) -> Bool { side != .host && layout.localSet(packet.family).contains(packet.destination) }

    /// Whether the observation says the kernel let the probe through its whole path. A probe from
    /// the network may end on the other path than its destination says (DNAT from the host's own
    /// address to elsewhere, REDIRECT to the host): through either is through. The host's own
    /// packets end at postrouting (one translated to the host itself comes back in through `lo`).
    func accepted(by observation: KernelObservation, layout: Layout) -> Bool {
        side == .host ? observation.seenAtPostrouting : observation.seenAtInput || observation.seenAtPostrouting
    }

    var description: String { "\(packet) [from \(side), id \(id)]" }

    /// One line a regression file can carry and `init?(line:)` reads back.
    var line: String {
        var fields = ["side=\(side.name)",
                      "proto=\(packet.layer4Protocol)", "src=\(packet.sourceText)", "dst=\(packet.destinationText)"]
        if packet.hasPorts { fields += ["sport=\(packet.sourcePort)", "dport=\(packet.destinationPort)"] }
        if packet.layer4Protocol == 6 { fields.append("flags=0x\(String(packet.tcpFlags, radix: 16))") }
        if packet.isICMP { fields.append("icmp=\(packet.icmpType >> 8)/\(packet.icmpType & 0xff)") }
        return fields.joined(separator: " ")
    }

    /// Parses `line`.
    init?(line: String, id: Int, layout: Layout) {
        var fields: [String: String] = [:]
        for word in line.split(separator: " ") {
            let pair = word.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { return nil }
            fields[String(pair[0])] = String(pair[1])
        }
        guard let sideText = fields["side"], let protoText = fields["proto"], let proto = UInt8(protoText),
              let source = fields["src"].flatMap(IPAddress.init), let destination = fields["dst"].flatMap(IPAddress.init),
              source.family == destination.family else { return nil }
        var packet = Packet(family: source.family, layer4Protocol: proto, source: source.value, destination: destination.value)
        packet.sourcePort = fields["sport"].flatMap { UInt16($0) } ?? 0
        packet.destinationPort = fields["dport"].flatMap { UInt16($0) } ?? 0
        if let flags = fields["flags"] { packet.tcpFlags = UInt8(flags.dropFirst(2), radix: 16) ?? 0 }
        if let icmp = fields["icmp"] {
            let parts = icmp.split(separator: "/").compactMap { UInt16($0) }
            guard parts.count == 2 else { return nil }
            packet.icmpType = parts[0] << 8 | parts[1]
        }
        self.init(id: id, side: sideText == "host" ? .host : .link(sideText), packet: packet, layout: layout)
    }

    /// The probe as the sender script reads it.
    var senderJSON: String {
        let object: [String: Any] = [
            "family": packet.family == .ipv4 ? 4 : 6,
            "src": packet.sourceText, "dst": packet.destinationText,
            "proto": Int(packet.layer4Protocol),
            "sport": Int(packet.sourcePort), "dport": Int(packet.destinationPort),
            "flags": Int(packet.tcpFlags), "icmp": Int(packet.icmpType), "icmpId": id & 0xffff,
            "id": id, "ttl": Testbed.markerTTL, "seq": Int(sequence), "ack": Int(acknowledgement),
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
