import FirewallModel
@testable import FlowAnalysis
import Testing

/// Merging boxes (`PacketSpace.coalesced`) and loosening their unknown answers (`PathEngine.widen`)
/// give exactly what the plain definitions give: the engine's reports depend on their order.
@Suite struct Coalescing {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11 ^ state << 23
        }
    }

    let interfaces = InterfaceUniverse(patterns: [InterfacePattern(name: "eth0", isWildcard: false)])

    /// Boxes over a few values per field, so that many share all fields but one, and some are duplicates.
    func randomBox(_ generator: inout Generator) -> PacketBox {
        var box = PacketBox(family: .ipv4, interfaces: interfaces)
        let ports: [ClosedRange<UInt16>] = [22...22, 80...80, 443...443, 1000...2000, 1500...3000]
        box.destinationPort = PortSet(ports[Int.random(in: 0..<ports.count, using: &generator)])
        let sources: [String] = ["10.0.0.0/24", "10.0.1.0/24", "10.0.0.0/23", "192.0.2.7/32"]
        box.source = AddressPrefix(sources[Int.random(in: 0..<sources.count, using: &generator)])!.addresses
        box.layer4Protocol = ProtocolSet(value: Bool.random(using: &generator) ? 6 : 17)
        if Bool.random(using: &generator) { box.state = .new }
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
        var generator = Generator(state: 20261206)
        var merged = 0
        for _ in 0..<400 {
            let boxes = (0..<Int.random(in: 2...40, using: &generator)).map { _ in randomBox(&generator) }
            let result = PacketSpace(boxes).coalesced().boxes
            #expect(result == plainlyCoalesced(boxes))
            // The same packets, answers included.
            #expect(PacketSpace(boxes).subtracting(PacketSpace(result)).isEmpty)
            #expect(PacketSpace(result).subtracting(PacketSpace(boxes)).isEmpty)
            if result.count < Set(boxes).count { merged += 1 }
        }
        #expect(merged > 300)
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
}
