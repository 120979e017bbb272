import FirewallModel
@testable import FlowAnalysis
import Testing

/// Merging boxes (`PacketSpace.coalesced`) and loosening their unknown answers (`PathEngine.widen`)
/// give exactly what the plain definitions give: the engine's reports depend on their order.
@Suite struct Coalescing {
    let interfaces = InterfaceUniverse(patterns: [InterfacePattern(name: "eth0", isWildcard: false), InterfacePattern(name: "eth1", isWildcard: false)])

    /// Boxes over a few values per field, so that many share all fields but one, and some are
    /// duplicates; ports and sources sometimes of two ranges.
    func randomBox(_ generator: inout SeededGenerator) -> PacketBox {
        func pick<T>(_ choices: [T]) -> T { choices[Int.random(in: 0..<choices.count, using: &generator)] }
        var box = PacketBox(family: .ipv4, interfaces: interfaces)
        box.destinationPort = pick([PortSet(22...22), PortSet(80...80), PortSet(ranges: [80...80, 443...443]), PortSet(1000...2000), PortSet(1500...3000)])
        box.source = pick(["10.0.0.0/24", "10.0.1.0/24", "10.0.0.0/23", "192.0.2.7/32"].map { AddressPrefix($0)!.addresses }
            + [AddressPrefix("10.0.0.0/24")!.addresses.union(AddressPrefix("192.0.2.0/24")!.addresses)])
        box.layer4Protocol = pick([ProtocolSet(value: 6), ProtocolSet(value: 17), ProtocolSet(ranges: [1...1, 6...6])])
        if Bool.random(using: &generator) { box.state = pick([.new, .established, [.new, .related]]) }
        if Int.random(in: 0..<3, using: &generator) == 0 { box.tcpFlags = pick([IntervalSet(value: 0x02), IntervalSet(value: 0x10)]) }
        if Int.random(in: 0..<3, using: &generator) == 0 { box.icmpType = pick([IntervalSet(value: 8), IntervalSet(0...3)]) }
        if Int.random(in: 0..<3, using: &generator) == 0 { box.translation = pick([IntervalSet(value: 0), IntervalSet(1...2)]) }
        if Int.random(in: 0..<3, using: &generator) == 0 {
            box.inInterface = interfaces.matching(InterfacePattern(name: pick(["eth0", "eth1"]), isWildcard: false))
        }
        if Int.random(in: 0..<4, using: &generator) == 0 { box.unknowns = [PacketBox.UnknownAnswer(id: 1, holds: Bool.random(using: &generator))] }
        return box
    }

    /// The definition: duplicates dropped in order; then, for up to four rounds while anything
    /// merges, for each mergeable field, each box joins the first earlier group equal to it
    /// with that field emptied, and each group becomes one box.
    func plainlyCoalesced(_ boxes: [PacketBox]) -> [PacketBox] {
        var current: [PacketBox] = []
        for box in boxes where !current.contains(box) { current.append(box) }
        let fields = PacketBox.mergeableFields
        var changed = true, rounds = 0
        while changed && current.count > 1 && rounds < 4 {
            changed = false
            rounds += 1
            for field in fields {
                func blanked(_ box: PacketBox) -> PacketBox {
                    var copy = box
                    field.blank(&copy)
                    return copy
                }
                var groups: [[PacketBox]] = []
                for box in current {
                    if let group = groups.firstIndex(where: { blanked($0[0]) == blanked(box) }) {
                        groups[group].append(box)
                        changed = true
                    } else {
                        groups.append([box])
                    }
                }
                current = groups.map { $0.count == 1 ? $0[0] : field.mergeAll($0) }
            }
        }
        return current
    }

