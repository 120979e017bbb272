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
    /// The fields in the order this run cuts them, with each box's values on them read once.
    private let layout: Layout
    /// The boxes by their values on the field that leaves the fewest rules in each piece
    /// (`PartitionDimension.crowding`), so that a box being split meets only the rules that can
    /// match it (one ban of ten thousand, one service of thousands).
    private let indexedField: Int
    private let index: OverlapIndex

    private struct Layout {
        var dimensions: [PacketDimension]
        var values: [[AddressSet]]

        init(order: [Int], standard: [[AddressSet]]) {
            let all = PartitionDimension.all
            dimensions = order.map { all[$0] }
            values = standard.map { row in order.map { row[$0] } }
        }
    }

    /// Builds the run's decision tree. The order of fields decides how many pieces it has: a
    /// blocklist of source and port pairs ahead of a verdict map on sources, cut by port first,
    /// gives every port a piece for every zone of the map; kube-proxy's services, cut by address
    /// first, leave every address its rest of ports. So for a large run two orders are tried on
    /// the run's own hull and the one with fewer pieces kept: fewest distinct values first, and
    /// least crowded first. Equal fields keep the order of `PartitionDimension.all`.
    init(boxes: [PacketBox], owners: [Int]) {
        self.boxes = boxes
        self.owners = owners
        let all = PartitionDimension.all
        let standard = boxes.map { box in all.map { $0.numbered(box) } }
        let distinct = all.indices.map { field in
            standard.allSatisfy { $0[field] == standard[0][field] } ? 1 : Set(standard.map { $0[field] }).count
        }
        let crowding = all.indices.map { field in distinct[field] > 1 ? PartitionDimension.crowding(standard.map { $0[field] }) : 0 }
        // Fields every box holds alike come first either way: they cut only what no rule matches.
        let alike = all.indices.filter { distinct[$0] <= 1 }
        let varied = all.indices.filter { distinct[$0] > 1 }
        let byCrowding = alike + varied.sorted { (crowding[$0], $0) < (crowding[$1], $1) }
        let byDistinct = alike + varied.sorted { (distinct[$0], $0) < (distinct[$1], $1) }
        let indexed = byCrowding.dropFirst(alike.count).first ?? 0
        indexedField = indexed
        index = OverlapIndex(standard.map { $0[indexed] })
        var layout = Layout(order: byDistinct, standard: standard)
        if byCrowding != byDistinct && boxes.count >= EngineLimits.partitionTrials {
            // Every packet some box holds (interfaces are united as sets: their assignment only narrows).
            var hull = boxes[0]
            for field in all.indices { all[field].assign(&hull, AddressSet(ranges: standard.flatMap { $0[field].ranges })) }
            hull.inInterface = InterfaceSet.union(of: boxes.map(\.inInterface))
            hull.outInterface = InterfaceSet.union(of: boxes.map(\.outInterface))
            let other = Layout(order: byCrowding, standard: standard)
            func pieces(_ layout: Layout, limit: Int) -> Int {
                let parts = FirstMatchPartition.split(hull, layout: layout, owners: owners, candidates: Array(boxes.indices), limit: limit)
                return parts.matched.count + parts.rest.count
            }
            // Each trial stops early (the first at `partitionTrialPieces` pieces per box, the second
            // once it has more than the first): a bad order is never built whole.
            let crowded = pieces(other, limit: EngineLimits.partitionTrialPieces * boxes.count)
            if pieces(layout, limit: crowded) > crowded { layout = other }
        }
        self.layout = layout
    }

    /// Each rule's part of `box` (by its place in the run, in leaf order) and the part no rule matches.
    func split(_ box: PacketBox) -> (matched: [(owner: Int, box: PacketBox)], rest: [PacketBox]) {
        let meeting = index.overlapping(PartitionDimension.all[indexedField].numbered(box))
        return FirstMatchPartition.split(box, layout: layout, owners: owners, candidates: meeting)
    }

    /// Splits `box` among the boxes of `candidates` (ascending; every box that may meet it) laid out by `layout`.
    /// Stops early once it has more than `limit` pieces.
    private static func split(_ box: PacketBox, layout: Layout, owners: [Int], candidates meeting: [Int], limit: Int = Int.max)
        -> (matched: [(owner: Int, box: PacketBox)], rest: [PacketBox]) {
        var matched: [(owner: Int, box: PacketBox)] = []
        var rest: [PacketBox] = []
        let dimensions = layout.dimensions
        let target = dimensions.map { $0.numbered(box) }
        // Rules that meet the box at all, and from which field on each holds the box entirely.
        // Candidates are numbered by their place in `chosen` (ascending, so rule order), with `coverFrom` alongside.
        var chosen: [Int] = []
        var coverFrom: [Int] = []
        for index in meeting {
            let values = layout.values[index]
            guard zip(values, target).allSatisfy({ $0.overlaps($1) }) else { continue }
            var from = dimensions.count
            while from > 0 && target[from - 1].isSubset(of: values[from - 1]) { from -= 1 }
            chosen.append(index)
            coverFrom.append(from)
        }
        if chosen.isEmpty { return ([], [box]) }

        /// Refines `region` (fields before `field` already cut) among `candidates`, in rule order.
        func refine(_ region: PacketBox, field: Int, candidates: [Int]) {
            if matched.count + rest.count > limit { return }
            guard let first = candidates.first else {
                rest.append(region)
                return
            }
            if coverFrom[first] <= field {
                matched.append((owners[chosen[first]], region))
                return
            }
            let dimension = dimensions[field]
            let current = target[field]
            var whole: [Int] = []
            var events: [(at: UInt128, starts: Bool, index: Int)] = []
            for candidate in candidates {
                let value = layout.values[chosen[candidate]][field]
                if current.isSubset(of: value) {
                    whole.append(candidate)
                    continue
                }
                value.intersection(current).forEachRange { range in
                    events.append((range.lowerBound, true, candidate))
                    if range.upperBound != UInt128.max { events.append((range.upperBound + 1, false, candidate)) }
                }
            }
            if events.isEmpty {
                refine(region, field: field + 1, candidates: PartitionDimension.firstMatches(whole, coverFrom: coverFrom, field: field + 1))
                return
            }
            events.sort { $0.at < $1.at }
            // Pieces of the field's values between consecutive cuts, grouped by the rules holding
            // them, in order of first appearance. Most pieces are held by one rule or none (a ban,
            // a service): those are found by that rule alone, without hashing a list.
            var groupHolders: [[Int]] = [], groupRanges: [[ClosedRange<UInt128>]] = []
            var byOneHolder: [Int: Int] = [:], byHolders: [[Int]: Int] = [:]
            // The rules holding the current piece, ascending.
            var active: [Int] = []
            var next = 0
            for range in current.ranges {
                var start = range.lowerBound
                while true {
                    while next < events.count && events[next].at <= start {
                        let index = events[next].index
                        let place = PartitionDimension.insertionPoint(of: index, in: active)
                        if events[next].starts {
                            active.insert(index, at: place)
                        } else if place < active.count && active[place] == index {
                            active.remove(at: place)
                        }
                        next += 1
                    }
                    var end = range.upperBound
                    if next < events.count && events[next].at <= range.upperBound { end = events[next].at - 1 }
                    let group: Int
                    if active.count <= 1 {
                        let key = active.first ?? -1
                        if let known = byOneHolder[key] { group = known } else {
                            group = groupHolders.count
                            byOneHolder[key] = group
                            groupHolders.append(active)
                            groupRanges.append([])
                        }
                    } else if let known = byHolders[active] {
                        group = known
                    } else {
                        group = groupHolders.count
                        byHolders[active] = group
                        groupHolders.append(active)
                        groupRanges.append([])
                    }
                    groupRanges[group].append(start...end)
                    if end == range.upperBound { break }
                    start = end + 1
                }
            }
            for (group, holders) in groupHolders.enumerated() {
                var part = region
                dimension.assign(&part, AddressSet(ranges: groupRanges[group]))
                let merged = PartitionDimension.merge(whole, holders)
                refine(part, field: field + 1, candidates: PartitionDimension.firstMatches(merged, coverFrom: coverFrom, field: field + 1))
            }
        }

        refine(box, field: 0, candidates: PartitionDimension.firstMatches(Array(chosen.indices), coverFrom: coverFrom, field: 0))
        return (matched, rest)
    }
}

