import FirewallModel

/// A packet or connection property an nft expression reads (`payload`, `meta`, `ct`, `fib`),
/// named as nft prints it; both nftables readers resolve their expressions to these.
public indirect enum Field: Sendable, Hashable {
    /// The first bytes of an address (all of them for a full load; fewer make a prefix).
    case address(PacketSide, AddressFamily)
    /// A transport port; `protocolNumber` nil is nft's `th`: no protocol was checked.
    case port(PacketSide, protocolNumber: UInt8?)
    /// The layer-4 protocol: `meta l4proto` (family nil), `ip protocol` (IPv4), `ip6 nexthdr` (IPv6).
    case layer4Protocol(AddressFamily?)
    case tcpFlags
    /// The ICMP or ICMPv6 type byte; a 2-byte read is type and code together.
    case icmpType(AddressFamily)
    /// The ICMP or ICMPv6 code byte.
    case icmpCode(AddressFamily)
    /// `meta nfproto`, or `ct l3proto` when read from the connection: the netfilter family number.
    case netfilterFamily(fromConnection: Bool)
    /// `meta protocol`, or `ether type` when read from the link header: the ethertype.
    case ethertype(fromLinkHeader: Bool)
    case packetMark
    case connectionMark
    case connectionState
    /// `ct status`: the connection's status bits; the model reads its `snat` and `dnat` bits.
    case connectionStatus
    /// `iifname`/`oifname`: 16 NUL-padded bytes; `input` tells which side.
    case interfaceName(input: Bool)
    /// `iif`/`oif`: the interface index.
    case interfaceIndex(input: Bool)
    /// `fib saddr type` / `fib daddr type` with no other key: the route type of an address.
    case fibType(PacketSide)
    /// `numgen random mod N offset K`: a number picked for each packet, so for each connection in
    /// a nat chain (kube-proxy's endpoint pick). Tests on it are per-connection choices.
    case numgen(modulus: UInt32, offset: UInt32)
    /// Anything the model has no condition for, with its nft name (`ct status`, `ip ttl`).
    case opaque(String)
    /// Adjacent fields read at once, as nft merges them (`udp sport 68 udp dport 67` is one 4-byte load).
    case composite([Part])

    /// One field of a merged read and its byte length.
    public struct Part: Sendable, Hashable {
        public var field: Field
        public var length: Int

        public init(field: Field, length: Int) {
            self.field = field
            self.length = length
        }
    }

    /// The protocols nft has port fields for (`tcp dport`, `dccp sport`, …).
    public static let portProtocols: [UInt8] = [IPProtocol.tcp, IPProtocol.udp, IPProtocol.sctp, IPProtocol.udplite, IPProtocol.dccp]

    /// The field as nft names it in rules.
    public var name: String {
        switch self {
        case .address(let side, let family):
            return "\(family == .ipv4 ? "ip" : "ip6") \(side == .source ? "saddr" : "daddr")"
        case .port(let side, let number):
            let proto = number.flatMap { Field.portProtocols.contains($0) ? IPProtocol.name(of: $0) : nil } ?? "th"
            return "\(proto) \(side == .source ? "sport" : "dport")"
        case .layer4Protocol(let family):
            return family == nil ? "meta l4proto" : family == .ipv4 ? "ip protocol" : "ip6 nexthdr"
        case .tcpFlags: return "tcp flags"
        case .icmpType(let family): return "\(family == .ipv4 ? "icmp" : "icmpv6") type"
        case .icmpCode(let family): return "\(family == .ipv4 ? "icmp" : "icmpv6") code"
        case .netfilterFamily(let fromConnection): return fromConnection ? "ct l3proto" : "meta nfproto"
        case .ethertype(let fromLinkHeader): return fromLinkHeader ? "ether type" : "meta protocol"
        case .packetMark: return "meta mark"
        case .connectionMark: return "ct mark"
        case .connectionState: return "ct state"
        case .connectionStatus: return "ct status"
        case .interfaceName(let input): return input ? "iifname" : "oifname"
        case .interfaceIndex(let input): return input ? "iif" : "oif"
        case .fibType(let side): return "fib \(side == .source ? "saddr" : "daddr") type"
        case .numgen(let modulus, let offset): return "numgen mod \(modulus)" + (offset != 0 ? " offset \(offset)" : "")
        case .opaque(let name): return name
        case .composite(let parts): return parts.map(\.field.name).joined(separator: " . ")
        }
    }

    /// The values of a numeric field, when the field is compared as one number.
    public var numericDomain: ClosedRange<UInt128>? {
        switch self {
        case .address(_, let family): family.domain
        case .port: 0...0xffff
        case .layer4Protocol, .icmpType, .icmpCode, .tcpFlags: 0...0xff
        case .packetMark, .connectionMark: 0...0xffff_ffff
        default: nil
        }
    }
}
