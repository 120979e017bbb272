/// One condition of a rule, in the family-neutral semantic model.
///
/// A rule matches a packet when all its matches hold. Loaders translate their syntax into these
/// conditions; what they cannot translate exactly becomes `.opaque`, never nothing.
public struct Match: Sendable, Hashable, CustomStringConvertible {
    public var condition: Condition
    /// The condition is inverted (`! -s 10.0.0.0/8`). For header fields the packet must still
    /// carry the header: a negated port match never matches a packet without ports.
    public var negated: Bool
    /// The match as the input wrote it, for reports (`-s 192.0.2.0/24`, `-m limit --limit 5/min`).
    public var text: String

    public init(_ condition: Condition, negated: Bool = false, text: String) {
        self.condition = condition
        self.negated = negated
        self.text = text
    }

    public var description: String { text }

    public var isOpaque: Bool { if case .opaque = condition { true } else { false } }

    /// The throttle this match tests, if it is one.
    public var throttle: Throttle? { if case .throttle(let throttle) = condition { throttle } else { nil } }
}

/// Which side of a packet an address or port condition looks at.
public enum PacketSide: String, Sendable, Hashable { case source, destination }

/// Address classes that `addrtype` can test and the analysis can decide.
public enum AddressType: String, Sendable, Hashable, CaseIterable {
    case unspec, unicast, local, broadcast, anycast, multicast, blackhole, unreachable, prohibit, `throw`, nat, xresolve
}

/// The semantic conditions a match can express.
public enum Condition: Sendable, Hashable {
    /// Layer-4 protocol number (`-p tcp` = 6).
    case layer4Protocol(ProtocolSet)
    case address(PacketSide, AddressSet)
    /// Transport port on one side; the packet must be of the rule's port-carrying protocol.
    case port(PacketSide, PortSet)
    /// Either port in the set (`-m multiport --ports`).
    case eitherPort(PortSet)
    case inInterface(InterfacePattern)
    case outInterface(InterfacePattern)
    case connectionState(ConnectionStates)
    /// Whether the packet's connection was translated (`--ctstate DNAT`, `ct status dnat`): its
    /// translation status is one of these values (see `TranslationStatus`).
    case translationStatus(IntervalSet<UInt8>)
    /// nft `ct status dnat`/`snat`: the same test, but on the connection itself: a packet without
    /// one (before connection tracking, untracked) fails it whichever way it is written.
    case connectionTranslationStatus(IntervalSet<UInt8>)
    /// TCP flags: `(flags & mask) == compare`; bit order FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32 ECE=64 CWR=128.
    case tcpFlags(mask: UInt8, compare: UInt8)
    /// ICMP or ICMPv6 type and code, as `type << 8 | code`.
    case icmpType(IntervalSet<UInt16>)
    /// `addrtype`: the address on `side` is of one of `types` (for the exact classes the analysis decides).
    case addressType(PacketSide, Set<AddressType>)
    /// Packet mark: `(mark & mask) == value`.
    case packetMark(value: UInt32, mask: UInt32)
    /// Connection mark: `(ctmark & mask) == value`.
    case connectionMark(value: UInt32, mask: UInt32)
    /// Always true: documentation carried by the rule.
    case comment(String)
    /// A condition the loader does not model exactly; it may or may not match.
    case opaque(OpaqueMatch)
    /// A rate limit, connection limit, recent list, quota or meter: decided by its within-limits
    /// answer, or kept unknown when the analysis is asked to (see `Throttle`).
    case throttle(Throttle)
    /// At least one of the conjunctions holds: a set lookup on concatenated keys
    /// (`ip saddr . tcp dport { 192.0.2.1 . 22, 192.0.2.2 . 80 }`) or a field with several shapes.
    /// Nested unknown conditions share the enclosing match's unknown answer.
    case oneOf([[Match]])
    /// The packet is of this address family (`meta nfproto ipv4` in an nftables `inet` table).
    case addressFamily(AddressFamily)
}

/// A condition fwaudit does not model: the analysis treats it as unknown (both ways).
public struct OpaqueMatch: Sendable, Hashable, CustomStringConvertible {
    /// The module or expression name (`limit`, `recent`, `set`).
    public var module: String
    /// Why it is not modelled, for diagnostics.
    public var reason: String
    /// A per-connection choice (`-m statistic`, kube-proxy's endpoint pick): every answer happens
    /// for some connections, so what follows from either answer is certain, not a doubt.
    public var isChoice: Bool

    public init(module: String, reason: String, isChoice: Bool = false) {
        self.module = module
        self.reason = reason
        self.isChoice = isChoice
    }

    public var description: String { module }
}

extension ProtocolSet {
    /// The protocols whose packets carry source and destination ports, which `.port` conditions
    /// imply: TCP, UDP, SCTP and UDP-Lite.
    public static let withPorts = ProtocolSet(ranges: [6...6, 17...17, 132...132, 136...136])
}

/// What conntrack records of a connection's translation, as one small number: `destination`
/// (DNAT, REDIRECT) and `source` (SNAT, MASQUERADE) bits. A packet without a connection has none.
public enum TranslationStatus {
    public static let destination: UInt8 = 1
    public static let source: UInt8 = 2
    /// Every value the status can take.
    public static let all = IntervalSet<UInt8>(0...3)
    /// The values with any of `bits` set.
    public static func any(of bits: UInt8) -> IntervalSet<UInt8> {
        IntervalSet(ranges: (0...3).filter { $0 & bits != 0 }.map { UInt8($0)...UInt8($0) })
    }
    /// `dnat`, `snat`, `dnat,snat` or `none`.
    public static func describe(_ values: IntervalSet<UInt8>) -> String {
        let names = (0...3).filter { values.contains(UInt8($0)) }.map { value -> String in
            [value & 1 != 0 ? "dnat" : nil, value & 2 != 0 ? "snat" : nil].compactMap { $0 }.joined(separator: "+")
        }.map { $0.isEmpty ? "none" : $0 }
        return names.joined(separator: ",")
    }
}

extension Condition {
    /// `--ctstate` with its virtual states: the connection is in one of `states`, or was
    /// translated in one of the ways `translated` names (`TranslationStatus` bits).
    public static func connectionState(_ states: ConnectionStates, translated: UInt8) -> Condition {
        if translated == 0 { return .connectionState(states) }
        let nat = Condition.translationStatus(TranslationStatus.any(of: translated))
        if states.isEmpty { return nat }
        return .oneOf([[Match(.connectionState(states), text: "")], [Match(nat, text: "")]])
    }
}
