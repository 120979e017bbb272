import FirewallModel
import Testing

@Suite struct IntervalSets {
    @Test func normalisesOverlappingAndAdjacentRanges() {
        let set = PortSet(ranges: [10...20, 21...30, 5...12, 40...40])
        #expect(set.ranges == [5...30, 40...40])
    }

    @Test func complementIsRelativeToTheDomain() {
        let set = PortSet(ranges: [0...79, 81...65535])
        #expect(set.complement() == PortSet(value: 80))
        #expect(PortSet.full.complement().isEmpty)
        #expect(AddressSet(value: 5).complement(in: 0...10).ranges == [0...4, 6...10])
    }

    @Test func intersectionAndSubtraction() {
        let a = PortSet(ranges: [1...100, 200...300])
        let b = PortSet(ranges: [50...250])
        #expect(a.intersection(b).ranges == [50...100, 200...250])
        #expect(a.subtracting(b).ranges == [1...49, 251...300])
        #expect(a.contains(250) && !a.contains(150))
    }

    @Test func portsPrintInMatrixSyntax() {
        #expect(PortSet(ranges: [80...80, 443...443]).portSyntax == "80,443")
        #expect(PortSet(50000...59999).portSyntax == "50000-59999")
        #expect(PortSet.full.portSyntax == "any")
    }

    @Test func theTopOfTheDomainDoesNotOverflow() {
        let set = IntervalSet<UInt8>(ranges: [250...255, 100...254])
        #expect(set.ranges == [100...255])
        #expect(set.complement().ranges == [0...99])
    }
}

@Suite struct Addresses {
    @Test(arguments: ["192.0.2.1", "0.0.0.0", "255.255.255.255", "2001:db8::1", "::", "::1", "2001:db8:0:1:0:0:0:1", "fe80::1:2:3:4"])
    func parseAndPrintRoundTrip(_ text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(IPAddress(address.description) == address)
    }

    @Test func ipv6PrintsInCanonicalForm() {
        #expect(IPAddress("2001:0db8:0000:0000:0000:0000:0000:0001")?.description == "2001:db8::1")
        #expect(IPAddress("2001:db8:0:1:0:0:0:1")?.description == "2001:db8:0:1::1")
        #expect(IPAddress("::ffff:192.0.2.1")?.description == "::ffff:c000:201")
    }