    @Test func mergingGivesWhatTheDefinitionGives() {
        var generator = SeededGenerator(state: 20261206)
        var merged = 0
        for _ in 0..<400 {
            let boxes = (0..<Int.random(in: 2...40, using: &generator)).map { _ in randomBox(&generator) }
            let result = PacketSpace(boxes).coalesced().boxes
            let plain = plainlyCoalesced(boxes)
            #expect(result == plain)
            // Every key the same: each merge is found by comparing, as on a hash collision.
            #expect(PacketSpace(boxes).coalesced(collidingKeys: true).boxes == plain)
            // The same packets, answers included.
            #expect(PacketSpace(boxes).subtracting(PacketSpace(result)).isEmpty)
            #expect(PacketSpace(result).subtracting(PacketSpace(boxes)).isEmpty)
            if result.count < Set(boxes).count { merged += 1 }
        }
        #expect(merged > 100)
    }

    @Test func wideningMergesOnlyBeyondTheVariantsADuplicateDoesNotCount() {
        var base = PacketBox(family: .ipv4, interfaces: interfaces)
        base.destinationPort = PortSet(value: 22)
        func with(_ answers: [(Int, Bool)]) -> PacketBox {
            var box = base
            box.unknowns = answers.map { PacketBox.UnknownAnswer(id: $0.0, holds: $0.1) }
            return box
        }
        // Two variants and a duplicate: kept apart, the duplicate once.
        let two = PathEngine.widen([with([(1, true)]), with([(1, true), (2, false)]), with([(1, true)])], answerVariants: 2).boxes
        #expect(two == [with([(1, true)]), with([(1, true), (2, false)])])
        // Three variants: one box with the answer they share, marked widened.
        let three = PathEngine.widen([with([(1, true), (3, true)]), with([(1, true), (2, false)]), with([(1, true)]), with([(1, true)])],
                                     answerVariants: 2).boxes
        var loosened = with([(1, true)])
        loosened.widened = true
        #expect(three == [loosened])
        // Other packets are a group of their own, in the order first met.
        var other = with([(4, true)])
        other.destinationPort = PortSet(value: 80)
        let mixed = PathEngine.widen([other, with([(1, true)]), with([(2, true)]), with([(3, true)])], answerVariants: 2).boxes
        var none = base
        none.widened = true
        #expect(mixed == [other, none])
    }

    /// The definition of widening: boxes grouped by their packets in order of first appearance,
    /// duplicates dropped; a group of more than `answerVariants` becomes one box with the answers
    /// all share, marked widened.
    func plainlyWidened(_ boxes: [PacketBox], answerVariants: Int) -> [PacketBox] {
        if boxes.allSatisfy({ $0.unknowns.isEmpty && !$0.widened }) { return boxes }
        var groups: [(key: PacketBox, variants: [PacketBox])] = []
        for box in boxes {
            if let group = groups.firstIndex(where: { $0.key == box.withoutUnknowns }) {
                if !groups[group].variants.contains(box) { groups[group].variants.append(box) }
            } else {
                groups.append((box.withoutUnknowns, [box]))
            }
        }
        return groups.flatMap { group -> [PacketBox] in
            if group.variants.count <= answerVariants { return group.variants }
            var merged = group.key
            merged.unknowns = group.variants.dropFirst().reduce(Set(group.variants[0].unknowns)) { $0.intersection($1.unknowns) }.sorted()
            merged.widened = true
            return [merged]
        }
    }

    @Test func wideningGivesWhatTheDefinitionGives() {
        var generator = SeededGenerator(state: 20261208)
        var widened = 0
        for _ in 0..<400 {
            // A few packet boxes, each met with several sets of answers.
            let bases = (0..<3).map { _ in randomBox(&generator) }
            let boxes = (0..<Int.random(in: 2...40, using: &generator)).map { _ in
                var box = bases[Int.random(in: 0..<bases.count, using: &generator)]
                box.unknowns = (1...3).filter { _ in Bool.random(using: &generator) }.map { PacketBox.UnknownAnswer(id: $0, holds: Bool.random(using: &generator)) }
                return box
            }
            let plain = plainlyWidened(boxes, answerVariants: 2)
            #expect(PathEngine.widen(boxes, answerVariants: 2).boxes == plain)
            #expect(PathEngine.widen(boxes, answerVariants: 2, keyHash: { _ in 0 }).boxes == plain)
            if plain.contains(where: \.widened) { widened += 1 }
        }
        #expect(widened > 100)
    }
}
