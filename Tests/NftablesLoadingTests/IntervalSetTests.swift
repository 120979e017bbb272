import FirewallModel
import NftablesBytecode
import NftablesLoading
import Testing

/// Named interval sets as the kernel holds them: start elements, end elements one past each
/// interval (`NFT_SET_ELEM_INTERVAL_END`), adjacent intervals whose end and start share a key,
/// intervals open at the top. Elements are the words `nft --debug=netlink list set` printed, in
/// the order the kernel dumped them (highest key first; at a shared key, the start before the end).
@Suite struct IntervalSetTests {
    /// `ip saddr @NAME accept` in an inet table.
    static let ipv4Lookup = """
    inet t input handle 2
      [ meta load nfproto => reg 1 ]
      [ cmp eq reg 1 0x00000002 ]
      [ payload load 4b @ network header + 12 => reg 1 ]
      [ lookup reg 1 set s ]
      [ immediate reg 0 accept ]
    """

    func sourceSet(_ elements: [SetElement], keyLength: UInt32 = 4, family: String = "ipv4") throws -> AddressSet? {
        let set = SetObject(family: .inet, table: "t", name: "s", flags: 0x4, keyLength: keyLength, elements: elements)
        let notation = family == "ipv4" ? Self.ipv4Lookup : """
        inet t input handle 2
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x0000000a ]
          [ payload load 16b @ network header + 8 => reg 1 ]
          [ lookup reg 1 set s ]
          [ immediate reg 0 accept ]
        """
        let (rules, _) = try delinearize(notation, sets: [set])
        guard case .address(.source, let set)? = rules.first?.matches.last?.condition else { return nil }
        return set
    }

    @Test func adjacentIntervalsAsTheKernelDumpsThem() throws {
        // set partners { type ipv4_addr; flags interval; elements = { 192.0.2.0/25, 192.0.2.128/25 } }
        let dumped = [
            element("0x000300c0", end: true), element("0x800200c0"), element("0x800200c0", end: true),
            element("0x000200c0"), element("0x00000000", end: true),
        ]
        #expect(try sourceSet(dumped) == addresses("192.0.2.0/24"))
        // Whatever order the elements come in.
        #expect(try sourceSet(dumped.reversed()) == addresses("192.0.2.0/24"))
        #expect(try sourceSet([dumped[1], dumped[2], dumped[0], dumped[4], dumped[3]]) == addresses("192.0.2.0/24"))
    }

    @Test func adjacentIntervalsWithoutTheSharedEndElement() throws {
        // The same set as newer nft sends it: the first interval's end element is left out.
        let elements = [
            element("0x000300c0", end: true), element("0x800200c0"), element("0x000200c0"), element("0x00000000", end: true),
        ]
        #expect(try sourceSet(elements) == addresses("192.0.2.0/24"))
    }

    @Test func mergedOverlappingIntervals() throws {
        // auto-merge; elements = { 192.0.2.0/24, 192.0.2.64/26, 192.0.2.200-192.0.3.10 }: nft merges them into one.
        let elements = [element("0x0b0300c0", end: true), element("0x000200c0"), element("0x00000000", end: true)]
        #expect(try sourceSet(elements) == AddressSet(ranges: [0xc000_0200...0xc000_030a]))
    }

    @Test func singleAddressAndAnIntervalOpenAtTheTop() throws {
        // elements = { 10.0.0.1, 240.0.0.0-255.255.255.255 }: no end element after the last start.
        let elements = [
            element("0x000000f0"), element("0x0200000a", end: true), element("0x0100000a"), element("0x00000000", end: true),
        ]
        #expect(try sourceSet(elements) == addresses("10.0.0.1").union(addresses("240.0.0.0/4")))
    }

    @Test func ipv6AdjacentAndOpenIntervals() throws {
        // elements = { 2001:db8::/33, 2001:db8:8000::/33, ffff::/16 }
        let elements = [
            element("0x0000ffff 0x00000000 0x00000000 0x00000000", count: 16),
            element("0xb90d0120 0x00000000 0x00000000 0x00000000", count: 16, end: true),
            element("0xb80d0120 0x00000080 0x00000000 0x00000000", count: 16),
            element("0xb80d0120 0x00000080 0x00000000 0x00000000", count: 16, end: true),
            element("0xb80d0120 0x00000000 0x00000000 0x00000000", count: 16),
            element("0x00000000 0x00000000 0x00000000 0x00000000", count: 16, end: true),
        ]
        #expect(try sourceSet(elements, keyLength: 16, family: "ipv6") == addresses("2001:db8::/32").union(addresses("ffff::/16")))
    }

    @Test func adjacentPortIntervals() throws {
        // tcp dport @ports accept, ports = { 1000-1999, 2000-2999, 65000-65535 }
        let set = SetObject(family: .inet, table: "t", name: "ports", flags: 0x4, keyLength: 2, elements: [
            element("0x0000e8fd", count: 2), element("0x0000b80b", count: 2, end: true), element("0x0000d007", count: 2),
            element("0x0000d007", count: 2, end: true), element("0x0000e803", count: 2), element("0x00000000", count: 2, end: true),
        ])
        let (rules, _) = try delinearize("""
        inet t input handle 3
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ lookup reg 1 set ports ]
          [ immediate reg 0 accept ]
        """, sets: [set])
        #expect(conditions(rules[0]) == [.layer4Protocol(protocols(6)), .port(.destination, ports(1000...2999, 65000...65535))])
        #expect(rules[0].text == "tcp dport @ports accept")
    }

    @Test func adjacentIntervalsOfAVerdictMapKeepTheirVerdicts() throws {
        // tcp dport vmap @pv, pv = { 1000-1999 : accept, 2000-2999 : drop }
        let map = SetObject(family: .inet, table: "t", name: "pv", flags: 0xc, keyLength: 2, dataType: 0xffff_ff00, elements: [
            element("0x0000b80b", count: 2, end: true), element("0x0000d007", count: 2, data: .verdict(.drop, chain: nil)),
            element("0x0000d007", count: 2, end: true), element("0x0000e803", count: 2, data: .verdict(.accept, chain: nil)),
            element("0x00000000", count: 2, end: true),
        ])
        let (rules, _) = try delinearize("""
        inet t input handle 4
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ lookup reg 1 set pv dreg 0 ]
        """, sets: [map])
        #expect(rules.map(conditions) == [
            [.layer4Protocol(protocols(6)), .port(.destination, ports(1000...1999))],
            [.layer4Protocol(protocols(6)), .port(.destination, ports(2000...2999))],
        ])
        #expect(rules.map(\.action) == [.verdict(.accept), .verdict(.drop)])
    }
}
