/// A set of unsigned integers kept as sorted, disjoint, non-adjacent closed ranges.
///
/// The value sets of packet fields (addresses, ports, protocols, ICMP types) are all of this
/// shape; negation is the complement within the field's domain. Most sets are empty or one
/// range (a port, a prefix, every value): those are held inline, so copying a packet box of a
/// dozen fields allocates and counts references for none of them.
@frozen
public struct IntervalSet<Bound: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable, Hashable {
    /// Canonical: `.none` when empty, `.one` for exactly one range, `.many` for two or more.
    @usableFromInline
    enum Storage: Sendable {
        case none
        case one(ClosedRange<Bound>)
        case many([ClosedRange<Bound>])
    }

    @usableFromInline var storage: Storage

    /// Sorted, disjoint and non-adjacent.
    @inlinable public var ranges: [ClosedRange<Bound>] {
        switch storage {
        case .none: []
        case .one(let range): [range]
        case .many(let ranges): ranges
        }
    }

    @inlinable public init() { storage = .none }

    @inlinable public init(_ range: ClosedRange<Bound>) { storage = .one(range) }

    @inlinable public init(value: Bound) { storage = .one(value...value) }

    @inlinable
    public init<S: Sequence>(ranges input: S) where S.Element == ClosedRange<Bound> {
        self.init(normalized: IntervalSet.normalized(Array(input)))
    }

    /// Ranges already sorted, disjoint and non-adjacent.
    @inlinable @usableFromInline init(normalized ranges: [ClosedRange<Bound>]) {
        switch ranges.count {
        case 0: storage = .none
        case 1: storage = .one(ranges[0])
        default: storage = .many(ranges)
        }
    }

    @inlinable @usableFromInline init(storage: Storage) { self.storage = storage }

    /// The same values as numbers of another type that holds them all (ports as 128-bit numbers,
    /// and back): inline sets stay inline, and the ranges stay sorted and apart.
    @inlinable
    public func converted<Other>(to _: Other.Type = Other.self) -> IntervalSet<Other> {
        // The same type: the set as it is, storage shared (a blocklist of a million addresses is not copied).
        if Other.self == Bound.self { return unsafeBitCast(self, to: IntervalSet<Other>.self) }
        switch storage {
        case .none: return IntervalSet<Other>()
        case .one(let range): return IntervalSet<Other>(Other(range.lowerBound)...Other(range.upperBound))
        case .many(let ranges): return IntervalSet<Other>(storage: .many(ranges.map { Other($0.lowerBound)...Other($0.upperBound) }))
        }
    }

    /// Every value of the type.
    @inlinable public static var full: IntervalSet { IntervalSet(Bound.min...Bound.max) }
    @inlinable public static var empty: IntervalSet { IntervalSet() }

    @inlinable public var isEmpty: Bool {
        if case .none = storage { return true }
        return false
    }

    /// The set's range when it holds exactly one, read in place.
    @inlinable public var onlyRange: ClosedRange<Bound>? {
        if case .one(let range) = storage { return range }
        return nil
    }

    /// How many ranges the set holds.
    @inlinable public var rangeCount: Int {
        switch storage {
        case .none: 0
        case .one: 1
        case .many(let ranges): ranges.count
        }
    }

    /// Calls `body` with each range in order, without building an array for an inline set.
    @inlinable
    public func forEachRange(_ body: (ClosedRange<Bound>) -> Void) {
        switch storage {
        case .none: break
        case .one(let range): body(range)
        case .many(let ranges): for range in ranges { body(range) }
        }
    }

    /// Calls `body` with the ranges in place, without building an array for an inline set.
    @inlinable @inline(__always)
    func withRanges<Result>(_ body: (UnsafeBufferPointer<ClosedRange<Bound>>) -> Result) -> Result {
        switch storage {
        case .none:
            return body(UnsafeBufferPointer(start: nil, count: 0))
        case .one(let range):
            return withUnsafePointer(to: range) { body(UnsafeBufferPointer(start: $0, count: 1)) }
        case .many(let ranges):
            return ranges.withUnsafeBufferPointer(body)
        }
    }

