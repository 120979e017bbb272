/// A set of unsigned integers kept as sorted, disjoint, non-adjacent closed ranges.
///
/// The value sets of packet fields (addresses, ports, protocols, ICMP types) are all of this
/// shape; negation is the complement within the field's domain.
@frozen
public struct IntervalSet<Bound: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable, Hashable {
    /// Sorted, disjoint and non-adjacent.
    @inlinable public var ranges: [ClosedRange<Bound>] { storage }
    @usableFromInline var storage: [ClosedRange<Bound>]

    @inlinable public init() { storage = [] }

    @inlinable public init(_ range: ClosedRange<Bound>) { storage = [range] }

    @inlinable public init(value: Bound) { storage = [value...value] }

    @inlinable
    public init<S: Sequence>(ranges input: S) where S.Element == ClosedRange<Bound> {
        storage = IntervalSet.normalized(Array(input))
    }

    /// Ranges already sorted, disjoint and non-adjacent.
    @inlinable @usableFromInline init(normalized ranges: [ClosedRange<Bound>]) { storage = ranges }

    /// Every value of the type.
    @inlinable public static var full: IntervalSet { IntervalSet(Bound.min...Bound.max) }
    @inlinable public static var empty: IntervalSet { IntervalSet() }

    @inlinable public var isEmpty: Bool { ranges.isEmpty }

    /// Hashes the number of ranges and the outer ones only: a set of a million ranges (a blocklist)
    /// hashes as fast as one range, and equal sets still hash alike.
    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.count)
        if let first = storage.first, let last = storage.last {
            hasher.combine(first.lowerBound)
            hasher.combine(first.upperBound)
            hasher.combine(last.lowerBound)
            hasher.combine(last.upperBound)
        }
    }

    @inlinable
    public func isFull(in domain: ClosedRange<Bound> = Bound.min...Bound.max) -> Bool {
        ranges.count == 1 && ranges[0].lowerBound <= domain.lowerBound && ranges[0].upperBound >= domain.upperBound
    }

    @inlinable public var min: Bound? { ranges.first?.lowerBound }

    @inlinable
    public func contains(_ value: Bound) -> Bool {
        var low = 0, high = ranges.count - 1
        while low <= high {
            let mid = (low + high) / 2
            let range = ranges[mid]
            if value < range.lowerBound { high = mid - 1 } else if value > range.upperBound { low = mid + 1 } else { return true }
        }
        return false
    }

    /// The index of the first range that ends at or after `value` (`ranges.count` when none).
    @inlinable @inline(__always)
    @usableFromInline func firstRange(endingAtOrAfter value: Bound) -> Int {
        var low = 0, high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].upperBound < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// One merge of both sorted lists: linear, no sorting.
    @inlinable
    public func union(_ other: IntervalSet) -> IntervalSet {
        if other.ranges.isEmpty { return self }
        if ranges.isEmpty { return other }
        var result: [ClosedRange<Bound>] = []
        result.reserveCapacity(ranges.count + other.ranges.count)
        var i = 0, j = 0
        while i < ranges.count || j < other.ranges.count {
            let next: ClosedRange<Bound>
            if j == other.ranges.count || (i < ranges.count && ranges[i].lowerBound <= other.ranges[j].lowerBound) {
                next = ranges[i]; i += 1
            } else {
                next = other.ranges[j]; j += 1
            }
            if let last = result.last, last.upperBound == Bound.max || next.lowerBound <= last.upperBound + 1 {
                if next.upperBound > last.upperBound { result[result.count - 1] = last.lowerBound...next.upperBound }
            } else {
                result.append(next)
            }
        }
        return IntervalSet(normalized: result)
    }

    /// Starts where the other set's first range could overlap, so a small set against a large one
    /// costs a binary search and the overlap only.
    @inlinable
    public func intersection(_ other: IntervalSet) -> IntervalSet {
        if ranges.isEmpty || other.ranges.isEmpty { return IntervalSet() }
        if other.ranges.count < ranges.count { return other.intersection(self) }
        var result: [ClosedRange<Bound>] = []
        var i = 0
        var j = other.firstRange(endingAtOrAfter: ranges[0].lowerBound)
        while i < ranges.count && j < other.ranges.count {
            let a = ranges[i], b = other.ranges[j]
            let low = Swift.max(a.lowerBound, b.lowerBound)
            let high = Swift.min(a.upperBound, b.upperBound)
            if low <= high { result.append(low...high) }
            if a.upperBound < b.upperBound {
                i += 1
                if i < ranges.count && ranges[i].lowerBound > b.upperBound {
                    j = other.firstRange(endingAtOrAfter: ranges[i].lowerBound)
                }
            } else {
                j += 1
            }
        }
        return IntervalSet(normalized: result)
    }

    /// Whether any value is in both sets, without building the intersection.
    @inlinable
    public func overlaps(_ other: IntervalSet) -> Bool {
        if ranges.isEmpty || other.ranges.isEmpty { return false }
        if other.ranges.count < ranges.count { return other.overlaps(self) }
        for range in ranges {
            let j = other.firstRange(endingAtOrAfter: range.lowerBound)
            if j < other.ranges.count && other.ranges[j].lowerBound <= range.upperBound { return true }
        }
        return false
    }

    /// The values of `domain` not in this set.
    @inlinable
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
        return IntervalSet(normalized: result)
    }

    /// One pass over both lists; ranges of this set that `other` does not touch are copied whole.
    @inlinable
    public func subtracting(_ other: IntervalSet) -> IntervalSet {
        if other.ranges.isEmpty || ranges.isEmpty { return self }
        var result: [ClosedRange<Bound>] = []
        result.reserveCapacity(ranges.count + 1)
        var j = 0
        for range in ranges {
            var low = range.lowerBound
            var alive = true
            while j < other.ranges.count && other.ranges[j].upperBound < low { j += 1 }
            var k = j
            while alive && k < other.ranges.count && other.ranges[k].lowerBound <= range.upperBound {
                let cut = other.ranges[k]
                if cut.lowerBound > low { result.append(low...(cut.lowerBound - 1)) }
                if cut.upperBound >= range.upperBound { alive = false } else { low = cut.upperBound + 1; k += 1 }
            }
            if alive { result.append(low...range.upperBound) }
            j = k
        }
        return IntervalSet(normalized: result)
    }

    @inlinable
    public func isSubset(of other: IntervalSet) -> Bool {
        for range in ranges {
            let j = other.firstRange(endingAtOrAfter: range.lowerBound)
            if j == other.ranges.count || other.ranges[j].lowerBound > range.lowerBound || other.ranges[j].upperBound < range.upperBound {
                return false
            }
        }
        return true
    }

    @inlinable public func isDisjoint(with other: IntervalSet) -> Bool { !overlaps(other) }

    /// How many values the set holds, saturating at `UInt128.max`... as a Double for display.
    @inlinable
    public var approximateCount: Double {
        ranges.reduce(0) { $0 + Double($1.upperBound - $1.lowerBound) + 1 }
    }

    @inlinable
    @usableFromInline static func normalized(_ input: [ClosedRange<Bound>]) -> [ClosedRange<Bound>] {
        var sortedAlready = true
        for index in input.indices.dropFirst() where input[index - 1].lowerBound > input[index].lowerBound {
            sortedAlready = false
            break
        }
        let sorted = sortedAlready ? input : input.sorted { $0.lowerBound < $1.lowerBound }
        var result: [ClosedRange<Bound>] = []
        result.reserveCapacity(sorted.count)
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
