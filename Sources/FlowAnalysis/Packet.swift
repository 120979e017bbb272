import FirewallModel

/// One concrete packet, as `explain` takes it and witnesses show it.
public struct Packet: Sendable, Hashable, CustomStringConvertible {
    public var family: AddressFamily
    public var layer4Protocol: UInt8
    public var source: UInt128
    public var destination: UInt128
    /// Meaningful only for protocols with ports (tcp, udp, sctp, udplite).
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// ICMP type and code as `type << 8 | code`; meaningful only for ICMP.
    public var icmpType: UInt16
    public var tcpFlags: UInt8
    /// The empty string means "no interface" (locally generated, or not yet routed).
    public var inInterface: String
    public var outInterface: String
    public var state: ConnectionStates
    public var mark: UInt32
    public var connectionMark: UInt32
    /// The destination a translation gives this packet: for a later packet of a translated
    /// connection, what conntrack rewrites it to; for an opening packet, which of a nat rule's
    /// several targets the rule picks (the first when absent or not among them).
    public var translatedDestination: UInt128?
    public var translatedDestinationPort: UInt16?
    /// The connection's translation status (`TranslationStatus` bits).
    public var translation: UInt8 = 0

    public init(family: AddressFamily, layer4Protocol: UInt8, source: UInt128, destination: UInt128,
                sourcePort: UInt16 = 0, destinationPort: UInt16 = 0, icmpType: UInt16 = 0, tcpFlags: UInt8 = 0,
                inInterface: String = "", outInterface: String = "", state: ConnectionStates = .new,
                mark: UInt32 = 0, connectionMark: UInt32 = 0) {
        self.family = family
        self.layer4Protocol = layer4Protocol
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.icmpType = icmpType
        self.tcpFlags = tcpFlags
        self.inInterface = inInterface
        self.outInterface = outInterface
        self.state = state
        self.mark = mark
        self.connectionMark = connectionMark
    }

    public var hasPorts: Bool { portProtocols.contains(layer4Protocol) }
    public var isICMP: Bool { layer4Protocol == (family == .ipv4 ? 1 : 58) }

    public var protocolName: String { Packet.protocolName(layer4Protocol) }

    /// The protocol's name in reports, for the protocols whose headers the packet model reads; a number otherwise.
    public static func protocolName(_ number: UInt8) -> String {
        guard namesProtocol(number), let name = IPProtocol.shortName(of: number) else { return "\(number)" }
        return name
    }

    /// Whether packets of this protocol are written by name: ICMP, ICMPv6 and the port-carrying protocols.
    static func namesProtocol(_ number: UInt8) -> Bool {
        number == IPProtocol.icmp || number == IPProtocol.icmpv6 || portProtocols.contains(number)
    }

    public var sourceText: String { IPAddress.format(source, family: family) }
    public var destinationText: String { IPAddress.format(destination, family: family) }

    private func endpoint(_ address: UInt128, _ port: UInt16) -> String {
        let text = IPAddress.format(address, family: family)
        guard hasPorts else { return text }
        return family == .ipv6 ? "[\(text)]:\(port)" : "\(text):\(port)"
    }

    /// `tcp 192.0.2.1:40000 -> 198.51.100.10:5061 in eth0 state new flags syn`
    public var description: String {
        var text = "\(protocolName) \(endpoint(source, sourcePort)) -> \(endpoint(destination, destinationPort))"
        if isICMP { text += " type \(icmpType >> 8) code \(icmpType & 0xff)" }
        if !inInterface.isEmpty { text += " in \(inInterface)" }
        if !outInterface.isEmpty { text += " out \(outInterface)" }
        text += " state \(state)"
        if layer4Protocol == 6 { text += " flags \(Packet.flagNames(tcpFlags))" }
        if mark != 0 { text += " mark 0x\(String(mark, radix: 16))" }
        if translatedDestination != nil || translatedDestinationPort != nil {
            text += " translated to \(endpoint(translatedDestination ?? destination, translatedDestinationPort ?? destinationPort))"
        }
        return text
    }

    static let flagBits: [(String, UInt8)] = [("fin", 1), ("syn", 2), ("rst", 4), ("psh", 8), ("ack", 16), ("urg", 32), ("ece", 64), ("cwr", 128)]

    public static func flagNames(_ flags: UInt8) -> String {
        let names = flagBits.filter { flags & $0.1 != 0 }.map(\.0)
        return names.isEmpty ? "none" : names.joined(separator: ",")
    }
}
