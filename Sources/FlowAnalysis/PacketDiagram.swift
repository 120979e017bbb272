import DecisionDiagram
import FirewallModel

/// Packet boxes as decision diagrams, and paths of diagrams back as boxes.
///
/// The levels are the fields of `PacketDimension.all`, in its order, each as its numbered values
/// (`PacketDimension.numbered`), then one boolean level per unknown condition in order of first
/// use. A field wider than 16 bits (addresses, marks) spans 8-bit digits, most significant first:
/// a set of a million addresses is a tree of digits whose blocks are shared, never one level of a
/// million edges, and a prefix is a few edges.
final class PacketDiagram {
    /// Where one field sits among the levels.
    struct Field {
        let dimension: PacketDimension
        /// The field's first level.
        let first: Int
        /// How many levels it spans: 1, or its digits.
        let digits: Int
        /// The largest value the field takes in any packet of the family.
        let maximum: UInt128
    }

    let store: DecisionDiagram
    let fields: [Field]
    /// Every packet of the family: what a box starts from.
    let everyPacket: PacketBox
    /// The level of each unknown condition met so far, by its id.
    private var unknownLevels: [Int: Int] = [:]
    /// The unknown condition of each level past the fields'.
    private var unknownIds: [Int] = []
    private let fieldLevelCount: Int

    /// Bits of one digit.
    static let digitBits = 8
    /// The largest value of one digit.
    static let digitMaximum = UInt32(1 << digitBits - 1)

    /// How many values one value of digit `digit` stands for, in a field of `digits` digits (1 for the last).
    static func span(ofDigit digit: Int, among digits: Int) -> UInt128 {
        UInt128(1) << (digitBits * (digits - 1 - digit))
    }

    /// The last value of the block of every digit value's `span`s from `base` (the family's last
    /// value for the top digit of a 128-bit field, where the block's end is one past the integers).
    static func blockEnd(from base: UInt128, span: UInt128) -> UInt128 {
        base &+ (span << digitBits) &- 1
    }

    init(family: AddressFamily, interfaces: InterfaceUniverse) {
        everyPacket = PacketBox(family: family, interfaces: interfaces)
        var fields: [Field] = []
        var maxima: [UInt32] = []
        for dimension in PacketDimension.all {
            let maximum = dimension.numbered(everyPacket).ranges.last?.upperBound ?? 0
            if maximum <= UInt128(UInt16.max) {
                fields.append(Field(dimension: dimension, first: maxima.count, digits: 1, maximum: maximum))
                maxima.append(UInt32(maximum))
            } else {
                let bits = UInt128.bitWidth - maximum.leadingZeroBitCount
                let digits = (bits + PacketDiagram.digitBits - 1) / PacketDiagram.digitBits
                fields.append(Field(dimension: dimension, first: maxima.count, digits: digits, maximum: maximum))
                maxima += Array(repeating: PacketDiagram.digitMaximum, count: digits)
            }
        }
        self.fields = fields
        fieldLevelCount = maxima.count
        store = DecisionDiagram(levelMaxima: maxima)
    }

    /// The level of an unknown condition, added after every other the first time it is asked for.
    func level(ofUnknown id: Int) -> Int {
        if let known = unknownLevels[id] { return known }
        let level = store.addLevel(maximum: 1)
        unknownLevels[id] = level
        unknownIds.append(id)
        return level
    }

    // MARK: Boxes to diagrams

    /// The diagram with `leaf` on the packets of `box` (and the answers it fixes) and background elsewhere.
    func node(for box: PacketBox, leaf: DecisionDiagram.Node) -> DecisionDiagram.Node {
        if box.isEmpty { return DecisionDiagram.background }
        var node = leaf
        let answers = box.unknowns.map { (level: level(ofUnknown: $0.id), holds: $0.holds) }.sorted { $0.level > $1.level }
        for answer in answers {
            let value: UInt32 = answer.holds ? 1 : 0
            node = store.ranges(level: answer.level, [value...value], inside: node, outside: DecisionDiagram.background)
        }
        for field in fields.reversed() {
            let values = field.dimension.numbered(box)
            if values.onlyRange == 0...field.maximum { continue }
            node = self.node(for: values, of: field, inside: node, outside: DecisionDiagram.background)
        }
        return node
    }

    /// The diagram sending a field's `values` to `inside` and its other values to `outside`.
    func node(for values: AddressSet, of field: Field, inside: DecisionDiagram.Node, outside: DecisionDiagram.Node) -> DecisionDiagram.Node {
        precondition((values.ranges.last?.upperBound ?? 0) <= field.maximum, "a field's values lie in its domain")
        return node(for: values, first: field.first, digits: field.digits, inside: inside, outside: outside)
    }

