/// A set of unsigned integers kept as sorted, disjoint, non-adjacent closed ranges.
///
/// The value sets of packet fields (addresses, ports, protocols, ICMP types) are all of this
/// shape; negation is the complement within the field's domain.
public struct IntervalSet<Bound: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable, Hashable {
    /// Sorted, disjoint and non-adjacent.
    public private(set) var ranges: [ClosedRange<Bound>]

    public init() { ranges = [] }

    public init(_ range: ClosedRange<Bound>) { ranges = [range] }

    public init(value: Bound) { ranges = [value...value] }

    public init<S: Sequence>(ranges input: S) where S.Element == ClosedRange<Bound> {
        ranges = IntervalSet.normalized(Array(input))
    }

    /// Every value of the type.
    public static var full: IntervalSet { IntervalSet(Bound.min...Bound.max) }
    public static var empty: IntervalSet { IntervalSet() }

    public var isEmpty: Bool { ranges.isEmpty }

    public func isFull(in domain: ClosedRange<Bound> = Bound.min...Bound.max) -> Bool {
        ranges.count == 1 && ranges[0].lowerBound <= domain.lowerBound && ranges[0].upperBound >= domain.upperBound
    }

    public var min: Bound? { ranges.first?.lowerBound }

    public func contains(_ value: Bound) -> Bool {
        var low = 0, high = ranges.count - 1
        while low <= high {
            let mid = (low + high) / 2
            let range = ranges[mid]
            if value < range.lowerBound { high = mid - 1 } else if value > range.upperBound { low = mid + 1 } else { return true }
        }
        return false
    }

    public func union(_ other: IntervalSet) -> IntervalSet {
        if other.ranges.isEmpty { return self }
        if ranges.isEmpty { return other }
        return IntervalSet(ranges: ranges + other.ranges)
    }

    public func intersection(_ other: IntervalSet) -> IntervalSet {
        var result: [ClosedRange<Bound>] = []
        var i = 0, j = 0
        while i < ranges.count && j < other.ranges.count {
            let a = ranges[i], b = other.ranges[j]
            let low = Swift.max(a.lowerBound, b.lowerBound)
            let high = Swift.min(a.upperBound, b.upperBound)
            if low <= high { result.append(low...high) }
            if a.upperBound < b.upperBound { i += 1 } else { j += 1 }
        }
        var set = IntervalSet()
        set.ranges = result
        return set
    }

    /// The values of `domain` not in this set.
    public func complement(in domain: ClosedRange<Bound> = Bound.min...Bound.max) -> IntervalSet {
        var result: [ClosedRange<Bound>] = []
        var next = domain.lowerBound
        var exhausted = false
        for range in ranges {
            if range.upperBound < domain.lowerBound { continue }
            if range.lowerBound > domain.upperBound { break }
            if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
            if range.upperBound >= domain.upperBound { exhausted = true; break }
            next = range.upperBound + 1
        }
        if !exhausted { result.append(next...domain.upperBound) }
        var set = IntervalSet()
        set.ranges = result
        return set
    }

    public func subtracting(_ other: IntervalSet) -> IntervalSet {
        if other.ranges.isEmpty || ranges.isEmpty { return self }
        return intersection(other.complement())
    }

    public func isSubset(of other: IntervalSet) -> Bool { subtracting(other).isEmpty }

    public func isDisjoint(with other: IntervalSet) -> Bool { intersection(other).isEmpty }

    /// How many values the set holds, saturating at `UInt128.max`... as a Double for display.
    public var approximateCount: Double {
        ranges.reduce(0) { $0 + Double($1.upperBound - $1.lowerBound) + 1 }
    }

    private static func normalized(_ input: [ClosedRange<Bound>]) -> [ClosedRange<Bound>] {
        let sorted = input.sorted { $0.lowerBound < $1.lowerBound }
        var result: [ClosedRange<Bound>] = []
        for range in sorted {
            if let last = result.last, last.upperBound == Bound.max || range.lowerBound <= last.upperBound + 1 {
                if range.upperBound > last.upperBound {
                    result[result.count - 1] = last.lowerBound...range.upperBound
                }
            } else {
                result.append(range)
            }
        }
        return result
    }
}

public typealias PortSet = IntervalSet<UInt16>
public typealias ProtocolSet = IntervalSet<UInt8>
/// Addresses of either family; IPv4 addresses use the low 32 bits.
public typealias AddressSet = IntervalSet<UInt128>

extension IntervalSet where Bound == UInt16 {
    /// The port matrix's syntax: `22`, `80,443`, `50000-59999`; `any` for every port.
    public var portSyntax: String {
        if isFull() { return "any" }
        return ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
            .joined(separator: ",")
    }
}