    @Test(arguments: ["1.2.3", "256.1.1.1", "1.2.3.4.5", "::1::2", "12345::", "a.b.c.d", "1.2.3.-1"])
    func rejectsMalformedAddresses(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func prefixesAndDottedMasks() throws {
        let cidr = try #require(AddressPrefix("192.0.2.77/24"))
        #expect(cidr.addresses == AddressSet(UInt128(0xc000_0200)...UInt128(0xc000_02ff)))
        #expect(AddressPrefix("192.0.2.0/255.255.255.0")?.addresses == cidr.addresses)
        #expect(AddressPrefix("0.0.0.0/0")?.addresses.isFull(in: AddressFamily.ipv4.domain) == true)
        #expect(AddressPrefix("2001:db8::/32")?.family == .ipv6)
        #expect(AddressPrefix("192.0.2.0/33") == nil)
        // A non-contiguous mask keeps exactly the addresses it selects.
        let odd = try #require(AddressPrefix("10.0.0.1/255.0.255.255"))
        #expect(odd.addresses.contains(UInt128(0x0a07_0001)) && !odd.addresses.contains(UInt128(0x0a07_0002)))
    }

    @Test func addressSetsPrintAsPrefixesOrExceptions() {
        let net = AddressPrefix("192.0.2.0/24")!.addresses
        #expect(net.addressSyntax(family: .ipv4) == "192.0.2.0/24")
        #expect(net.complement(in: AddressFamily.ipv4.domain).addressSyntax(family: .ipv4) == "any except 192.0.2.0/24")
        #expect(AddressSet(AddressFamily.ipv6.domain).addressSyntax(family: .ipv6) == "any")
    }
}

@Suite struct Interfaces {
    @Test func wildcardsMatchByPrefix() {
        let pattern = InterfacePattern(iptables: "eth+")
        #expect(pattern.isWildcard && pattern.name == "eth")
        #expect(pattern.matches("eth0") && pattern.matches("eth") && !pattern.matches("veth0"))
        #expect(InterfacePattern(iptables: "+").matches(""))
        #expect(!InterfacePattern(iptables: "eth0").matches("eth01"))
    }
}

/// Every set operation agrees with plain membership over all 256 values of `UInt8`, for random
/// sets of up to eight ranges (with edges at 0 and 255, adjacent and nested ranges among them).
@Suite struct IntervalSetOperationsAgreeWithMembership {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11 ^ state << 23
        }
    }

    static func randomSet(_ generator: inout Generator) -> IntervalSet<UInt8> {
        let count = Int.random(in: 0...8, using: &generator)
        return IntervalSet(ranges: (0..<count).map { _ in
            let low = UInt8.random(in: 0...255, using: &generator)
            let high = low.addingReportingOverflow(UInt8.random(in: 0...24, using: &generator))
            return high.overflow ? low...255 : low...high.partialValue
        })
    }

    static func members(_ set: IntervalSet<UInt8>) -> Set<UInt8> { Set((0...255).map(UInt8.init).filter(set.contains)) }

    @Test func unionIntersectionSubtractionComplementAndTests() {
        var generator = Generator(state: 20261206)
        for _ in 0..<3000 {
            let a = Self.randomSet(&generator), b = Self.randomSet(&generator)
            let ma = Self.members(a), mb = Self.members(b)
            #expect(Self.members(a.union(b)) == ma.union(mb))
            #expect(Self.members(a.intersection(b)) == ma.intersection(mb))
            #expect(Self.members(a.subtracting(b)) == ma.subtracting(mb))
            #expect(Self.members(a.complement()) == Set((0...255).map(UInt8.init)).subtracting(ma))
            #expect(a.isSubset(of: b) == ma.isSubset(of: mb))
            #expect(a.overlaps(b) == !ma.isDisjoint(with: mb))
            #expect(a.isDisjoint(with: b) == ma.isDisjoint(with: mb))
            // Converted to wider numbers and back, a set is itself, and holds the same values on the way.
            let wide = a.converted(to: UInt128.self)
            #expect(wide.converted(to: UInt8.self) == a)
            #expect(Set((0...255).map(UInt8.init).filter { wide.contains(UInt128($0)) }) == ma)
            #expect(wide == IntervalSet(ranges: wide.ranges))
            // Results stay normalised: equal sets are equal values.
            #expect(a.union(b) == IntervalSet(ranges: a.union(b).ranges))
            #expect(a.subtracting(b) == IntervalSet(ranges: a.subtracting(b).ranges))
            #expect(a.intersection(b) == IntervalSet(ranges: a.intersection(b).ranges))
        }
    }

    /// A set of dozens of ranges against one of a few, often lying within it or missing it: the
    /// cases where intersection and subtraction hand back the large set without a pass over it.
    @Test func aLargeSetAgainstAFewRanges() {
        var generator = Generator(state: 20261207)
        var within = 0, missed = 0
        for round in 0..<3200 {
            let few = IntervalSet<UInt8>(ranges: (0..<2).map { _ in
                let low = UInt8.random(in: 0...150, using: &generator)
                return low...(low + UInt8.random(in: 40...105, using: &generator))
            })
            // Stretches of one or two values three apart, kept where the round asks: inside the few
            // ranges, outside them, inside their hull (the gap between them too), or half of them
            // anywhere. A stretch may cross an edge.
            let hull = few.ranges[0].lowerBound...few.ranges[few.rangeCount - 1].upperBound
            let keep: (UInt8) -> Bool = { value in
                switch round % 4 {
                case 0: few.contains(value)
                case 1: !few.contains(value)
                case 2: hull.contains(value)
                default: true
                }
            }
            let large = IntervalSet<UInt8>(ranges: stride(from: 0, through: 252, by: 3).map(UInt8.init).compactMap { start -> ClosedRange<UInt8>? in
                let range = start...(start + UInt8.random(in: 0...1, using: &generator))
                guard round % 4 != 3 || Bool.random(using: &generator) else { return nil }
                return keep(range.lowerBound) && (round % 4 == 3 || keep(range.upperBound)) ? range : nil
            })
            let mFew = Self.members(few), mLarge = Self.members(large)
            if few.rangeCount >= 2 && large.rangeCount > 16 * few.rangeCount {
                if mLarge.isSubset(of: mFew) { within += 1 }
                if mLarge.isDisjoint(with: mFew) { missed += 1 }
            }
            #expect(Self.members(large.intersection(few)) == mLarge.intersection(mFew))
            #expect(Self.members(few.intersection(large)) == mLarge.intersection(mFew))
            #expect(Self.members(large.subtracting(few)) == mLarge.subtracting(mFew))
            #expect(Self.members(few.subtracting(large)) == mFew.subtracting(mLarge))
            #expect(large.intersection(few) == IntervalSet(ranges: large.intersection(few).ranges))
            #expect(large.subtracting(few) == IntervalSet(ranges: large.subtracting(few).ranges))
        }
        // Both shortcuts (a large set within two or more ranges, and missing them) were taken often.
        #expect(within > 100 && missed > 100)
    }
}
