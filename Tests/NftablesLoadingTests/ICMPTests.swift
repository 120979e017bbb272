import FirewallModel
import NftablesBytecode
import NftablesLoading
import Testing

/// The ICMP and ICMPv6 idioms of ordinary hosts, each an exact protocol and type condition, with
/// the rule text nft lists. Bytecode and set elements as `nft --debug=netlink` printed them for
/// the rule in each comment (nft 1.0.6).
@Suite struct ICMPTests {
    static func types(_ values: UInt16...) -> IntervalSet<UInt16> {
        IntervalSet(ranges: values.map { ($0 << 8)...($0 << 8 | 0xff) })
    }

    /// An anonymous set of single ICMP types, as nft makes it for `{ … }`.
    static func typeSet(_ name: String, _ words: String...) -> SetObject {
        SetObject(family: .inet, table: "filter", name: name, flags: 0x3, keyLength: 1, elements: words.map { element($0, count: 1) })
    }

    @Test func debianNeighbourDiscoveryIdiom() throws {
        // meta l4proto ipv6-icmp icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept (no family check)
        let (rules, diagnostics) = try delinearize("""
        inet filter input handle 3
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x0000003a ]
          [ payload load 1b @ transport header + 0 => reg 1 ]
          [ lookup reg 1 set __set0 ]
          [ immediate reg 0 accept ]
        """, sets: [Self.typeSet("__set0", "0x00000087", "0x00000088", "0x00000086")])
        #expect(conditions(rules[0]) == [.layer4Protocol(protocols(58)), .icmpType(Self.types(134, 135, 136))])
        #expect(rules[0].text == "icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } accept")
        #expect(diagnostics.isEmpty)
    }

    @Test func ip6NextHeaderIdiom() throws {
        // ip6 nexthdr icmpv6 icmpv6 type { nd-neighbor-solicit, echo-request } accept
        let (rules, diagnostics) = try delinearize("""
        inet filter input handle 5
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x0000000a ]
          [ payload load 1b @ network header + 6 => reg 1 ]
          [ cmp eq reg 1 0x0000003a ]
          [ payload load 1b @ transport header + 0 => reg 1 ]
          [ lookup reg 1 set __set1 ]
          [ immediate reg 0 accept ]
        """, sets: [Self.typeSet("__set1", "0x00000087", "0x00000080")])
        #expect(conditions(rules[0]) == [.addressFamily(.ipv6), .layer4Protocol(protocols(58)), .icmpType(Self.types(128, 135))])
        #expect(rules[0].text == "ip6 nexthdr ipv6-icmp icmpv6 type { echo-request, nd-neighbor-solicit } accept")
        #expect(diagnostics.isEmpty)
    }

    @Test func icmpTypeInAnInetTable() throws {
        // icmp type echo-request accept; icmpv6 type { nd-neighbor-solicit, nd-router-advert } accept
        let (rules, _) = try delinearize("""
        inet filter input handle 6
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000001 ]
          [ payload load 1b @ transport header + 0 => reg 1 ]
          [ cmp eq reg 1 0x00000008 ]
          [ immediate reg 0 accept ]
        inet filter input handle 10
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x0000000a ]
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x0000003a ]
          [ payload load 1b @ transport header + 0 => reg 1 ]
          [ lookup reg 1 set __set2 ]
          [ immediate reg 0 accept ]
        """, sets: [Self.typeSet("__set2", "0x00000087", "0x00000086")])
        #expect(conditions(rules[0]) == [.addressFamily(.ipv4), .layer4Protocol(protocols(1)), .icmpType(Self.types(8))])
        #expect(rules[0].text == "icmp type echo-request accept")
        #expect(conditions(rules[1]) == [.addressFamily(.ipv6), .layer4Protocol(protocols(58)), .icmpType(Self.types(134, 135))])
        #expect(rules[1].text == "icmpv6 type { nd-router-advert, nd-neighbor-solicit } accept")
    }

    @Test func metaL4protoIcmpWithASet() throws {
        // meta l4proto icmp icmp type { echo-request, destination-unreachable } accept (no family check)
        let (rules, diagnostics) = try delinearize("""
        inet filter input handle 8
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000001 ]
          [ payload load 1b @ transport header + 0 => reg 1 ]
          [ lookup reg 1 set __set3 ]
          [ immediate reg 0 accept ]
        """, sets: [Self.typeSet("__set3", "0x00000008", "0x00000003")])
        #expect(conditions(rules[0]) == [.layer4Protocol(protocols(1)), .icmpType(Self.types(3, 8))])
        #expect(rules[0].text == "icmp type { destination-unreachable, echo-request } accept")
        #expect(diagnostics.isEmpty)
    }

    @Test func withConnectionState() throws {
        // icmpv6 type echo-request ct state new accept
        let (rules, _) = try delinearize("""
        inet filter input handle 11
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x0000000a ]
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x0000003a ]
          [ payload load 1b @ transport header + 0 => reg 1 ]
          [ cmp eq reg 1 0x00000080 ]
          [ ct load state => reg 1 ]
          [ bitwise reg 1 = ( reg 1 & 0x00000008 ) ^ 0x00000000 ]
          [ cmp neq reg 1 0x00000000 ]
          [ immediate reg 0 accept ]
        """)
        #expect(conditions(rules[0]) == [.addressFamily(.ipv6), .layer4Protocol(protocols(58)), .icmpType(Self.types(128)), .connectionState(.new)])
        #expect(rules[0].text == "icmpv6 type echo-request ct state new accept")
    }

