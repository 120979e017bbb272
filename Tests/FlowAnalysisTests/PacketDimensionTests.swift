import FirewallModel
@testable import FlowAnalysis
import Testing

/// `PacketDimension.all` is the one list of a box's fields: every field is in it once, and each
/// entry reads and writes its own field.
@Suite struct PacketDimensions {
    let interfaces = InterfaceUniverse(patterns: [InterfacePattern(name: "eth0", isWildcard: false), InterfacePattern(name: "eth1", isWildcard: false)])

    @Test func everyFieldOfABoxIsListedOnce() {
        let box = PacketBox(family: .ipv4, interfaces: interfaces)
        // The stored fields, but for the unknown answers, the widening flag and the translated
        // packets' own fields, which no rule matches on.
        let stored = Mirror(reflecting: box).children.compactMap(\.label).filter { !["unknowns", "widened", "translatedFields"].contains($0) }
        #expect(stored.sorted() == PacketDimension.Name.allCases.map { "\($0)" }.sorted())
        #expect(PacketDimension.all.map(\.name).sorted { $0.rawValue < $1.rawValue } == PacketDimension.Name.allCases)
        for name in PacketDimension.Name.allCases { #expect(PacketDimension[name].name == name) }
        // The partition cuts every field; merging leaves the marks apart.
        #expect(Set(PartitionDimension.all.map(\.name)) == Set(PacketDimension.Name.allCases))
        #expect(Set(PacketBox.mergeableFields.map(\.name)) == Set(PacketDimension.Name.allCases).subtracting([.mark, .connectionMark]))
    }

    @Test func eachDimensionTellsBoxesApartOnItsOwnFieldOnly() {
        let whole = PacketBox(family: .ipv4, interfaces: interfaces)
        for dimension in PacketDimension.all {
            var emptied = whole
            dimension.blank(&emptied)
            #expect(emptied.isEmpty, "\(dimension.name)")
            #expect(!dimension.equal(whole, emptied), "\(dimension.name)")
            // Every other dimension sees the two boxes alike.
            for other in PacketDimension.all where other.name != dimension.name {
                #expect(other.equal(whole, emptied), "\(dimension.name) seen by \(other.name)")
            }
            // A box holding one value of the field: the whole box less it is the rest of that field's values.
            var one = whole
            let numbered = dimension.numbered(whole)
            dimension.assign(&one, AddressSet(value: numbered.ranges[0].lowerBound))
            #expect(whole.meets(one) && whole.intersection(one) == one, "\(dimension.name)")
            let rest = whole.subtracting(one)
            #expect(rest.count == 1 && rest[0].intersection(one) == nil, "\(dimension.name)")
            #expect(dimension.numbered(rest[0]) == numbered.subtracting(AddressSet(value: numbered.ranges[0].lowerBound)), "\(dimension.name)")
        }
    }

    /// A box narrowed on a few fields, each to one to three stretches of its values, the
    /// stretches drawn from the field's own values through the table.
    func randomBox(_ generator: inout SeededGenerator) -> PacketBox {
        var box = PacketBox(family: .ipv4, interfaces: interfaces)
        for dimension in PacketDimension.all where Int.random(in: 0..<3, using: &generator) == 0 {
            let full = dimension.numbered(box)
            let low = full.ranges[0].lowerBound, high = full.ranges[full.rangeCount - 1].upperBound
            // Eight evenly spaced points of the field's values, so that boxes often share and split them.
            let step = (high - low) / 8
            let points = (0...8).map { low + step * UInt128($0) }
            let stretches = (0..<Int.random(in: 1...3, using: &generator)).map { _ -> ClosedRange<UInt128> in
                let start = Int.random(in: 0..<8, using: &generator)
                return points[start]...points[Int.random(in: start..<9, using: &generator)]
            }
            dimension.assign(&box, full.intersection(AddressSet(ranges: stretches)))
        }
        return box
    }

    /// The hand-written operations on boxes (`PacketBox.intersection`, `meets`, `subtracting`,
    /// `isEmpty`) give what walking the table gives, on boxes that differ on every field.
    @Test func theHotOperationsAgreeWithTheTable() {
        var generator = SeededGenerator(state: 20261206)
        var cuts = 0
        for _ in 0..<3000 {
            let a = randomBox(&generator), b = randomBox(&generator)
            var walked: PacketBox? = a
            for dimension in PacketDimension.all where !dimension.intersect(&walked!, b) {
                walked = nil
                break
            }
            #expect(a.intersection(b) == walked)
            #expect(a.meets(b) == PacketDimension.all.allSatisfy { $0.overlaps(a, b) })
            #expect(a.isEmpty == PacketDimension.all.contains { $0.isEmpty(a) })
            // Cut field by field in the table's order, each piece from the rest narrowed so far.
            var pieces: [PacketBox] = []
            if a.meets(b) {
                var rest = a
                for dimension in PacketDimension.all {
                    guard let piece = dimension.outside(rest, b) else { continue }
                    pieces.append(piece)
                    _ = dimension.intersect(&rest, b)
                }
            } else {
                pieces = [a]
            }
            #expect(a.subtracting(b) == pieces)
            if pieces.count > 1 { cuts += 1 }
        }
        #expect(cuts > 300)
    }
}