    /// Equal sets have equal ranges (the storage is canonical); compared in place, specialised.
    @inlinable
    public static func == (lhs: IntervalSet, rhs: IntervalSet) -> Bool {
        switch (lhs.storage, rhs.storage) {
        case (.none, .none): return true
        case (.one(let a), .one(let b)): return a == b
        case (.many(let a), .many(let b)): return a == b
        default: return false
        }
    }

    /// Hashes the number of ranges, at most `hashedRanges` of them spread evenly, and the last: a
    /// set of a million ranges (a blocklist) hashes as fast as a few, and equal sets still hash
    /// alike. Small sets that differ in an inner range (a blocklist's rest around each address)
    /// hash apart, which keeps grouping them by hash linear.
    @inlinable
    public func hash(into hasher: inout Hasher) {
        withRanges { ranges in
            hasher.combine(ranges.count)
            let step = Swift.max(1, (ranges.count + IntervalSet.hashedRanges - 1) / IntervalSet.hashedRanges)
            var index = 0
            while index < ranges.count {
                hasher.combine(ranges[index].lowerBound)
                hasher.combine(ranges[index].upperBound)
                index += step
            }
            if let last = ranges.last { hasher.combine(last.upperBound) }
        }
    }

    /// Ranges a hash reads at most (about).
    @usableFromInline static var hashedRanges: Int { 16 }

    @inlinable
    public func isFull(in domain: ClosedRange<Bound> = Bound.min...Bound.max) -> Bool {
        guard case .one(let range) = storage else { return false }
        return range.lowerBound <= domain.lowerBound && range.upperBound >= domain.upperBound
    }

    @inlinable public var min: Bound? {
        switch storage {
        case .none: nil
        case .one(let range): range.lowerBound
        case .many(let ranges): ranges[0].lowerBound
        }
    }

    @inlinable
    public func contains(_ value: Bound) -> Bool {
        withRanges { ranges in
            let index = IntervalSet.firstRange(in: ranges, endingAtOrAfter: value)
            return index < ranges.count && ranges[index].lowerBound <= value
        }
    }

    /// The index of the first range that ends at or after `value` (`ranges.count` when none).
    @inlinable @inline(__always) @usableFromInline
    static func firstRange(in ranges: UnsafeBufferPointer<ClosedRange<Bound>>, endingAtOrAfter value: Bound) -> Int {
        var low = 0, high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].upperBound < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Collects result ranges, inline while there is at most one. From the second range on they
    /// go to one array, which becomes the set's storage as it is: a result of a million ranges is
    /// built once, not copied again.
    @usableFromInline
    struct Builder {
        @usableFromInline var first: ClosedRange<Bound>?
        /// Every range, the first included, once there are two or more.
        @usableFromInline var all: [ClosedRange<Bound>] = []

        /// A builder that expects up to `capacity` ranges: one allocation for a large result. Give
        /// a bound the result can reach, not a guess: a result keeps the capacity it was built with.
        @inlinable init(expecting capacity: Int) {
            if capacity > Builder.reservedFrom { all.reserveCapacity(capacity) }
        }

        /// Below this many expected ranges the array grows as it goes: small results stay small.
        @inlinable static var reservedFrom: Int { 4096 }

        @inlinable mutating func append(_ range: ClosedRange<Bound>) {
            if !all.isEmpty {
                all.append(range)
            } else if let first {
                all.append(first)
                all.append(range)
            } else {
                first = range
            }
        }

        /// Appends `range`, joined to the last range when they touch or overlap (input in ascending lower bounds).
        @inlinable mutating func merge(_ range: ClosedRange<Bound>) {
            guard let firstRange = first else {
                first = range
                return
            }
            let last = all.last ?? firstRange
            if last.upperBound == Bound.max || range.lowerBound <= last.upperBound + 1 {
                guard range.upperBound > last.upperBound else { return }
                let joined = last.lowerBound...range.upperBound
                if all.isEmpty { first = joined } else { all[all.count - 1] = joined }
            } else {
                append(range)
            }
        }