    @Test func ipProtocolIcmpInAnInetTable() throws {
        // ip protocol icmp icmp type echo-request accept
        let (rules, _) = try delinearize("""
        inet filter input handle 12
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ payload load 1b @ network header + 9 => reg 1 ]
          [ cmp eq reg 1 0x00000001 ]
          [ payload load 1b @ transport header + 0 => reg 1 ]
          [ cmp eq reg 1 0x00000008 ]
          [ immediate reg 0 accept ]
        """)
        #expect(conditions(rules[0]) == [.addressFamily(.ipv4), .layer4Protocol(protocols(1)), .icmpType(Self.types(8))])
        #expect(rules[0].text == "ip protocol icmp icmp type echo-request accept")
    }

    @Test func typeAndCodeReadTogether() throws {
        // icmp type destination-unreachable icmp code port-unreachable accept; the same for icmpv6
        let (rules, _) = try delinearize("""
        inet filter input handle 13
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000001 ]
          [ payload load 2b @ transport header + 0 => reg 1 ]
          [ cmp eq reg 1 0x00000303 ]
          [ immediate reg 0 accept ]
        inet filter input handle 14
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x0000000a ]
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x0000003a ]
          [ payload load 2b @ transport header + 0 => reg 1 ]
          [ cmp eq reg 1 0x00000401 ]
          [ immediate reg 0 accept ]
        """)
        #expect(conditions(rules[0]).last == .icmpType(IntervalSet(value: 0x0303)))
        #expect(rules[0].text == "icmp type destination-unreachable icmp code port-unreachable accept")
        #expect(conditions(rules[1]).last == .icmpType(IntervalSet(value: 0x0104)))
        #expect(rules[1].text == "icmpv6 type destination-unreachable icmpv6 code port-unreachable accept")
    }

    @Test func negatedTypeAndARange() throws {
        // icmp type != echo-request drop; icmp type 133-140 accept (a range nft prints as numbers)
        let (rules, _) = try delinearize("""
        inet filter input handle 15
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000001 ]
          [ payload load 1b @ transport header + 0 => reg 1 ]
          [ cmp neq reg 1 0x00000008 ]
          [ immediate reg 0 drop ]
        inet filter input handle 16
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000001 ]
          [ payload load 1b @ transport header + 0 => reg 1 ]
          [ cmp gte reg 1 0x00000085 ]
          [ cmp lte reg 1 0x0000008c ]
          [ immediate reg 0 accept ]
        """)
        #expect(rules[0].matches.last?.condition == .icmpType(Self.types(8)))
        #expect(rules[0].matches.last?.negated == true)
        #expect(rules[0].text == "icmp type != echo-request drop")
        #expect(rules[1].matches.last?.condition == .icmpType(IntervalSet(0x8500...0x8cff)))
        #expect(rules[1].text == "icmp type 133-140 accept")
    }

    @Test func codesByName() throws {
        // icmpv6 code { no-route, admin-prohibited, 2 } accept
        let set = SetObject(family: .inet, table: "filter", name: "__set4", flags: 0x3, keyLength: 1,
                            elements: [element("0x00000000", count: 1), element("0x00000001", count: 1), element("0x00000002", count: 1)])
        let (rules, _) = try delinearize("""
        inet filter input handle 17
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x0000000a ]
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x0000003a ]
          [ payload load 1b @ transport header + 1 => reg 1 ]
          [ lookup reg 1 set __set4 ]
          [ immediate reg 0 accept ]
        """, sets: [set])
        #expect(rules[0].text == "icmpv6 code { no-route, admin-prohibited, 2 } accept")
        guard case .icmpType(let combined)? = rules[0].matches.last?.condition else { Issue.record("expected icmp codes"); return }
        #expect(combined.contains(0x8700) && combined.contains(0x8702) && !combined.contains(0x8703))
    }

    @Test func ipAndIp6Tables() throws {
        // table ip t4: icmp type echo-request accept; table ip6 t6: icmpv6 type nd-neighbor-solicit accept (both: meta l4proto only)
        let (v4, _) = try delinearize("""
        ip t4 input handle 2
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000001 ]
          [ payload load 1b @ transport header + 0 => reg 1 ]
          [ cmp eq reg 1 0x00000008 ]
          [ immediate reg 0 accept ]
        """)
        #expect(conditions(v4[0]) == [.layer4Protocol(protocols(1)), .icmpType(Self.types(8))])
        #expect(v4[0].text == "icmp type echo-request accept")
        let (v6, _) = try delinearize("""
        ip6 t6 input handle 3
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x0000003a ]
          [ payload load 1b @ transport header + 0 => reg 1 ]
          [ cmp eq reg 1 0x00000087 ]
          [ immediate reg 0 accept ]
        """)
        #expect(conditions(v6[0]) == [.layer4Protocol(protocols(58)), .icmpType(Self.types(135))])
        #expect(v6[0].text == "icmpv6 type nd-neighbor-solicit accept")
    }
}
