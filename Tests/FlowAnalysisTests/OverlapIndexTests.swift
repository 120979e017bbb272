import FirewallModel
@testable import FlowAnalysis
import Testing

/// `OverlapIndex` answers exactly which range sets share a value with a query, as a scan of every set would.
@Suite struct OverlapIndexSpecification {
    @Test func answersAsAScanOfEverySetWould() {
        var generator = SeededGenerator(state: 20261206)
        func randomSet() -> AddressSet {
            var ranges: [ClosedRange<UInt128>] = []
            for _ in 0..<Int.random(in: 0...3, using: &generator) {
                let low = UInt128(Int.random(in: 0...200, using: &generator))
                ranges.append(low...(low + UInt128(Int.random(in: 0...(Bool.random(using: &generator) ? 3 : 80), using: &generator))))
            }
            return AddressSet(ranges: ranges)
        }
        for _ in 0..<200 {
            let sets = (0..<Int.random(in: 0...40, using: &generator)).map { _ in randomSet() }
            let index = OverlapIndex(sets)
            for _ in 0..<20 {
                let query = randomSet()
                let expected = sets.indices.filter { sets[$0].overlaps(query) }
                #expect(index.overlapping(query) == expected)
            }
        }
    }

    @Test func findsAWideRangeBehindManyNarrowOnes() {
        let narrow = (0..<1000).map { AddressSet(value: UInt128($0 * 2 + 10)) }
        let sets = [AddressSet(ranges: [0...5000])] + narrow
        #expect(OverlapIndex(sets).overlapping(AddressSet(value: 3000)) == [0])
        #expect(OverlapIndex(sets).overlapping(AddressSet(value: 12)) == [0, 2])
    }
}
