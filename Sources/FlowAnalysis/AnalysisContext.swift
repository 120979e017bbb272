import FirewallModel

/// How the analysis decides throttles (rate limits, connection limits, recent lists, quotas, meters).
public enum ThrottleMode: String, Sendable, Hashable, CaseIterable {
    /// Each throttle takes its within-limits answer (`Throttle.withinLimits`, flipped by `!`):
    /// the audit is about ordinary traffic, and reports name the throttles that decided it.
    case withinLimits
    /// Throttles are unknown conditions, exactly as opaque matches are: both answers stay in view
    /// (the strict switch, `--throttles unknown`).
    case unknown
}

/// What the analysis must know beyond the rules: the family, the host's own addresses, the
/// interface classes in play, and how throttles are decided.
public struct AnalysisContext: Sendable {
    public var family: AddressFamily
    /// Addresses that belong to the audited host (loopback included); routing and
    /// `addrtype LOCAL` are decided with them.
    public var localAddresses: AddressSet
    public var interfaces: InterfaceUniverse
    /// How throttles are decided; the packet-space engine and the interpreter both read it.
    public var throttles: ThrottleMode
    /// Where packets whose destination a nat rule rewrote are routed.
    public var routing = RoutingTable()
    /// The mark values the ruleset can produce, when few enough to decide masked mark tests on.
    public var marks: MarkValues?
    /// The host's own addresses on each interface, where known: REDIRECT sends a connection to
    /// an address of the interface it came in on.
    public var interfaceAddresses: [String: AddressSet] = [:]

    public init(family: AddressFamily, localAddresses: AddressSet, extraInterfaces: [InterfacePattern] = [], ruleset: Ruleset,
                throttles: ThrottleMode = .withinLimits) {
        self.family = family
        self.throttles = throttles
        self.localAddresses = localAddresses.union(AnalysisContext.loopback(family)).intersection(AddressSet(family.domain))
        var patterns = extraInterfaces
        for table in ruleset.tables where table.family.covers(family) {
            for chain in table.chains {
                for rule in chain.rules {
                    for match in rule.matches { AnalysisContext.collectInterfaces(match, into: &patterns) }
                }
            }
        }
        interfaces = InterfaceUniverse(patterns: patterns)
        marks = MarkValues(ruleset: ruleset, family: family)
    }

    /// Where the host sends packets for `destinations` once a translation chose them: its own
    /// addresses through `localInterfaces` (none for what arrives, `lo` for its own packets), the
    /// others as the routing table leads.
    public func routes(_ destinations: AddressSet, local localInterfaces: InterfaceSet)
        -> [(destinations: AddressSet, interfaces: InterfaceSet, isLocal: Bool)] {
        var result: [(destinations: AddressSet, interfaces: InterfaceSet, isLocal: Bool)] = []
        let local = destinations.intersection(localAddresses)
        if !local.isEmpty { result.append((local, localInterfaces, true)) }
        let remote = destinations.subtracting(localAddresses)
        if !remote.isEmpty {
            result += routing.split(remote, interfaces: interfaces).map { ($0.destinations, $0.interfaces, false) }
        }
        return result
    }

    /// Where REDIRECT sends packets that came in on `name`: that interface's addresses when known,
    /// else any of the host's own (loopback aside, unless that is all there is).
    public func redirectAddresses(arrivingOn name: String) -> AddressSet {
        if let known = interfaceAddresses[name], !known.isEmpty { return known }
        let own = localAddresses.subtracting(AnalysisContext.loopback(family))
        return own.isEmpty ? localAddresses : own
    }

    /// The in-interface classes of `set` grouped by where REDIRECT sends their packets.
    func redirectGroups(_ set: InterfaceSet) -> [(interfaces: InterfaceSet, addresses: AddressSet)] {
        var groups: [(interfaces: InterfaceSet, addresses: AddressSet)] = []
        for index in set.indices {
            let addresses = redirectAddresses(arrivingOn: interfaces.isWritten(index) ? interfaces.names[index] : "")
            if let existing = groups.firstIndex(where: { $0.addresses == addresses }) {
                groups[existing].interfaces.insert(index)
            } else {
                var one = InterfaceSet(count: interfaces.count)
                one.insert(index)
                groups.append((one, addresses))
            }
        }
        return groups
    }

