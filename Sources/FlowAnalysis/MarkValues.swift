import FirewallModel

/// The packet and connection mark values a ruleset can give traffic that arrives unmarked: 0,
/// and every value its MARK and CONNMARK rules (nft `meta mark set`, `ct mark set`) make from
/// values already reachable.
///
/// Marks matter only through the rules that test them, so when these sets are small a masked
/// mark test (`-m mark --mark 0x4000/0x4000`, kube-proxy's masquerade bit) is decided exactly on
/// them, where listing every 32-bit value it accepts would be far too many ranges.
public struct MarkValues: Sendable, Hashable {
    public var packet: IntervalSet<UInt32>
    public var connection: IntervalSet<UInt32>

    /// The values of `ruleset`'s rules for `family`; nil when there are more than
    /// `EngineLimits.markValues` (marks are then left to the masks alone).
    public init?(ruleset: Ruleset, family: AddressFamily) {
        var packet: Set<UInt32> = [0], connection: Set<UInt32> = [0]
        var actions: [Action] = []
        for table in ruleset.tables where table.family.covers(family) {
            for chain in table.chains {
                for rule in chain.rules {
                    switch rule.action {
                    case .setMark, .connectionMark: actions.append(rule.action)
                    default: break
                    }
                }
            }
        }
        var changed = true
        while changed {
            changed = false
            let before = (packet.count, connection.count)
            for action in actions {
                switch action {
                case .setMark(let value, let mask): packet.formUnion(packet.map { ($0 & ~mask) ^ value })
                case .connectionMark(.set(let value, let mask)): connection.formUnion(connection.map { ($0 & ~mask) ^ value })
                case .connectionMark(.save): connection.formUnion(packet)
                case .connectionMark(.restore): packet.formUnion(connection)
                default: break
                }
                if packet.count > EngineLimits.markValues || connection.count > EngineLimits.markValues { return nil }
            }
            changed = (packet.count, connection.count) != before
        }
        self.packet = IntervalSet(ranges: packet.sorted().map { $0...$0 })
        self.connection = IntervalSet(ranges: connection.sorted().map { $0...$0 })
    }

    /// The values of `values` with `(value & mask) == wanted`.
    static func matching(_ values: IntervalSet<UInt32>, value wanted: UInt32, mask: UInt32) -> IntervalSet<UInt32> {
        IntervalSet(ranges: values.ranges.flatMap { range in range.filter { $0 & mask == wanted }.map { $0...$0 } })
    }
}