/// The packet fields as the partition cuts them, each as numbered ranges (`PacketDimension.numbered`).
enum PartitionDimension {
    /// The fields rules match on. A run cuts them in the order its trial chose (`FirstMatchPartition.init`);
    /// between equal fields, in this order: addresses before ports, since chains dispatch on
    /// addresses (zones, verdict maps on sources) and test ports later.
    static let all: [PacketDimension] = [
        PacketDimension[.layer4Protocol], PacketDimension[.source], PacketDimension[.destination], PacketDimension[.destinationPort],
        PacketDimension[.sourcePort], PacketDimension[.icmpType], PacketDimension[.tcpFlags], PacketDimension[.inInterface],
        PacketDimension[.outInterface], PacketDimension[.state], PacketDimension[.mark], PacketDimension[.connectionMark],
        PacketDimension[.translation],
    ]

    /// How crowded the pieces are when a field is cut at every end of `values`: the sum, over the
    /// pieces, of the square of the number of values holding each. One rule per piece scores the
    /// number of rules; every rule in one piece scores its square.
    static func crowding(_ values: [AddressSet]) -> Double {
        var events: [(at: UInt128, change: Int)] = []
        for value in values {
            for range in value.ranges {
                events.append((range.lowerBound, 1))
                if range.upperBound != UInt128.max { events.append((range.upperBound + 1, -1)) }
            }
        }
        events.sort { $0.at < $1.at }
        var total = 0.0, active = 0, index = 0
        while index < events.count {
            let at = events[index].at
            while index < events.count && events[index].at == at {
                active += events[index].change
                index += 1
            }
            total += Double(active) * Double(active)
        }
        return total
    }

    /// Where `value` is or would go in the ascending `list`.
    static func insertionPoint(of value: Int, in list: [Int]) -> Int {
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
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
    static func firstMatches(_ candidates: [Int], coverFrom: [Int], field: Int) -> [Int] {
        guard let stop = candidates.firstIndex(where: { coverFrom[$0] <= field }) else { return candidates }
        return Array(candidates[...stop])
    }
}