        @inlinable var set: IntervalSet {
            guard let first else { return IntervalSet() }
            if all.isEmpty { return IntervalSet(first) }
            return IntervalSet(storage: .many(all))
        }
    }

    /// One merge of both sorted lists: linear, no sorting.
    @inlinable
    public func union(_ other: IntervalSet) -> IntervalSet {
        if other.isEmpty { return self }
        if isEmpty { return other }
        return withRanges { a in
            other.withRanges { b in
                var result = Builder(expecting: a.count + b.count)
                var i = 0, j = 0
                while i < a.count || j < b.count {
                    if j == b.count || (i < a.count && a[i].lowerBound <= b[j].lowerBound) {
                        result.merge(a[i]); i += 1
                    } else {
                        result.merge(b[j]); j += 1
                    }
                }
                return result.set
            }
        }
    }

    /// Starts where the other set's first range could overlap, so a small set against a large one
    /// costs a binary search and the overlap only.
    @inlinable
    public func intersection(_ other: IntervalSet) -> IntervalSet {
        if isEmpty || other.isEmpty { return IntervalSet() }
        if case .one(let a) = storage, case .one(let b) = other.storage {
            let low = Swift.max(a.lowerBound, b.lowerBound), high = Swift.min(a.upperBound, b.upperBound)
            return low <= high ? IntervalSet(low...high) : IntervalSet()
        }
        // One range holding the other set whole leaves that set as it is, storage shared: a blocklist
        // of a million ranges met by every address is not copied.
        if case .one(let a) = storage, other.withRanges({ a.lowerBound <= $0[0].lowerBound && $0[$0.count - 1].upperBound <= a.upperBound }) {
            return other
        }
        if case .one(let b) = other.storage, withRanges({ b.lowerBound <= $0[0].lowerBound && $0[$0.count - 1].upperBound <= b.upperBound }) {
            return self
        }
        if other.rangeCount < rangeCount { return other.intersection(self) }
        return withRanges { a in
            other.withRanges { b in
                // A large set inside a few ranges (a blocklist met by every address but the host's
                // own) is left as it is too.
                if a.count * 16 < b.count && IntervalSet.lies(b, within: a) { return other }
                var result = Builder(expecting: a.count + IntervalSet.rangesMeeting(span: a, in: b))
                var i = 0
                var j = IntervalSet.firstRange(in: b, endingAtOrAfter: a[0].lowerBound)
                while i < a.count && j < b.count {
                    let low = Swift.max(a[i].lowerBound, b[j].lowerBound)
                    let high = Swift.min(a[i].upperBound, b[j].upperBound)
                    if low <= high { result.append(low...high) }
                    if a[i].upperBound < b[j].upperBound {
                        i += 1
                        if i < a.count && a[i].lowerBound > b[j].upperBound {
                            j = IntervalSet.firstRange(in: b, endingAtOrAfter: a[i].lowerBound)
                        }
                    } else {
                        j += 1
                    }
                }
                return result.set
            }
        }
    }

    /// How many ranges of `ranges` meet the span from the first to the last range of `span`: two
    /// binary searches. What an intersection or a subtraction of `span`'s set can gain from them.
    @inlinable @usableFromInline
    static func rangesMeeting(span: UnsafeBufferPointer<ClosedRange<Bound>>, in ranges: UnsafeBufferPointer<ClosedRange<Bound>>) -> Int {
        guard let first = span.first, let last = span.last else { return 0 }
        let start = IntervalSet.firstRange(in: ranges, endingAtOrAfter: first.lowerBound)
        // The first range starting after the span ends: the first ending at or after its end, or the one after.
        var end = IntervalSet.firstRange(in: ranges, endingAtOrAfter: last.upperBound)
        if end < ranges.count && ranges[end].lowerBound <= last.upperBound { end += 1 }
        return end - start
    }

