import DecisionDiagram
import FirewallModel
@testable import FlowAnalysis
import Testing

/// Packet boxes as diagrams (`PacketDiagram`) hold exactly the box's packets, and a run of rules
/// as one diagram splits a box exactly as `FirstMatchPartition` does: each rule gets the same
/// packets, and the rest is the same.
@Suite struct PacketDiagrams {
    let interfaces = InterfaceUniverse(patterns: [InterfacePattern(name: "eth0", isWildcard: false), InterfacePattern(name: "eth1", isWildcard: false)])

    /// Address sets of the shapes rulesets hold: prefixes, single addresses, ranges across digit
    /// boundaries, the family's first and last address, and everything.
    func randomAddresses(_ family: AddressFamily, _ generator: inout SeededGenerator) -> AddressSet {
        let top = family.domain.upperBound
        func address() -> UInt128 {
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: return 0
            case 1: return top
            case 2: return (UInt128(UInt64.random(in: 0...UInt64.max, using: &generator)) << 64 | UInt128(UInt64.random(in: 0...UInt64.max, using: &generator))) & top
            default: return (UInt128(0x0A01_0200) + UInt128(Int.random(in: 0..<1024, using: &generator))) & top
            }
        }
        var ranges: [ClosedRange<UInt128>] = []
        for _ in 0..<Int.random(in: 0...4, using: &generator) {
            let a = address()
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: ranges.append(a...a)
            case 1:
                let length = Int.random(in: 0...Int(family == .ipv4 ? 32 : 128), using: &generator)
                let hostBits = UInt128(family == .ipv4 ? 32 : 128) - UInt128(length)
                let mask: UInt128 = hostBits >= 128 ? UInt128.max : (UInt128(1) << hostBits) - 1
                ranges.append((a & ~mask & top)...((a | mask) & top))
            default:
                let b = address()
                ranges.append(min(a, b)...max(a, b))
            }
        }
        if Int.random(in: 0..<10, using: &generator) == 0 { ranges.append(family.domain) }
        return AddressSet(ranges: ranges)
    }

    func randomBox(_ family: AddressFamily, _ generator: inout SeededGenerator) -> PacketBox {
        func pick<T>(_ choices: [T]) -> T { choices[Int.random(in: 0..<choices.count, using: &generator)] }
        var box = PacketBox(family: family, interfaces: interfaces)
        if Bool.random(using: &generator) { box.source = randomAddresses(family, &generator) }
        if Bool.random(using: &generator) { box.destination = randomAddresses(family, &generator) }
        if Bool.random(using: &generator) { box.layer4Protocol = pick([ProtocolSet(value: 6), ProtocolSet(value: 17), ProtocolSet(ranges: [1...1, 6...6])]) }
        if Bool.random(using: &generator) {
            box.destinationPort = pick([PortSet(22...22), PortSet(80...80), PortSet(ranges: [80...80, 443...443]), PortSet(1000...2000), PortSet(0...65535)])
        }
        if Int.random(in: 0..<3, using: &generator) == 0 { box.sourcePort = pick([PortSet(1024...65535), PortSet(53...53)]) }
        if Int.random(in: 0..<3, using: &generator) == 0 { box.state = pick([.new, .established, [.new, .related]]) }
        if Int.random(in: 0..<4, using: &generator) == 0 { box.tcpFlags = pick([IntervalSet(value: 0x02), IntervalSet(value: 0x10)]) }
        if Int.random(in: 0..<4, using: &generator) == 0 { box.icmpType = pick([IntervalSet(value: 8), IntervalSet(0...3)]) }
        if Int.random(in: 0..<4, using: &generator) == 0 { box.mark = pick([IntervalSet(value: 0x4000), IntervalSet(0x100...0x1FF), IntervalSet(value: UInt32.max)]) }
        if Int.random(in: 0..<4, using: &generator) == 0 { box.connectionMark = pick([IntervalSet(value: 1), IntervalSet(0...0xFFFF)]) }
        if Int.random(in: 0..<4, using: &generator) == 0 { box.translation = pick([IntervalSet(value: 0), IntervalSet(1...2)]) }
        if Int.random(in: 0..<3, using: &generator) == 0 {
            box.inInterface = interfaces.matching(InterfacePattern(name: pick(["eth0", "eth1"]), isWildcard: false))
        }
        if Int.random(in: 0..<4, using: &generator) == 0 { box.outInterface = interfaces.none }
        return box
    }

    /// Whether two lists of boxes hold the same packets with the same unknown answers.
    func same(_ a: [PacketBox], _ b: [PacketBox]) -> Bool {
        let a = PacketSpace(a).coalesced(), b = PacketSpace(b).coalesced()
        return a.subtracting(b).isEmpty && b.subtracting(a).isEmpty
    }

    /// Every box read back from a diagram.
    func readBack(_ diagram: PacketDiagram, _ node: DecisionDiagram.Node, within template: PacketBox) -> [PacketBox] {
        var boxes: [PacketBox] = []
        diagram.forEachPiece(of: node, within: template, skipping: DecisionDiagram.background) { _, box in boxes.append(box) }
        return boxes
    }

    @Test(arguments: [AddressFamily.ipv4, .ipv6]) func addressSetsReadBackAsTheyWere(family: AddressFamily) {
        var generator = SeededGenerator(state: family == .ipv4 ? 4 : 6)
        let diagram = PacketDiagram(family: family, interfaces: interfaces)
        let source = diagram.fields.first { $0.dimension.name == .source }!
        #expect(source.digits == (family == .ipv4 ? 4 : 16))
        for _ in 0..<500 {
            let addresses = randomAddresses(family, &generator)
            let before = diagram.store.nodeCount
            let node = diagram.node(for: addresses, of: source, inside: .leaf(1), outside: DecisionDiagram.background)
            let cofactors = node.isLeaf ? [(node, AddressSet(family.domain))] : diagram.cofactors(of: node, on: source)
            let union = cofactors.first { $0.0 == .leaf(1) }?.1 ?? AddressSet()
            // The values leading elsewhere are the others.
            let outside = cofactors.first { $0.0 == DecisionDiagram.background }?.1 ?? AddressSet()
            #expect(outside == AddressSet(family.domain).subtracting(addresses))
            #expect(union == addresses, "\(addresses)")
            // A prefix is a node per digit it cuts, not an edge per address.
            if let range = addresses.onlyRange, case let size = range.upperBound - range.lowerBound, size & (size &+ 1) == 0, range.lowerBound & size == 0 {
                #expect(diagram.store.nodeCount <= before + source.digits)
            }
        }
    }

    @Test(arguments: [AddressFamily.ipv4, .ipv6]) func boxesReadBackAsTheyWere(family: AddressFamily) {
        var generator = SeededGenerator(state: 11)
        let diagram = PacketDiagram(family: family, interfaces: interfaces)
        for _ in 0..<300 {
            var box = randomBox(family, &generator)
            if Int.random(in: 0..<3, using: &generator) == 0 {
                box.unknowns = [PacketBox.UnknownAnswer(id: Int.random(in: 1...3, using: &generator), holds: Bool.random(using: &generator))]
            }
            let node = diagram.node(for: box, leaf: .leaf(1))
            #expect(same(readBack(diagram, node, within: diagram.everyPacket), box.isEmpty ? [] : [box]), "\(box)")
        }
    }

    /// Built from the top or combined pairwise, a run is the same diagram: the same node.
    @Test(arguments: [AddressFamily.ipv4, .ipv6]) func runsBuiltFromTheTopAreTheirBoxesCombinedByFirstMatch(family: AddressFamily) {
        var generator = SeededGenerator(state: 31)
        let diagram = PacketDiagram(family: family, interfaces: interfaces)
        for _ in 0..<150 {
            let boxes = (0..<Int.random(in: 0...12, using: &generator)).map { _ in
                var box = randomBox(family, &generator)
                if Int.random(in: 0..<4, using: &generator) == 0 {
                    box.unknowns = [PacketBox.UnknownAnswer(id: Int.random(in: 1...3, using: &generator), holds: Bool.random(using: &generator))]
                }
                return box
            }
            let leaves = boxes.indices.map { DecisionDiagram.Node.leaf(Int32(2 + $0 % 4)) }
            let pairwise = diagram.store.reduce(zip(boxes, leaves).map { diagram.node(for: $0, leaf: $1) } + [.leaf(1)], by: .firstMatch())
            #expect(diagram.firstMatch(of: boxes, leaves: leaves, otherwise: .leaf(1)) == pairwise)
        }
    }

    @Test(arguments: [AddressFamily.ipv4, .ipv6]) func runsSplitAsTheFirstMatchPartitionSplitsThem(family: AddressFamily) {
        var generator = SeededGenerator(state: 20261206)
        var compared = 0
        for _ in 0..<80 {
            let diagram = PacketDiagram(family: family, interfaces: interfaces)
            let count = Int.random(in: 1...7, using: &generator)
            let boxes = (0..<count).map { _ in randomBox(family, &generator) }.filter { !$0.isEmpty }
            guard !boxes.isEmpty else { continue }
            // Some rules hold two boxes.
            let owners = boxes.indices.map { $0 - ($0 % 3 == 2 ? 1 : 0) }
            let partition = FirstMatchPartition(boxes: boxes, owners: owners)
            let run = diagram.firstMatch(of: boxes, owners: owners)
            for _ in 0..<3 {
                var box = randomBox(family, &generator)
                if Bool.random(using: &generator) { box.unknowns = [PacketBox.UnknownAnswer(id: 9, holds: Bool.random(using: &generator))] }
                if box.isEmpty { continue }
                let expected = partition.split(box)
                let split = diagram.split(box, by: run)
                for owner in Set(owners) {
                    #expect(same(split.matched.filter { $0.owner == owner }.map(\.box), expected.matched.filter { $0.owner == owner }.map(\.box)))
                }
                #expect(same(split.rest, expected.rest))
                #expect((split.matched.map(\.box) + split.rest).allSatisfy { $0.unknowns == box.unknowns })
                compared += 1
            }
        }
        #expect(compared > 150)
    }
}
