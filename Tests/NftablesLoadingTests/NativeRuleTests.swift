import FirewallModel
import NftablesBytecode
import NftablesLoading
import Testing

/// Native nft rules: each case is the rule, its bytecode as `nft --debug=netlink` printed it
/// (captured from the kernel in a private namespace), and the model it must give.
@Suite struct NativeRuleTests {
    @Test func tcpDestinationPortWithItsProtocolDependency() throws {
        // tcp dport 22 accept
        let (rules, diagnostics) = try delinearize("""
        inet filter input handle 4
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ cmp eq reg 1 0x00001600 ]
          [ immediate reg 0 accept ]
        """)
        #expect(rules.count == 1)
        #expect(conditions(rules[0]) == [.layer4Protocol(protocols(6)), .port(.destination, ports(22...22))])
        #expect(rules[0].action == .verdict(.accept))
        #expect(rules[0].text == "tcp dport 22 accept")
        #expect(rules[0].location.detail == "table inet filter chain input handle 4")
        #expect(diagnostics.isEmpty)
    }

    @Test func sourcePortOfUdpIsTheFirstTwoBytes() throws {
        // udp sport 53 drop (ip table: no family check needed)
        let (rules, _) = try delinearize("""
        ip filter input handle 2
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000011 ]
          [ payload load 2b @ transport header + 0 => reg 1 ]
          [ cmp eq reg 1 0x00003500 ]
          [ immediate reg 0 drop ]
        """)
        #expect(conditions(rules[0]) == [.layer4Protocol(protocols(17)), .port(.source, ports(53...53))])
        #expect(rules[0].action == .verdict(.drop))
    }

    @Test func connectionStateBitmaskTest() throws {
        // ct state established,related accept
        let (rules, _) = try delinearize("""
        inet filter input handle 5
          [ ct load state => reg 1 ]
          [ bitwise reg 1 = ( reg 1 & 0x00000006 ) ^ 0x00000000 ]
          [ cmp neq reg 1 0x00000000 ]
          [ immediate reg 0 accept ]
        """)
        #expect(conditions(rules[0]) == [.connectionState([.established, .related])])
        #expect(!rules[0].matches[0].negated)
        #expect(rules[0].text == "ct state established,related accept")
    }

    @Test func connectionStateNegatedAndExact() throws {
        // ct state != established drop; ct state new accept (exact compare)
        let (rules, _) = try delinearize("""
        inet filter input handle 6
          [ ct load state => reg 1 ]
          [ bitwise reg 1 = ( reg 1 & 0x00000002 ) ^ 0x00000000 ]
          [ cmp eq reg 1 0x00000000 ]
          [ immediate reg 0 drop ]
        inet filter input handle 7
          [ ct load state => reg 1 ]
          [ cmp eq reg 1 0x00000008 ]
          [ immediate reg 0 accept ]
        """)
        #expect(rules[0].matches[0].condition == .connectionState([.new, .related, .invalid, .untracked]))
        #expect(rules[0].matches[0].negated == false)
        #expect(rules[1].matches[0].condition == .connectionState(.new))
    }