    /// The packet mark values with `(mark & mask) == value`: every one when few enough to list,
    /// else those the ruleset can produce; nil when neither is known.
    func packetMarks(value: UInt32, mask: UInt32) -> IntervalSet<UInt32>? {
        maskedValues(value: value, mask: mask) ?? marks.map { MarkValues.matching($0.packet, value: value, mask: mask) }
    }

    /// The same for connection marks.
    func connectionMarks(value: UInt32, mask: UInt32) -> IntervalSet<UInt32>? {
        maskedValues(value: value, mask: mask) ?? marks.map { MarkValues.matching($0.connection, value: value, mask: mask) }
    }

    private static func collectInterfaces(_ match: Match, into patterns: inout [InterfacePattern]) {
        switch match.condition {
        case .inInterface(let pattern), .outInterface(let pattern): patterns.append(pattern)
        case .oneOf(let conjunctions): for inner in conjunctions.joined() { collectInterfaces(inner, into: &patterns) }
        default: break
        }
    }

    public static func loopback(_ family: AddressFamily) -> AddressSet {
        family == .ipv4 ? AddressSet(0x7f00_0000...0x7fff_ffff) : AddressSet(value: 1)
    }

    public static func multicast(_ family: AddressFamily) -> AddressSet {
        family == .ipv4 ? AddressSet(0xe000_0000...0xefff_ffff) : AddressSet((UInt128(0xff) << 120)...UInt128.max)
    }

    /// The ICMP protocol number of the family (1 or 58).
    public var icmpProtocol: UInt8 { family == .ipv4 ? 1 : 58 }

    /// What a throttle match answers: its within-limits answer (negation applied), or nil when
    /// throttles are kept unknown. The one place both engines decide throttles.
    public func throttleAnswer(_ throttle: Throttle, negated: Bool) -> Bool? {
        switch throttles {
        case .withinLimits: throttle.withinLimits != negated
        case .unknown: nil
        }
    }
}

/// Protocols whose packets carry source and destination ports (the model's `ProtocolSet.withPorts`).
public let portProtocols: ProtocolSet = .withPorts

/// The values `x` of a 32-bit field with `(x & mask) == value`, when that set is small enough to list.
func maskedValues(value: UInt32, mask: UInt32) -> IntervalSet<UInt32>? {
    if value & ~mask != 0 { return .empty }
    let free = ~mask
    let lowRun: UInt32 = free & (free &+ 1) == 0 ? free : (UInt32(1) << UInt32((~free).trailingZeroBitCount)) &- 1
    let upperFree = free & ~lowRun
    let freeBits = (0..<32).filter { upperFree >> UInt32($0) & 1 == 1 }
    guard freeBits.count <= 12 else { return nil }
    var ranges: [ClosedRange<UInt32>] = []
    for combination in 0..<(1 << freeBits.count) {
        var base = value
        for (index, bit) in freeBits.enumerated() where combination >> index & 1 == 1 { base |= 1 << UInt32(bit) }
        ranges.append(base...(base | lowRun))
    }
    return IntervalSet(ranges: ranges)
}

/// The TCP flag bytes with `(flags & mask) == compare`.
func tcpFlagValues(mask: UInt8, compare: UInt8) -> IntervalSet<UInt8> {
    IntervalSet(ranges: (0...255).compactMap { (value: Int) -> ClosedRange<UInt8>? in
        UInt8(value) & mask == compare ? UInt8(value)...UInt8(value) : nil
    })
}

/// The connection-tracking state an ICMP or ICMPv6 packet that belongs to no connection gets:
/// only queries open connections; neighbour discovery and MLD are not tracked; everything else
/// (replies, errors, unknown types) is invalid on its own.
public enum ICMPTracking {
    /// Types that open a connection (`ct state new`): echo, timestamp, information and address
    /// mask requests; ICMPv6 echo request and node information query.
    public static func openingTypes(_ family: AddressFamily) -> [UInt8] {
        family == .ipv4 ? [8, 13, 15, 17] : [128, 139]
    }

    /// ICMPv6 types conntrack leaves untracked: MLD queries and reports, router and neighbour
    /// discovery, redirects, MLDv2 reports.
    public static func untrackedTypes(_ family: AddressFamily) -> [UInt8] {
        family == .ipv4 ? [] : [130, 131, 132, 133, 134, 135, 136, 137, 143]
    }

    /// The ICMP type/code values (`type << 8 | code`) of the given types.
    public static func values(_ types: [UInt8]) -> IntervalSet<UInt16> {
        IntervalSet(ranges: types.map { UInt16($0) << 8...(UInt16($0) << 8 | 0xff) })
    }
}