    /// The same for a field whose levels start at `first`, from its digit `digit` down, within the
    /// block of that digit at `base`: values outside the block are left out.
    func node(for values: AddressSet, first: Int, digits: Int, digit: Int = 0, base: UInt128 = 0,
              inside: DecisionDiagram.Node, outside: DecisionDiagram.Node) -> DecisionDiagram.Node {
        if digits == 1 {
            return store.ranges(level: first, values.ranges.map { UInt32($0.lowerBound)...UInt32($0.upperBound) }, inside: inside, outside: outside)
        }
        let span = PacketDiagram.span(ofDigit: digit, among: digits)
        let blockEnd = PacketDiagram.blockEnd(from: base, span: span)
        var within: [ClosedRange<UInt128>] = []
        values.forEachRange(meeting: base...blockEnd) { within.append(max($0.lowerBound, base)...min($0.upperBound, blockEnd)) }
        return digitNode(within[...], level: first + digit, base: base, span: span, inside: inside, outside: outside)
    }

    /// The node of one digit for `ranges` (sorted, disjoint, within the block of 256 `span`s at
    /// `base`): each digit whose block the ranges fill leads to `inside`, each they miss to
    /// `outside`, each they cut to the node of the next digit for the pieces in that block.
    private func digitNode(_ ranges: ArraySlice<ClosedRange<UInt128>>, level: Int, base: UInt128, span: UInt128,
                           inside: DecisionDiagram.Node, outside: DecisionDiagram.Node) -> DecisionDiagram.Node {
        let last = PacketDiagram.digitMaximum
        let start = store.edgeStart
        var cursor: UInt32 = 0
        var index = ranges.startIndex
        var low = ranges.first?.lowerBound ?? 0
        while index < ranges.endIndex {
            let high = ranges[index].upperBound
            let digit = UInt32((low - base) / span)
            if digit > cursor { store.addEdge(upTo: digit - 1, to: outside) }
            let blockStart = base + UInt128(digit) * span
            let highDigit = UInt32((high - base) / span)
            if low == blockStart && (high - base) % span == span - 1 || low == blockStart && highDigit > digit {
                // Whole blocks from `digit` on, up to the last one `high` fills.
                let lastFull = (high - base) % span == span - 1 ? highDigit : highDigit - 1
                store.addEdge(upTo: lastFull, to: inside)
                cursor = lastFull &+ 1
                if lastFull == highDigit {
                    index += 1
                    if index < ranges.endIndex { low = ranges[index].lowerBound }
                } else {
                    low = base + UInt128(highDigit) * span
                }
                continue
            }
            // A cut block: the pieces of every range inside it, a level down.
            let blockEnd = blockStart + (span - 1)
            var pieces: [ClosedRange<UInt128>] = []
            while index < ranges.endIndex && low <= blockEnd {
                let upper = ranges[index].upperBound
                if upper <= blockEnd {
                    pieces.append(low...upper)
                    index += 1
                    if index < ranges.endIndex { low = ranges[index].lowerBound }
                } else {
                    pieces.append(low...blockEnd)
                    low = blockEnd + 1
                    break
                }
            }
            // (A block of one value is never cut: `span` is above 1 here.)
            let child = digitNode(pieces[...], level: level + 1, base: blockStart, span: span >> PacketDiagram.digitBits, inside: inside, outside: outside)
            store.addEdge(upTo: digit, to: child)
            cursor = digit &+ 1
            if digit == last { break }
        }
        if cursor <= last { store.addEdge(upTo: last, to: outside) }
        return store.finishNode(level: level, from: start)
    }

    // MARK: Diagrams to boxes

    /// Calls `body` with each leaf of `node` other than `skipping` and a part of `template`
    /// leading to it, read field by field: the values of one field that lead to one node below
    /// it are one set, so a box read back is one piece, whatever the shape of its fields.
    func forEachPiece(of node: DecisionDiagram.Node, within template: PacketBox, skipping: DecisionDiagram.Node? = nil,
                      _ body: (Int32, PacketBox) -> Void) {
        func walk(_ node: DecisionDiagram.Node, _ box: PacketBox) {
            if node == skipping { return }
            if node.isLeaf {
                body(node.leafValue, box)
                return
            }
            let level = store.level(of: node)
            if level >= fieldLevelCount {
                let id = unknownIds[level - fieldLevelCount]
                // A reduced node sends the two answers to different children.
                for holds in [false, true] {
                    var piece = box
                    if let fixed = box.answer(for: id) {
                        if fixed != holds { continue }
                    } else {
                        piece.unknowns = (piece.unknowns + [PacketBox.UnknownAnswer(id: id, holds: holds)]).sorted()
                    }
                    walk(store.child(of: node, at: holds ? 1 : 0), piece)
                }
                return
            }
            let field = fields.last { $0.first <= level }!
            let current = field.dimension.numbered(box)
            for (child, values) in cofactors(of: node, on: field, within: current) {
                let narrowed = current.intersection(values)
                if narrowed.isEmpty { continue }
                var piece = box
                field.dimension.assign(&piece, narrowed)
                if field.dimension.isEmpty(piece) { continue }
                walk(child, piece)
            }
        }
        walk(node, template)
    }

