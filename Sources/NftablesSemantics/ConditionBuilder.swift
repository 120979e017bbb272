import FirewallModel

/// Turns "a field holds one of these values" into model conditions, exactly or not at all, with
/// the implicit header checks nft adds; both nftables readers build their matches with it.
///
/// Values come in two forms: integers as the kernel compares them (from bytecode registers, see
/// `condition(_:length:mask:in:)`), or typed values as nft writes them (from JSON, see
/// `condition(_:_:negated:comparison:mask:text:)`). Nil means the model cannot express the test
/// exactly: the reader then makes an opaque match.
public struct ConditionBuilder: Sendable {
    /// The table's family: in `ip`/`ip6` tables the address family needs no check.
    public let tableFamily: TableFamily
    /// Interface indexes to names, for `iif`/`oif` compared as numbers; unknown indexes stay opaque.
    /// Index 1 is `lo` even when the input gave no names (recordings, scripts read without one).
    public let interfaceNames: [UInt32: String]

    /// The loopback interface's index: Linux gives `lo` index 1 in every network namespace
    /// (`LOOPBACK_IFINDEX`), so `iif 1` means `iif "lo"` on any host.
    public static let loopbackIndex: UInt32 = 1

    public init(tableFamily: TableFamily, interfaceNames: [UInt32: String] = [:]) {
        self.tableFamily = tableFamily
        self.interfaceNames = interfaceNames.merging([ConditionBuilder.loopbackIndex: "lo"]) { given, _ in given }
    }

    /// How many single marks a typed comparison may enumerate before it is left opaque.
    static let typedMarkLimit = 64
    /// How many single marks an integer comparison may enumerate before it is left opaque.
    static let integerMarkLimit = 4096

    /// The header checks nft inserts before reading `field` (`tcp dport` needs `meta l4proto tcp`;
    /// `ip saddr` in an inet table needs `meta nfproto ipv4`).
    ///
    /// Dependencies are separate, never negated matches: a negated header match still requires the header.
    public func dependencies(of field: Field) -> [Match] {
        var result: [Match] = []
        func family(_ family: AddressFamily) {
            if tableFamily != .ip && tableFamily != .ip6 {
                result.append(Match(.addressFamily(family), text: "meta nfproto \(family == .ipv4 ? "ipv4" : "ipv6")"))
            }
        }
        func transport(_ number: UInt8) {
            let name = IPProtocol.shortName(of: number) ?? "\(number)"
            result.append(Match(.layer4Protocol(ProtocolSet(value: number)), text: "meta l4proto \(name)"))
        }
        switch field {
        case .address(_, let addressFamily): family(addressFamily)
        case .port(_, let number?): transport(number)
        case .layer4Protocol(let addressFamily?): family(addressFamily)
        case .icmpType(let addressFamily), .icmpCode(let addressFamily):
            family(addressFamily)
            transport(addressFamily == .ipv4 ? IPProtocol.icmp : IPProtocol.icmpv6)
        case .tcpFlags: transport(IPProtocol.tcp)
        default: break
        }
        return result
    }

    /// ICMP `type << 8 | code` ranges for type ranges (every code of each type).
    static func icmpTypes(_ types: [ClosedRange<UInt8>]) -> IntervalSet<UInt16> {
        IntervalSet(ranges: types.map { UInt16($0.lowerBound) << 8...(UInt16($0.upperBound) << 8 | 0xff) })
    }

    /// ICMP `type << 8 | code` ranges for code ranges (under every type).
    static func icmpCodes(_ codes: [ClosedRange<UInt8>]) -> IntervalSet<UInt16> {
        var combined: [ClosedRange<UInt16>] = []
        for type in UInt16(0)...255 {
            for range in codes { combined.append((type << 8 | UInt16(range.lowerBound))...(type << 8 | UInt16(range.upperBound))) }
        }
        return IntervalSet(ranges: combined)
    }
}