    /// Whether every range of `inner` lies within a range of `outer`: a binary search per gap of `outer`.
    @inlinable @usableFromInline
    static func lies(_ inner: UnsafeBufferPointer<ClosedRange<Bound>>, within outer: UnsafeBufferPointer<ClosedRange<Bound>>) -> Bool {
        guard let innerFirst = inner.first, let innerLast = inner.last, let outerFirst = outer.first, let outerLast = outer.last,
              outerFirst.lowerBound <= innerFirst.lowerBound, innerLast.upperBound <= outerLast.upperBound else { return false }
        for index in outer.indices.dropFirst() {
            // The gap between two ranges is never empty: ranges are not adjacent.
            let j = IntervalSet.firstRange(in: inner, endingAtOrAfter: outer[index - 1].upperBound + 1)
            if j < inner.count && inner[j].lowerBound < outer[index].lowerBound { return false }
        }
        return true
    }

    /// Whether any value is in both sets, without building the intersection.
    @inlinable
    public func overlaps(_ other: IntervalSet) -> Bool {
        if isEmpty || other.isEmpty { return false }
        if other.rangeCount < rangeCount { return other.overlaps(self) }
        return withRanges { a in
            other.withRanges { b in
                for range in a {
                    let j = IntervalSet.firstRange(in: b, endingAtOrAfter: range.lowerBound)
                    if j < b.count && b[j].lowerBound <= range.upperBound { return true }
                }
                return false
            }
        }
    }

    /// The values of `domain` not in this set.
    @inlinable
    public func complement(in domain: ClosedRange<Bound> = Bound.min...Bound.max) -> IntervalSet {
        withRanges { ranges in
            var result = Builder(expecting: ranges.count + 1)
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
            return result.set
        }
    }

    /// One pass over both lists; ranges of this set that `other` does not touch are copied whole.
    @inlinable
    public func subtracting(_ other: IntervalSet) -> IntervalSet {
        if other.isEmpty || isEmpty { return self }
        // A few ranges that miss a large set leave it as it is, storage shared.
        if other.rangeCount * 16 < rangeCount && !overlaps(other) { return self }
        return withRanges { a in
            other.withRanges { b in
                var result = Builder(expecting: a.count + IntervalSet.rangesMeeting(span: a, in: b))
                var j = 0
                for range in a {
                    var low = range.lowerBound
                    var alive = true
                    while j < b.count && b[j].upperBound < low { j += 1 }
                    var k = j
                    while alive && k < b.count && b[k].lowerBound <= range.upperBound {
                        let cut = b[k]
                        if cut.lowerBound > low { result.append(low...(cut.lowerBound - 1)) }
                        if cut.upperBound >= range.upperBound { alive = false } else { low = cut.upperBound + 1; k += 1 }
                    }
                    if alive { result.append(low...range.upperBound) }
                    j = k
                }
                return result.set
            }
        }
    }

    @inlinable
    public func isSubset(of other: IntervalSet) -> Bool {
        withRanges { a in
            other.withRanges { b in
                for range in a {
                    let j = IntervalSet.firstRange(in: b, endingAtOrAfter: range.lowerBound)
                    if j == b.count || b[j].lowerBound > range.lowerBound || b[j].upperBound < range.upperBound { return false }
                }
                return true
            }
        }
    }

    @inlinable public func isDisjoint(with other: IntervalSet) -> Bool { !overlaps(other) }

    /// How many values the set holds, saturating at `UInt128.max`... as a Double for display.
    @inlinable
    public var approximateCount: Double {
        withRanges { ranges in
            ranges.reduce(0) { total, range in
                // Widths that fit 64 bits convert directly: the generic conversion of a 128-bit
                // width costs more than the sum over a million ranges should.
                let width = range.upperBound - range.lowerBound
                let narrow = UInt64(truncatingIfNeeded: width)
                return total + (Bound(truncatingIfNeeded: narrow) == width ? Double(narrow) : Double(width)) + 1
            }
        }
    }

    @inlinable @usableFromInline
    static func normalized(_ input: [ClosedRange<Bound>]) -> [ClosedRange<Bound>] {
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