    /// The values of `field` that lead from `node` (which tests one of the field's levels) to
    /// each node past the field, in order of first appearance. Only values that meet `within`
    /// are followed: a box of one address reads one path of a blocklist, not the whole list
    /// (the sets may hold other values besides, next to those followed).
    func cofactors(of node: DecisionDiagram.Node, on field: Field, within: AddressSet? = nil) -> [(DecisionDiagram.Node, AddressSet)] {
        var order: [DecisionDiagram.Node] = []
        var ranges: [DecisionDiagram.Node: [ClosedRange<UInt128>]] = [:]
        let end = field.first + field.digits
        func add(_ child: DecisionDiagram.Node, _ range: ClosedRange<UInt128>) {
            if ranges[child] == nil { order.append(child) }
            ranges[child, default: []].append(range)
        }
        // `node`, which tests a digit of the field, seen at digit `digit` of the values from `base` on.
        func visit(_ node: DecisionDiagram.Node, base: UInt128, digit: Int) {
            let span = PacketDiagram.span(ofDigit: digit, among: field.digits)
            if store.level(of: node) > field.first + digit {
                // The node skips this digit: every value of it leads there.
                for value in 0...UInt128(PacketDiagram.digitMaximum) {
                    let block = base + value * span
                    if let within, !within.meets(block...(block + (span - 1))) { continue }
                    visit(node, base: block, digit: digit + 1)
                }
                return
            }
            store.forEachEdge(of: node) { values, child in
                let range = (base + UInt128(values.lowerBound) * span)...(base + UInt128(values.upperBound) * span + (span - 1))
                if let within, !within.meets(range) { return }
                let childLevel = child.isLeaf ? Int.max : store.level(of: child)
                if childLevel >= end {
                    add(child, range)
                } else {
                    for value in values {
                        let block = base + UInt128(value) * span
                        if let within, !within.meets(block...(block + (span - 1))) { continue }
                        visit(child, base: block, digit: digit + 1)
                    }
                }
            }
        }
        if field.digits == 1 {
            store.forEachEdge(of: node) { values, child in
                let range = UInt128(values.lowerBound)...UInt128(values.upperBound)
                if let within, !within.meets(range) { return }
                add(child, range)
            }
        } else {
            visit(node, base: 0, digit: 0)
        }
        return order.map { ($0, AddressSet(ranges: ranges[$0]!)) }
    }
}

// MARK: Runs of rules

extension PacketDiagram {
    /// The leaf of the packets no rule of a run matches, within a box being split.
    static let unmatched = DecisionDiagram.Node.leaf(1)

    /// The leaf of the rule numbered `owner`.
    static func leaf(ofOwner owner: Int) -> DecisionDiagram.Node { .leaf(Int32(owner + 2)) }

    /// A run of rules as one diagram: each packet leads to the first box that holds it, as the
    /// leaf of that box's owner, or to `unmatched`.
    func firstMatch(of boxes: [PacketBox], owners: [Int]) -> DecisionDiagram.Node {
        firstMatch(of: boxes, leaves: owners.map(PacketDiagram.leaf(ofOwner:)), otherwise: PacketDiagram.unmatched)
    }

    /// The diagram leading each packet to the leaf of the first of `boxes` that holds it, and to
    /// `otherwise` when none does; built from the top (`RunDiagramBuilder`).
    func firstMatch(of boxes: [PacketBox], leaves: [DecisionDiagram.Node], otherwise: DecisionDiagram.Node) -> DecisionDiagram.Node {
        let kept = boxes.indices.filter { !boxes[$0].isEmpty }
        var builder = RunDiagramBuilder(diagram: self, boxes: kept.map { boxes[$0] }, leaves: kept.map { leaves[$0] }, otherwise: otherwise)
        return builder.build()
    }

    /// Splits `box` by a run's diagram (from `firstMatch`) into each owner's part and the rest, as
    /// boxes keeping `box`'s unknown answers, translations and the rest of its fields.
    func split(_ box: PacketBox, by run: DecisionDiagram.Node) -> (matched: [(owner: Int, box: PacketBox)], rest: [PacketBox]) {
        var matched: [(owner: Int, box: PacketBox)] = []
        var rest: [PacketBox] = []
        forEachPiece(of: run, within: box) { leaf, piece in
            if leaf == PacketDiagram.unmatched.leafValue { rest.append(piece) } else { matched.append((Int(leaf) - 2, piece)) }
        }
        return (matched, rest)
    }
}
