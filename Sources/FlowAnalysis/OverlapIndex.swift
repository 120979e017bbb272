import FirewallModel

/// Finds which of many range sets overlap a query, in time that grows with the answer rather than
/// with the number of sets: the rule boxes of a run, indexed on the field that separates them best.
///
/// Every range of every set is an entry, sorted by its start; a tree of the largest end below each
/// node skips the entries that end before the query starts.
struct OverlapIndex: Sendable {
    private let starts: [UInt128]
    private let ends: [UInt128]
    private let owners: [Int]
    /// `largestEnd[node]` over the entries under a node of an implicit binary tree (root 1).
    private let largestEnd: [UInt128]
    private let leaves: Int

    /// Indexes `sets`; a query answers with positions in this array.
    init(_ sets: [AddressSet]) {
        var entries: [(start: UInt128, end: UInt128, owner: Int)] = []
        for (owner, set) in sets.enumerated() {
            for range in set.ranges { entries.append((range.lowerBound, range.upperBound, owner)) }
        }
        entries.sort { $0.start < $1.start }
        starts = entries.map(\.start)
        ends = entries.map(\.end)
        owners = entries.map(\.owner)
        var leaves = 1
        while leaves < entries.count { leaves *= 2 }
        var tree = [UInt128](repeating: 0, count: 2 * leaves)
        for (index, entry) in entries.enumerated() { tree[leaves + index] = entry.end }
        var node = leaves - 1
        while node >= 1 {
            tree[node] = Swift.max(tree[2 * node], tree[2 * node + 1])
            node -= 1
        }
        largestEnd = tree
        self.leaves = leaves
    }

    /// The positions of the sets that share a value with `query`, ascending, each once.
    func overlapping(_ query: AddressSet) -> [Int] {
        var found: [Int] = []
        for range in query.ranges {
            // Entries starting after the query's end never overlap it.
            var low = 0, high = starts.count
            while low < high {
                let middle = (low + high) / 2
                if starts[middle] <= range.upperBound { low = middle + 1 } else { high = middle }
            }
            collect(below: low, endingFrom: range.lowerBound, into: &found)
        }
        found.sort()
        var unique: [Int] = []
        unique.reserveCapacity(found.count)
        for owner in found where unique.last != owner { unique.append(owner) }
        return unique
    }

    /// Adds the owners of entries before `limit` whose end is at least `start`.
    private func collect(below limit: Int, endingFrom start: UInt128, into found: inout [Int]) {
        if limit == 0 { return }
        var stack: [(node: Int, first: Int, count: Int)] = [(1, 0, leaves)]
        while let (node, first, count) = stack.popLast() {
            if first >= limit || largestEnd[node] < start { continue }
            if count == 1 {
                found.append(owners[first])
                continue
            }
            let half = count / 2
            stack.append((2 * node + 1, first + half, half))
            stack.append((2 * node, first, half))
        }
    }
}
