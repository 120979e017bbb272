import FirewallModel

/// Splits a box of packets among a run of rules by first match, one packet field at a time.
///
/// Rule by rule, a box is cut by each rule in turn and the rest cut again by the next: a chain of
/// ten thousand bans, or of thousands of destination and port pairs, costs the square of its
/// length. Here the rules' boxes are compared field by field instead: on each field the values are
/// cut where any rule's values start or end, the pieces grouped by the rules that hold them, and
/// each group refined on the next field with only those rules. A rule that holds the whole rest of
/// a group ends it (later rules cannot win there), so a catch-all costs nothing. This is the
/// decision tree of the run, read out as boxes: each leaf is one rule's part, or the rest.
///
/// The run's boxes fix no unknown answer (those rules stay on the rule-by-rule path); a box being
/// split keeps its own answers, translations and history untouched.
struct FirstMatchPartition: Sendable {
    /// The run's boxes in rule order, and the rule (its place in the run) each came from.
    let boxes: [PacketBox]
    let owners: [Int]
    /// Each box's values on each field of `PartitionDimension.all`, read once.
    private let values: [[AddressSet]]

    init(boxes: [PacketBox], owners: [Int]) {
        self.boxes = boxes
        self.owners = owners
        values = boxes.map { box in PartitionDimension.all.map { $0.values(box) } }
    }

    /// Each rule's part of `box` (by its place in the run, in leaf order) and the part no rule matches.
    func split(_ box: PacketBox) -> (matched: [(owner: Int, box: PacketBox)], rest: [PacketBox]) {
        var matched: [(owner: Int, box: PacketBox)] = []
        var rest: [PacketBox] = []
        let dimensions = PartitionDimension.all
        let target = dimensions.map { $0.values(box) }
        // Rules that meet the box at all, and from which field on each holds the box entirely.
        var candidates: [Int] = []
        var coverFrom: [Int: Int] = [:]
        for (index, values) in values.enumerated() {
            guard zip(values, target).allSatisfy({ $0.overlaps($1) }) else { continue }
            var from = dimensions.count
            while from > 0 && target[from - 1].isSubset(of: values[from - 1]) { from -= 1 }
            candidates.append(index)
            coverFrom[index] = from
        }
        if candidates.isEmpty { return ([], [box]) }

        /// Refines `region` (fields before `field` already cut) among `candidates`, in rule order.
        func refine(_ region: PacketBox, field: Int, candidates: [Int]) {
            guard let first = candidates.first else {
                rest.append(region)
                return
            }
            if coverFrom[first]! <= field {
                matched.append((owners[first], region))
                return
            }
            let dimension = dimensions[field]
            let current = target[field]
            var whole: [Int] = []
            var events: [(at: UInt128, starts: Bool, index: Int)] = []
            for candidate in candidates {
                let value = values[candidate][field]
                if current.isSubset(of: value) {
                    whole.append(candidate)
                    continue
                }
                for range in value.intersection(current).ranges {
                    events.append((range.lowerBound, true, candidate))
                    if range.upperBound != UInt128.max { events.append((range.upperBound + 1, false, candidate)) }
                }
            }
            if events.isEmpty {
                refine(region, field: field + 1, candidates: PartitionDimension.firstMatches(whole, coverFrom: coverFrom, field: field + 1))
                return
            }
            events.sort { $0.at < $1.at }
            // Pieces of the field's values between consecutive cuts, grouped by the rules holding them.
            var groups: [[Int]: [ClosedRange<UInt128>]] = [:]
            var order: [[Int]] = []
            var active = Set<Int>()
            var next = 0
            for range in current.ranges {
                var start = range.lowerBound
                while true {
                    while next < events.count && events[next].at <= start {
                        if events[next].starts { active.insert(events[next].index) } else { active.remove(events[next].index) }
                        next += 1
                    }
                    var end = range.upperBound
                    if next < events.count && events[next].at <= range.upperBound { end = events[next].at - 1 }
                    let holders = active.sorted()
                    if groups[holders] == nil { order.append(holders) }
                    groups[holders, default: []].append(start...end)
                    if end == range.upperBound { break }
                    start = end + 1
                }
            }
            for holders in order {
                var part = region
                dimension.assign(&part, AddressSet(ranges: groups[holders]!))
                let merged = PartitionDimension.merge(whole, holders)
                refine(part, field: field + 1, candidates: PartitionDimension.firstMatches(merged, coverFrom: coverFrom, field: field + 1))
            }
        }

        refine(box, field: 0, candidates: PartitionDimension.firstMatches(candidates, coverFrom: coverFrom, field: 0))
        return (matched, rest)
    }
}