    @Test func partialAddressLoadIsAPrefix() throws {
        // ip saddr 10.1.2.0/24 udp dport 53 counter accept
        let (rules, _) = try delinearize("""
        inet filter input handle 8
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ payload load 3b @ network header + 12 => reg 1 ]
          [ cmp eq reg 1 0x0002010a ]
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000011 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ cmp eq reg 1 0x00003500 ]
          [ counter pkts 0 bytes 0 ]
          [ immediate reg 0 accept ]
        """)
        #expect(conditions(rules[0]) == [.addressFamily(.ipv4), .address(.source, addresses("10.1.2.0/24")),
                                         .layer4Protocol(protocols(17)), .port(.destination, ports(53...53))])
        #expect(rules[0].text == "ip saddr 10.1.2.0/24 udp dport 53 counter accept")
    }

    @Test func maskedAddressPrefix() throws {
        // ip daddr 192.168.16.0/20 accept: 3-byte load, mask 255.255.240
        let (rules, _) = try delinearize("""
        ip filter input handle 9
          [ payload load 3b @ network header + 16 => reg 1 ]
          [ bitwise reg 1 = ( reg 1 & 0x00f0ffff ) ^ 0x00000000 ]
          [ cmp eq reg 1 0x0010a8c0 ]
          [ immediate reg 0 accept ]
        """)
        #expect(conditions(rules[0]) == [.address(.destination, addresses("192.168.16.0/20"))])
    }

    @Test func zeroMaskMatchesEveryAddress() throws {
        // ip saddr & 0.0.0.0 == 0.0.0.0 (built): no bits kept, every IPv4 address.
        let (rules, _) = try delinearize("""
        ip filter input handle 11
          [ payload load 4b @ network header + 12 => reg 1 ]
          [ bitwise reg 1 = ( reg 1 & 0x00000000 ) ^ 0x00000000 ]
          [ cmp eq reg 1 0x00000000 ]
          [ immediate reg 0 accept ]
        """)
        #expect(conditions(rules[0]) == [.address(.source, AddressSet(AddressFamily.ipv4.domain))])
    }

    @Test func ipv6Prefix() throws {
        // ip6 saddr 2001:db8::/32 drop
        let (rules, _) = try delinearize("""
        inet filter input handle 10
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x0000000a ]
          [ payload load 4b @ network header + 8 => reg 1 ]
          [ cmp eq reg 1 0xb80d0120 ]
          [ immediate reg 0 drop ]
        """)
        #expect(conditions(rules[0]) == [.addressFamily(.ipv6), .address(.source, addresses("2001:db8::/32"))])
        #expect(rules[0].text == "ip6 saddr 2001:db8::/32 drop")
    }

    @Test func interfaceNamesExactAndWildcard() throws {
        // iifname "eth*" drop; iifname "lo" accept; oifname != "eth0" drop
        let (rules, _) = try delinearize("""
        inet filter input handle 11
          [ meta load iifname => reg 1 ]
          [ cmp eq reg 1 0x00687465 ]
          [ immediate reg 0 drop ]
        inet filter input handle 12
          [ meta load iifname => reg 1 ]
          [ cmp eq reg 1 0x00006f6c 0x00000000 0x00000000 0x00000000 ]
          [ immediate reg 0 accept ]
        inet filter input handle 13
          [ meta load oifname => reg 1 ]
          [ cmp neq reg 1 0x30687465 0x00000000 0x00000000 0x00000000 ]
          [ immediate reg 0 drop ]
        """)
        #expect(conditions(rules[0]) == [.inInterface(InterfacePattern(name: "eth", isWildcard: true))])
        #expect(rules[0].text == "iifname \"eth*\" drop")
        #expect(conditions(rules[1]) == [.inInterface(InterfacePattern(name: "lo", isWildcard: false))])
        #expect(conditions(rules[2]) == [.outInterface(InterfacePattern(name: "eth0", isWildcard: false))])
        #expect(rules[2].matches[0].negated)
    }

    @Test func interfaceIndexesNeedNames() throws {
        // iif 2 accept
        let notation = """
        inet filter input handle 14
          [ meta load iif => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ immediate reg 0 accept ]
        """
        let named = try delinearize(notation, interfaceNames: [2: "eth0"])
        #expect(conditions(named.rules[0]) == [.inInterface(InterfacePattern(name: "eth0", isWildcard: false))])
        let unnamed = try delinearize(notation)
        #expect(unnamed.rules[0].matches[0].isOpaque)
        #expect(unnamed.diagnostics.contains { $0.severity == .warning && $0.message.contains("[ cmp eq reg 1 0x00000002 ]") })
    }

    @Test func marksAreHostOrder() throws {
        // meta mark 0x10 accept; meta mark & 0xff == 0x1 accept; ct mark 5 accept
        let (rules, _) = try delinearize("""
        inet filter input handle 15
          [ meta load mark => reg 1 ]
          [ cmp eq reg 1 0x00000010 ]
          [ immediate reg 0 accept ]
        inet filter input handle 16
          [ meta load mark => reg 1 ]
          [ bitwise reg 1 = ( reg 1 & 0x000000ff ) ^ 0x00000000 ]
          [ cmp eq reg 1 0x00000001 ]
          [ immediate reg 0 accept ]
        inet filter input handle 17
          [ ct load mark => reg 1 ]
          [ cmp eq reg 1 0x00000005 ]
          [ immediate reg 0 accept ]
        """)
        #expect(conditions(rules[0]) == [.packetMark(value: 0x10, mask: 0xffff_ffff)])
        #expect(conditions(rules[1]) == [.packetMark(value: 1, mask: 0xff)])
        #expect(conditions(rules[2]) == [.connectionMark(value: 5, mask: 0xffff_ffff)])
    }

    @Test func greaterAndLessThanPairsBecomeOneRange() throws {
        // tcp dport 1000-2000 accept; tcp dport >= 3000 accept; tcp dport < 1024 accept
        let (rules, _) = try delinearize("""
        inet filter input handle 18
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ cmp gte reg 1 0x0000e803 ]
          [ cmp lte reg 1 0x0000d007 ]
          [ immediate reg 0 accept ]
        inet filter input handle 19
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ cmp gte reg 1 0x0000b80b ]
          [ immediate reg 0 accept ]
        inet filter input handle 20
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ cmp lt reg 1 0x00000004 ]
          [ immediate reg 0 accept ]
        """)
        #expect(conditions(rules[0]) == [.layer4Protocol(protocols(6)), .port(.destination, ports(1000...2000))])
        #expect(rules[0].text == "tcp dport 1000-2000 accept")
        #expect(conditions(rules[1]) == [.layer4Protocol(protocols(6)), .port(.destination, ports(3000...65535))])
        #expect(conditions(rules[2]) == [.layer4Protocol(protocols(6)), .port(.destination, ports(0...1023))])
    }

    @Test func rangeExpression() throws {
        // tcp dport != 1000-2000 (nft emits range neq)
        let (rules, _) = try delinearize("""
        inet filter input handle 21
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ range neq reg 1 0x0000e803 0x0000d007 ]
          [ immediate reg 0 drop ]
        """)
        #expect(rules[0].matches[1].condition == .port(.destination, ports(1000...2000)))
        #expect(rules[0].matches[1].negated)
    }

    @Test func negatedPortStillNeedsTheHeader() throws {
        // tcp dport != 22 drop: negated .port, which never matches a packet without ports.
        let (rules, _) = try delinearize("""
        inet filter input handle 22
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ cmp neq reg 1 0x00001600 ]
          [ immediate reg 0 drop ]
        """)
        #expect(rules[0].matches[0].condition == .layer4Protocol(protocols(6)))
        #expect(!rules[0].matches[0].negated)
        #expect(rules[0].matches[1].condition == .port(.destination, ports(22...22)))
        #expect(rules[0].matches[1].negated)
        #expect(rules[0].text == "tcp dport != 22 drop")
    }

    @Test func transportHeaderPortWithoutProtocol() throws {
        // th dport 99 accept
        let (rules, _) = try delinearize("""
        inet filter input handle 23
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ cmp eq reg 1 0x00006300 ]
          [ immediate reg 0 accept ]
        """)
        guard case .oneOf(let alternatives) = rules[0].matches[0].condition else { Issue.record("expected oneOf"); return }
        #expect(alternatives.count == 2)
        #expect(alternatives[0].map(\.condition) == [.port(.destination, ports(99...99))])
        #expect(alternatives[1][0].condition == .layer4Protocol(ProtocolSet(ranges: [6...6, 17...17, 132...132, 136...136]).complement()))
        #expect(alternatives[1][1].isOpaque)
        #expect(rules[0].text == "th dport 99 accept")
    }

    @Test func tcpFlagsAndIcmpTypes() throws {
        // tcp flags & (syn|ack) == syn accept; icmp type echo-request accept; icmpv6 type echo-request accept
        let (rules, _) = try delinearize("""
        inet filter input handle 24
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 1b @ transport header + 13 => reg 1 ]
          [ bitwise reg 1 = ( reg 1 & 0x00000012 ) ^ 0x00000000 ]
          [ cmp eq reg 1 0x00000002 ]
          [ immediate reg 0 accept ]
        inet filter input handle 25
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000001 ]
          [ payload load 1b @ transport header + 0 => reg 1 ]
          [ cmp eq reg 1 0x00000008 ]
          [ immediate reg 0 accept ]
        inet filter input handle 26
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x0000000a ]
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x0000003a ]
          [ payload load 1b @ transport header + 0 => reg 1 ]
          [ cmp eq reg 1 0x00000080 ]
          [ immediate reg 0 accept ]
        """)
        #expect(conditions(rules[0]).last == .tcpFlags(mask: 0x12, compare: 0x02))
        #expect(conditions(rules[1]).last == .icmpType(IntervalSet(0x0800...0x08ff)))
        #expect(conditions(rules[2]).last == .icmpType(IntervalSet(0x8000...0x80ff)))
        #expect(conditions(rules[2]).first == .addressFamily(.ipv6))
    }

    @Test func familyAndProtocolMeta() throws {
        // meta l4proto tcp accept; meta nfproto ipv4 accept; meta protocol ip6 accept
        let (rules, _) = try delinearize("""
        inet filter input handle 27
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ immediate reg 0 accept ]
        inet filter input handle 28
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ immediate reg 0 accept ]
        inet filter input handle 29
          [ meta load protocol => reg 1 ]
          [ cmp eq reg 1 0x0000dd86 ]
          [ immediate reg 0 accept ]
        """)
        #expect(conditions(rules[0]) == [.layer4Protocol(protocols(6))])
        #expect(rules[0].text == "meta l4proto tcp accept")
        #expect(conditions(rules[1]) == [.addressFamily(.ipv4)])
        #expect(conditions(rules[2]) == [.addressFamily(.ipv6)])
    }

    @Test func fibDestinationTypeLocal() throws {
        // fib daddr type local accept; fib daddr . iif type local (not exact)
        let (rules, diagnostics) = try delinearize("""
        inet filter input handle 30
          [ fib daddr type => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ immediate reg 0 accept ]
        inet filter input handle 31
          [ fib daddr . iif type => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ immediate reg 0 accept ]
        """)
        #expect(conditions(rules[0]) == [.addressType(.destination, [.local])])
        #expect(rules[1].matches[0].isOpaque)
        #expect(diagnostics.count == 1)
    }

    @Test func opaqueStatementsAreBoundedAndReported() throws {
        // A limit with a flag the model does not know (bit 1) stays opaque.
        let (rules, diagnostics) = try delinearize("""
        inet filter input handle 32
          [ limit rate 5/minute burst 5 type packets flags 0x2 ]
          [ immediate reg 0 accept ]
        """)
        #expect(rules[0].matches.count == 1)
        #expect(rules[0].matches[0].isOpaque)
        #expect(rules[0].action == .verdict(.accept))
        #expect(diagnostics.count == 1)
        #expect(diagnostics[0].location?.detail == "table inet filter chain input handle 32")
        #expect(diagnostics[0].message.contains("[ limit rate 5/minute burst 5 type packets flags 0x2 ]"))
    }

    @Test func unknownExpressionIsOpaqueNotDropped() throws {
        let (rules, diagnostics) = try delinearize("""
        inet filter input handle 33
          [ tunnel load id => reg 1 ]
          [ immediate reg 0 accept ]
        """)
        #expect(rules[0].matches.count == 1 && rules[0].matches[0].isOpaque)
        #expect(diagnostics.contains { $0.message.contains("tunnel") })
    }

    @Test func verdictsAndChains() throws {
        // jump other; goto other; return; reject; log prefix "x" drop; counter; log
        let (rules, _) = try delinearize("""
        inet filter input handle 34
          [ immediate reg 0 jump -> other ]
        inet filter input handle 35
          [ immediate reg 0 goto -> other ]
        inet filter input handle 36
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ reject type 0 code 3 ]
        inet filter input handle 37
          [ log prefix x ]
          [ immediate reg 0 drop ]
        inet filter input handle 38
          [ counter pkts 0 bytes 0 ]
        inet filter input handle 39
          [ log prefix y ]
        inet filter input handle 40
          [ immediate reg 0 return ]
        inet filter other handle 41
          [ immediate reg 0 continue ]
        """)
        #expect(rules.map(\.action) == [.jump("other"), .goto("other"), .verdict(.reject), .verdict(.drop), .none, .continue("log"), .return])
        #expect(rules[3].text == "log prefix \"x\" drop")
    }

    @Test func jumpToMissingChainIsAnError() throws {
        let notation = """
        inet filter input handle 42
          [ immediate reg 0 jump -> nowhere ]
        """
        #expect(throws: NftablesLoadingError.self) { try delinearize(notation) }
        do {
            _ = try delinearize(notation)
        } catch let error as NftablesLoadingError {
            #expect(error.location.detail == "table inet filter chain input handle 42")
            #expect(error.message.contains("nowhere"))
        }
    }

    @Test func readingAnUnwrittenRegisterIsAnError() throws {
        #expect(throws: NftablesLoadingError.self) {
            try delinearize("""
            inet filter input handle 43
              [ cmp eq reg 1 0x00000006 ]
            """)
        }
    }

    @Test func addressTranslation() throws {
        // tcp dport 80 dnat to 10.0.0.1:8080; oifname "eth0" masquerade; redirect to :3128; snat to 192.0.2.1
        let (rules, _) = try delinearize("""
        ip nat pre handle 2
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ cmp eq reg 1 0x00005000 ]
          [ immediate reg 1 0x0100000a ]
          [ immediate reg 2 0x0000901f ]
          [ nat dnat ip addr_min reg 1 proto_min reg 2 flags 0x2 ]
        ip nat pre handle 3
          [ meta load oifname => reg 1 ]
          [ cmp eq reg 1 0x30687465 0x00000000 0x00000000 0x00000000 ]
          [ masq ]
        ip nat pre handle 4
          [ immediate reg 1 0x0000380c ]
          [ redir proto_min reg 1 flags 0x2 ]
        ip nat pre handle 5
          [ immediate reg 1 0x010200c0 ]
          [ nat snat ip addr_min reg 1 ]
        """)
        #expect(rules[0].action == .nat(.destination(address: AddressSet(value: 0x0a00_0001), ports: ports(8080...8080))))
        #expect(rules[0].text == "tcp dport 80 dnat to 10.0.0.1:8080")
        #expect(conditions(rules[1]) == [.outInterface(InterfacePattern(name: "eth0", isWildcard: false))])
        #expect(rules[1].action == .nat(.masquerade))
        #expect(rules[2].action == .nat(.redirect(ports: ports(3128...3128))))
        #expect(rules[3].action == .nat(.source(address: AddressSet(value: 0xc000_0201), ports: nil)))
    }

    @Test func marksNotrackAndCombinedEffects() throws {
        // meta mark set 0x2; ct mark set meta mark; meta mark set ct mark; notrack; meta mark set 0x1 accept
        let (rules, _) = try delinearize("""
        inet filter input handle 44
          [ immediate reg 1 0x00000002 ]
          [ meta set mark with reg 1 ]
        inet filter input handle 45
          [ meta load mark => reg 1 ]
          [ ct set mark with reg 1 ]
        inet filter input handle 46
          [ ct load mark => reg 1 ]
          [ meta set mark with reg 1 ]
        inet filter input handle 47
          [ notrack ]
        inet filter input handle 48
          [ meta load mark => reg 1 ]
          [ bitwise reg 1 = ( reg 1 & 0xffffff00 ) ^ 0x00000007 ]
          [ meta set mark with reg 1 ]
          [ immediate reg 0 accept ]
        """)
        #expect(rules.map(\.action) == [
            .setMark(value: 2, mask: 0xffff_ffff), .connectionMark(.save), .connectionMark(.restore), .notrack,
            .setMark(value: 7, mask: 0xff), .verdict(.accept),
        ])
        #expect(rules[4].location == rules[5].location)
    }

    @Test func baseChainsAcrossFamilies() throws {
        let snapshot = Snapshot(
            tables: [TableObject(family: .inet, name: "filter"), TableObject(family: .ip, name: "nat"),
                     TableObject(family: .netdev, name: "edge"), TableObject(family: .bridge, name: "br")],
            chains: [
                ChainObject(family: .inet, table: "filter", name: "input", hook: 1, priority: 0, policy: 0, type: "filter"),
                ChainObject(family: .inet, table: "filter", name: "helper"),
                ChainObject(family: .ip, table: "nat", name: "post", hook: 4, priority: 100, policy: 1, type: "nat"),
                ChainObject(family: .netdev, table: "edge", name: "in", hook: 0, priority: -500, policy: 1, type: "filter", device: "eth0"),
                ChainObject(family: .bridge, table: "br", name: "fwd", hook: 2, priority: 0, policy: 1, type: "filter"),
                ChainObject(family: .inet, table: "filter", name: "ing", hook: 5, priority: 0, policy: 1, type: "filter", device: "eth0"),
            ])
        let ruleset = try NftablesLoader.load(snapshot, source: "live")
        #expect(ruleset.tables.map(\.family) == [.inet, .ip, .netdev, .bridge])
        let filter = ruleset.tables[0]
        #expect(filter.chains[0].base == BaseChain(hook: .input, priority: 0, policy: .drop))
        #expect(filter.chains[1].base == nil)
        #expect(filter.chains[2].base == nil)
        #expect(ruleset.tables[1].chains[0].base == BaseChain(hook: .postrouting, priority: 100, policy: .accept, isNat: true))
        #expect(ruleset.tables[2].chains[0].base == nil)
        #expect(ruleset.tables[3].chains[0].base?.hook == .forward)
        #expect(ruleset.diagnostics.filter { $0.message.contains("not on the IP paths") }.count == 3)
        #expect(ruleset.baseChains(on: .forward, family: .ipv4).isEmpty)
    }
}
