import DecisionDiagram
import Testing

/// The diagram store keeps one node per diagram, and its operations give, at every point, what
/// their definitions give point by point.
@Suite struct DecisionDiagramSpecification {
    /// Three small levels: every point can be visited.
    static let maxima: [UInt32] = [5, 3, 7]

    static var everyPoint: [[UInt32]] {
        var points: [[UInt32]] = []
        for a in 0...maxima[0] { for b in 0...maxima[1] { for c in 0...maxima[2] { points.append([a, b, c]) } } }
        return points
    }

    /// A deterministic generator, so that a failure can be replayed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = (state ^ (state >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return mixed ^ (mixed >> 31)
        }
    }

    /// A box: on each level, no test or one or two ranges.
    static func randomBox(_ generator: inout Generator) -> [[ClosedRange<UInt32>]?] {
        maxima.map { maximum -> [ClosedRange<UInt32>]? in
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: return nil
            case 1:
                let low = UInt32.random(in: 0...maximum, using: &generator)
                return [low...UInt32.random(in: low...maximum, using: &generator)]
            default:
                let a = UInt32.random(in: 0...maximum, using: &generator), b = UInt32.random(in: 0...maximum, using: &generator)
                let low = min(a, b), high = max(a, b)
                return high > low + 1 ? [low...low, high...high] : [low...high]
            }
        }
    }

    static func contains(_ box: [[ClosedRange<UInt32>]?], _ point: [UInt32]) -> Bool {
        zip(box, point).allSatisfy { values, value in values.map { $0.contains { $0.contains(value) } } ?? true }
    }

    static func node(_ box: [[ClosedRange<UInt32>]?], leaf: Int32, in store: DecisionDiagram) -> DecisionDiagram.Node {
        var node = DecisionDiagram.Node.leaf(leaf)
        for level in box.indices.reversed() {
            guard let values = box[level] else { continue }
            node = store.ranges(level: level, values, inside: node, outside: DecisionDiagram.background)
        }
        return node
    }

    @Test func equalDiagramsAreOneNode() {
        let store = DecisionDiagram(levelMaxima: Self.maxima)
        let first = store.ranges(level: 1, [1...2], inside: .leaf(3), outside: DecisionDiagram.background)
        let again = store.ranges(level: 1, [1...1, 2...2], inside: .leaf(3), outside: DecisionDiagram.background)
        #expect(first == again)
        #expect(store.nodeCount == 1)
        // A test whose every value leads to one child is that child.
        #expect(store.ranges(level: 0, [0...5], inside: first, outside: .leaf(2)) == first)
        #expect(store.node(level: 2, uppers: [3, 7], children: [.leaf(4), .leaf(4)]) == .leaf(4))
        #expect(store.edges(of: first).map(\.values) == [0...0, 1...2, 3...3])
    }

    @Test func firstMatchRestrictionAndLeafMappingAgreeWithTheirDefinitionsAtEveryPoint() {
        var generator = Generator(state: 20261206)
        for _ in 0..<300 {
            let store = DecisionDiagram(levelMaxima: Self.maxima)
            let boxes = (0..<Int.random(in: 1...6, using: &generator)).map { _ in Self.randomBox(&generator) }
            let leaves = boxes.indices.map { Int32($0 % 3 + 1) }
            let nodes = boxes.indices.map { Self.node(boxes[$0], leaf: leaves[$0], in: store) }
            let balanced = store.reduce(nodes, by: .firstMatch())
            let folded = nodes.dropFirst().reduce(nodes[0]) { store.apply(.firstMatch(), $0, $1) }
            // One diagram per meaning: both orders of combining give the same node.
            #expect(balanced == folded)
            let query = Self.randomBox(&generator)
            let restricted = store.apply(.restriction(), balanced, Self.node(query, leaf: 1, in: store))
            let mapped = store.mapLeaves(balanced) { $0 == 0 ? 0 : 4 - $0 }
            for point in Self.everyPoint {
                #expect(store.value(at: point, in: mapped) == (store.value(at: point, in: balanced) == 0 ? 0 : 4 - store.value(at: point, in: balanced)))
                let first = boxes.indices.first { Self.contains(boxes[$0], point) }
                let expected = first.map { leaves[$0] } ?? 0
                #expect(store.value(at: point, in: balanced) == expected)
                #expect(store.value(at: point, in: restricted) == (Self.contains(query, point) ? expected : 0))
            }
        }
    }
}
