import FirewallModel
import NftablesBytecode

/// A packet or connection property that a register holds after a load, named as nft prints it.
///
/// The delinearizer resolves every load to a field once, using the protocol context known at
/// that point of the program; comparisons and lookups then turn values of the field into conditions.
indirect enum Field: Sendable, Hashable {
    /// The first bytes of an address (all of them for a full load; fewer make a prefix).
    case address(PacketSide, AddressFamily)
    /// A transport port; `protocolNumber` nil is nft's `th`: no protocol was checked.
    case port(PacketSide, protocolNumber: UInt8?)
    /// The layer-4 protocol (`meta l4proto`, `ip protocol`, `ip6 nexthdr`).
    case layer4Protocol(String)
    case tcpFlags
    /// ICMP or ICMPv6 bytes at the start of the header: 1-byte type, 1-byte code or both.
    case icmp(AddressFamily, offset: Int)
    /// `meta nfproto` / `ct l3protocol`: the netfilter family number.
    case netfilterFamily(String)
    /// `meta protocol` / `ether type`: the ethertype, in network order.
    case ethertype(String)
    case mark
    case connectionMark
    case connectionState
    /// `iifname`/`oifname`: 16 NUL-padded bytes; `input` tells which side.
    case interfaceName(input: Bool)
    /// `iif`/`oif`: the interface index, in host order.
    case interfaceIndex(input: Bool)
    /// `fib saddr type` / `fib daddr type` with no other key: the route type of an address.
    case fibType(PacketSide)
    /// Data an `immediate` put into the register.
    case immediate(Bytes)
    /// Anything the model has no condition for, with its nft name (`ct status`, `ip ttl`).
    case opaque(String)
    /// Adjacent fields read by one load, as nft merges them (`udp sport 68 udp dport 67` is one 4-byte load).
    case composite([Part])

    /// One field of a merged load and its byte length.
    struct Part: Sendable, Hashable {
        var field: Field
        var length: Int
    }

    /// The name of a register value written by an expression the IR has no case for.
    static let unknownResult = "result of an unknown expression"

    /// Whether the kernel holds the value in host byte order (little-endian here).
    var isHostOrder: Bool {
        switch self {
        case .mark, .connectionMark, .connectionState, .interfaceIndex, .fibType: true
        default: false
        }
    }

    /// The field as nft names it in rules.
    var name: String {
        switch self {
        case .address(let side, let family):
            return "\(family == .ipv4 ? "ip" : "ip6") \(side == .source ? "saddr" : "daddr")"
        case .port(let side, let number):
            let names: [UInt8: String] = [6: "tcp", 17: "udp", 132: "sctp", 136: "udplite", 33: "dccp"]
            return "\(number.flatMap { names[$0] } ?? "th") \(side == .source ? "sport" : "dport")"
        case .layer4Protocol(let name), .netfilterFamily(let name), .ethertype(let name), .opaque(let name):
            return name
        case .tcpFlags: return "tcp flags"
        case .icmp(let family, let offset):
            let prefix = family == .ipv4 ? "icmp" : "icmpv6"
            return offset == 0 ? "\(prefix) type" : "\(prefix) code"
        case .mark: return "meta mark"
        case .connectionMark: return "ct mark"
        case .connectionState: return "ct state"
        case .interfaceName(let input): return input ? "iifname" : "oifname"
        case .interfaceIndex(let input): return input ? "iif" : "oif"
        case .fibType(let side): return "fib \(side == .source ? "saddr" : "daddr") type"
        case .immediate(let bytes): return bytes.description
        case .composite(let parts): return parts.map(\.field.name).joined(separator: " . ")
        }
    }
}

/// What one register word holds: a field, how many bytes of it, and any mask or byte swap applied.
struct RegisterValue: Sendable, Hashable {
    var field: Field
    /// Bytes loaded.
    var length: Int
    /// `bitwise` mask-and-xor applied after the load.
    var mask: Bytes?
    var xor: Bytes?
    /// A `byteorder` expression converted the value; host-order fields are then in network order.
    var swapped = false
    /// The index of the match that established the protocol context this load relied on.
    var dependency: Int?

    /// The bytes of a comparison operand read as an integer the way this register holds them.
    func integer(_ bytes: Bytes) -> UInt128 {
        let data = Array(bytes.bytes.prefix(length))
        let ordered = field.isHostOrder && !swapped ? data.reversed() : data
        return ordered.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
    }

    /// The largest integer the loaded bytes can hold.
    var maximum: UInt128 { length >= 16 ? UInt128.max : (UInt128(1) << UInt128(8 * length)) - 1 }
}
