import Foundation
import FirewallModel
import FlowAnalysis
import PortMatrix

/// The notation reports and waivers use for a finding's values: matrix syntax for protocols and
/// ports (`tcp`, `5061`, `50000-59999`), address syntax for addresses, `-` where there are none.
extension TrafficSpace {
    /// `tcp`, `tcp,udp`, `any`, or a range of numbers for wide unnamed ranges.
    public var protocolsText: String {
        // Every protocol the family carries reads as `any`: ICMP of the other family is out of scope.
        let otherICMP = ProtocolSet(value: family == .ipv4 ? IPProtocol.icmpv6 : IPProtocol.icmp)
        if ProtocolSet.full.subtracting(otherICMP).isSubset(of: protocols) { return "any" }
        return SpaceDescription.protocolText(protocols)
    }
    public var sourcesText: String { sources.summarySyntax(family: family) }
    public var destinationsText: String { destinations.summarySyntax(family: family) }
    public var sourcePortsText: String { sourcePorts?.portSyntax ?? "-" }
    public var destinationPortsText: String { destinationPorts?.portSyntax ?? "-" }
    /// `type 8`, `types 0,3,11` or `types 0-127` (codes left out when every code is in); nil
    /// when every ICMP type is in or the space has no ICMP.
    public var icmpTypesText: String? {
        guard let icmpTypes, !icmpTypes.isFull() else { return nil }
        let types = IntervalSet<UInt16>(ranges: icmpTypes.ranges.map { ($0.lowerBound >> 8)...($0.upperBound >> 8) })
        let text = types.ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
        return (types.ranges.count == 1 && types.ranges[0].count == 1 ? "type " : "types ") + text.joined(separator: ",")
    }
}

extension Finding {
    /// The documented flow's protocol, or the protocols accepted.
    public var protocolText: String { flow?.protocol.rawValue ?? space.protocolsText }

    /// The documented flow's ports (`any` for a flow without ports), or the destination ports accepted.
    public var portsText: String {
        if let flow { return flow.portsText ?? "any" }
        return space.destinationPortsText
    }
}

extension AddressSet {
    /// How many ranges a report lists before it summarises the rest: no report grows with the
    /// size of a blocklist.
    public static let listedRanges = 8

    /// Address syntax (`192.0.2.0/24`, `any except 10.0.0.0/8`) with at most `listedRanges`
    /// ranges, the rest counted: `any except 192.0.2.1,192.0.2.3, … and 999998 more ranges (999998 addresses)`.
    public func summarySyntax(family: AddressFamily) -> String {
        if isFull(in: family.domain) { return "any" }
        let missing = complement(in: family.domain)
        if missing.ranges.count < ranges.count { return "any except " + missing.listed(family: family) }
        return listed(family: family)
    }

    private func listed(family: AddressFamily) -> String {
        guard ranges.count > AddressSet.listedRanges else { return addressSyntax(family: family) }
        let shown = AddressSet(ranges: ranges.prefix(AddressSet.listedRanges))
        let rest = subtracting(shown)
        return shown.addressSyntax(family: family) + ", … and \(rest.ranges.count) more ranges (\(AddressCount.text(rest.approximateCount)) addresses)"
    }
}

/// Counts of addresses as reports print them: exact up to 2^53, a power of two beyond.
public enum AddressCount {
    /// Whether a count is exact as a double (below 2^53).
    public static func isExact(_ value: Double) -> Bool { value < 9_007_199_254_740_992 }

    public static func text(_ value: Double) -> String {
        if isExact(value) { return String(UInt64(value)) }
        return "2^\(Int(log2(value).rounded()))"
    }
}