/// One packet field as the partition sees it: its values as numbered ranges.
struct PartitionDimension: Sendable {
    var values: @Sendable (PacketBox) -> AddressSet
    var assign: @Sendable (inout PacketBox, AddressSet) -> Void

    /// The fields rules match on, in the order the partition cuts them.
    static let all: [PartitionDimension] = [
        integers(\.layer4Protocol), integers(\.destinationPort), addresses(\.destination), addresses(\.source),
        integers(\.sourcePort), integers(\.icmpType), integers(\.tcpFlags),
        PartitionDimension(values: { indexRanges($0.inInterface.indices) },
                           assign: { box, set in box.inInterface = box.inInterface.keeping(set.ranges) }),
        PartitionDimension(values: { indexRanges($0.outInterface.indices) },
                           assign: { box, set in box.outInterface = box.outInterface.keeping(set.ranges) }),
        PartitionDimension(values: { box in indexRanges((0..<8).filter { box.state.rawValue >> $0 & 1 == 1 }) },
                           assign: { box, set in
                               box.state = ConnectionStates(rawValue: (0..<8).filter { set.contains(UInt128($0)) }.reduce(0) { $0 | 1 << $1 })
                           }),
        integers(\.mark), integers(\.connectionMark), integers(\.translation),
    ]

    static func addresses(_ key: WritableKeyPath<PacketBox, AddressSet> & Sendable) -> PartitionDimension {
        PartitionDimension(values: { $0[keyPath: key] }, assign: { $0[keyPath: key] = $1 })
    }

    static func integers<Bound>(_ key: WritableKeyPath<PacketBox, IntervalSet<Bound>> & Sendable) -> PartitionDimension {
        PartitionDimension(
            values: { AddressSet(ranges: $0[keyPath: key].ranges.map { UInt128($0.lowerBound)...UInt128($0.upperBound) }) },
            assign: { $0[keyPath: key] = IntervalSet(ranges: $1.ranges.map { Bound($0.lowerBound)...Bound($0.upperBound) }) })
    }

    static func indexRanges(_ indices: [Int]) -> AddressSet {
        AddressSet(ranges: indices.map { UInt128($0)...UInt128($0) })
    }

    /// Two ascending lists of rule boxes as one.
    static func merge(_ a: [Int], _ b: [Int]) -> [Int] {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        var result: [Int] = []
        result.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) { result.append(a[i]); i += 1 } else { result.append(b[j]); j += 1 }
        }
        return result
    }

    /// The candidates up to the first that holds every field from `field` on: later ones never match first.
    static func firstMatches(_ candidates: [Int], coverFrom: [Int: Int], field: Int) -> [Int] {
        guard let stop = candidates.firstIndex(where: { coverFrom[$0]! <= field }) else { return candidates }
        return Array(candidates[...stop])
    }
}

extension InterfaceSet {
    /// The members whose index lies in `ranges`.
    func keeping(_ ranges: [ClosedRange<UInt128>]) -> InterfaceSet {
        var result = self
        for index in indices where !ranges.contains(where: { $0.contains(UInt128(index)) }) { result.remove(index) }
        return result
    }
}
