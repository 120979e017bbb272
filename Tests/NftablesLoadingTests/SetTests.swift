import FirewallModel
import NftablesBytecode
import NftablesLoading
import Testing

/// Lookups in named and anonymous sets, concatenations, verdict maps and data maps. Element keys
/// are the words `nft --debug=netlink` printed for each set.
@Suite struct SetTests {
    /// set s4 { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.168.1.1 } }
    let s4 = SetObject(family: .inet, table: "filter", name: "s4", flags: 0x4, keyType: 7, keyLength: 4, elements: [
        element("0x00000000", end: true), element("0x0000000a"), element("0x0000000b", end: true),
        element("0x0101a8c0"), element("0x0201a8c0", end: true),
    ])

    @Test func namedIntervalSetAndItsInverse() throws {
        // ip saddr @s4 accept; ip saddr != @s4 drop
        let (rules, _) = try delinearize("""
        inet filter input handle 4
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ payload load 4b @ network header + 12 => reg 1 ]
          [ lookup reg 1 set s4 ]
          [ immediate reg 0 accept ]
        inet filter input handle 5
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ payload load 4b @ network header + 12 => reg 1 ]
          [ lookup reg 1 set s4 0x1 ]
          [ immediate reg 0 drop ]
        """, sets: [s4])
        let expected = addresses("10.0.0.0/8").union(addresses("192.168.1.1"))
        #expect(conditions(rules[0]) == [.addressFamily(.ipv4), .address(.source, expected)])
        #expect(rules[0].text == "ip saddr @s4 accept")
        #expect(rules[1].matches[1].condition == .address(.source, expected))
        #expect(rules[1].matches[1].negated)
        #expect(rules[1].text == "ip saddr != @s4 drop")
    }

    @Test func anonymousIntervalSetOpenAtTheTop() throws {
        // tcp dport { 1000-2000, 60000-65535 } accept
        let anonymous = SetObject(family: .inet, table: "t", name: "__set0", flags: 0x7, keyType: 13, keyLength: 2, elements: [
            element("0x00000000", count: 2, end: true), element("0x0000e803", count: 2), element("0x0000d107", count: 2, end: true),
            element("0x000060ea", count: 2),
        ])
        let (rules, _) = try delinearize("""
        inet t input handle 2
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ lookup reg 1 set __set0 ]
          [ immediate reg 0 accept ]
        """, sets: [anonymous])
        #expect(conditions(rules[0]) == [.layer4Protocol(protocols(6)), .port(.destination, ports(1000...2000, 60000...65535))])
        #expect(rules[0].text == "tcp dport { 1000-2000, 60000-65535 } accept")
    }

    @Test func concatenationBecomesOneOf() throws {
        // ip saddr . tcp dport @c accept, c = { 10.0.0.1 . 22, 10.0.0.2 . 80 }
        let c = SetObject(family: .inet, table: "filter", name: "c", keyLength: 8, fieldLengths: [4, 2], elements: [
            element("0x0100000a 0x00001600", count: 8), element("0x0200000a 0x00005000", count: 8),
        ])
        let (rules, _) = try delinearize("""
        inet filter input handle 6
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 4b @ network header + 12 => reg 1 ]
          [ payload load 2b @ transport header + 2 => reg 9 ]
          [ lookup reg 1 set c ]
          [ immediate reg 0 accept ]
        """, sets: [c])
        guard case .oneOf(let alternatives) = rules[0].matches.last?.condition else { Issue.record("expected oneOf"); return }
        #expect(alternatives.map { $0.map(\.condition) } == [
            [.address(.source, addresses("10.0.0.1")), .port(.destination, ports(22...22))],
            [.address(.source, addresses("10.0.0.2")), .port(.destination, ports(80...80))],
        ])
        #expect(rules[0].text == "ip saddr . tcp dport @c accept")
    }

    @Test func concatenatedRanges() throws {
        // set cr { type ipv4_addr . inet_service; flags interval; elements = { 10.0.0.0/8 . 1000-2000 } }
        let cr = SetObject(family: .inet, table: "t", name: "cr", flags: 0x84, keyLength: 8, fieldLengths: [4, 2], elements: [
            element("0x0000000a 0x0000e803", count: 8, keyEnd: "0xffffff0a 0x0000d007"),
        ])
        let (rules, _) = try delinearize("""
        inet t input handle 3
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 4b @ network header + 12 => reg 1 ]
          [ payload load 2b @ transport header + 2 => reg 9 ]
          [ lookup reg 1 set cr ]
          [ immediate reg 0 accept ]
        """, sets: [cr])
        guard case .oneOf(let alternatives) = rules[0].matches.last?.condition else { Issue.record("expected oneOf"); return }
        #expect(alternatives.map { $0.map(\.condition) } == [[.address(.source, addresses("10.0.0.0/8")), .port(.destination, ports(1000...2000))]])
    }

    @Test func verdictMapGivesOneRulePerKey() throws {
        // tcp dport vmap @vm, vm = { 22 : accept, 23 : drop }
        let vm = SetObject(family: .inet, table: "filter", name: "vm", flags: 0x8, keyLength: 2, dataType: 0xffff_ff00, elements: [
            element("0x00001600", count: 2, data: .verdict(.accept, chain: nil)),
            element("0x00001700", count: 2, data: .verdict(.drop, chain: nil)),
        ])
        let (rules, _) = try delinearize("""
        inet filter input handle 7
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ lookup reg 1 set vm dreg 0 ]
        """, sets: [vm])
        #expect(rules.count == 2)
        #expect(conditions(rules[0]) == [.layer4Protocol(protocols(6)), .port(.destination, ports(22...22))])
        #expect(rules[0].action == .verdict(.accept))
        #expect(conditions(rules[1]) == [.layer4Protocol(protocols(6)), .port(.destination, ports(23...23))])
        #expect(rules[1].action == .verdict(.drop))
        #expect(rules[1].text == "tcp dport 23 drop")
    }

    @Test func numgenVerdictMapIsAPerConnectionChoiceAndCoversEveryNumber() throws {
        // numgen random mod 3 vmap { 0 : accept, 1 : drop, 2 : accept } (kube-proxy's endpoint pick);
        // numgen values are in host order, as the kernel writes its register.
        let vm = SetObject(family: .inet, table: "filter", name: "__map0", flags: 0x8 | 0x1, keyLength: 4, dataType: 0xffff_ff00, elements: [
            element("0x00000000", count: 4, data: .verdict(.accept, chain: nil)),
            element("0x00000001", count: 4, data: .verdict(.drop, chain: nil)),
            element("0x00000002", count: 4, data: .verdict(.accept, chain: nil)),
        ])
        let (rules, diagnostics) = try delinearize("""
        inet filter input handle 7
          [ numgen reg 1 = random mod 3 ]
          [ lookup reg 1 set __map0 dreg 0 ]
        """, sets: [vm])
        #expect(diagnostics.isEmpty)
        #expect(rules.count == 3)
        // Every key but the last is a choice; the last takes what the others did not: no packet falls through.
        for rule in rules.dropLast() {
            guard case .opaque(let choice)? = rule.matches.first?.condition else { Issue.record("\(rule.text)"); continue }
            #expect(choice.isChoice)
        }
        #expect(rules.last?.matches.isEmpty == true)
        #expect(rules.map(\.action).sorted { "\($0)" < "\($1)" } == [.verdict(.accept), .verdict(.accept), .verdict(.drop)])
    }

    @Test func verdictMapCatchAllTakesWhatNoKeyMatched() throws {
        // ip saddr vmap @cv, cv = { 10.0.0.1 : jump other, * : drop }
        let cv = SetObject(family: .inet, table: "t", name: "cv", flags: 0x8, keyLength: 4, dataType: 0xffff_ff00, elements: [
            element("0x0100000a", data: .verdict(.jump, chain: "other")),
            SetElement(key: Bytes([]), flags: 2, data: .verdict(.drop, chain: nil)),
        ])
        let (rules, _) = try delinearize("""
        inet t input handle 4
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ payload load 4b @ network header + 12 => reg 1 ]
          [ lookup reg 1 set cv dreg 0 ]
        """, sets: [cv], chains: ["other"])
        #expect(rules.count == 2)
        #expect(rules[0].action == .jump("other"))
        // After the jump returns, the catch-all rule must not match the same packet.
        #expect(rules[1].matches.last?.condition == .address(.source, addresses("10.0.0.1")))
        #expect(rules[1].matches.last?.negated == true)
        #expect(rules[1].action == .verdict(.drop))
    }

    @Test func catchAllInAPlainSetMatchesEverything() throws {
        let all = SetObject(family: .inet, table: "t", name: "all", keyLength: 4, elements: [SetElement(key: Bytes([]), flags: 2)])
        let (rules, _) = try delinearize("""
        inet t input handle 5
          [ meta load mark => reg 1 ]
          [ lookup reg 1 set all ]
          [ immediate reg 0 accept ]
        inet t input handle 6
          [ meta load mark => reg 1 ]
          [ lookup reg 1 set all 0x1 ]
          [ immediate reg 0 accept ]
        """, sets: [all])
        #expect(rules[0].matches.isEmpty)
        #expect(conditions(rules[1]) == [.oneOf([])])
    }

    @Test func dataMapForAddressTranslation() throws {
        // dnat ip to tcp dport map @dm, dm = { 80 : 10.0.0.1, 443 : 10.0.0.2 }
        let dm = SetObject(family: .inet, table: "t", name: "dm", flags: 0x8, keyLength: 2, dataType: 7, dataLength: 4, elements: [
            element("0x00005000", count: 2, data: .data(Bytes(words: "0x0100000a", count: 4)!)),
            element("0x0000bb01", count: 2, data: .data(Bytes(words: "0x0200000a", count: 4)!)),
        ])
        let (rules, _) = try delinearize("""
        inet t pre handle 9
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ lookup reg 1 set dm dreg 1 ]
          [ nat dnat ip addr_min reg 1 ]
        """, sets: [dm])
        #expect(rules.map(\.action) == [
            .nat(.destination(address: AddressSet(value: 0x0a00_0001), ports: nil)),
            .nat(.destination(address: AddressSet(value: 0x0a00_0002), ports: nil)),
        ])
        #expect(rules[1].matches.contains { $0.condition == .port(.destination, ports(443...443)) })
        // `dnat ip` in an inet table: packets of the other family go on past the rule.
        #expect(rules[1].matches.contains { $0.condition == .addressFamily(.ipv4) })
    }

    @Test func markIntervalsAfterByteorder() throws {
        // meta mark @marks accept, marks = { 0x10-0x20 }: nft swaps the mark to network order for the interval tree.
        let marks = SetObject(family: .inet, table: "t", name: "marks", flags: 0x4, keyLength: 4, elements: [
            element("0x00000000", end: true), element("0x10000000"), element("0x21000000", end: true),
        ])
        let (rules, _) = try delinearize("""
        inet t input handle 7
          [ meta load mark => reg 1 ]
          [ byteorder reg 1 = hton(reg 1, 4, 4) ]
          [ lookup reg 1 set marks ]
          [ immediate reg 0 accept ]
        """, sets: [marks])
        guard case .oneOf(let alternatives) = rules[0].matches[0].condition else { Issue.record("expected oneOf"); return }
        #expect(alternatives.count == 17)
        #expect(alternatives.first?.first?.condition == .packetMark(value: 0x10, mask: 0xffff_ffff))
        #expect(alternatives.last?.first?.condition == .packetMark(value: 0x20, mask: 0xffff_ffff))
    }

    @Test func interfaceNameSetWithWildcard() throws {
        // iifname { "eth*", "lo" } accept
        let names = SetObject(family: .inet, table: "t", name: "__set1", flags: 0x7, keyLength: 16, elements: [
            element("0x00000000 0x00000000 0x00000000 0x00000000", count: 16, end: true),
            element("0x00687465 0x00000000 0x00000000 0x00000000", count: 16),
            element("0x00697465 0x00000000 0x00000000 0x00000000", count: 16, end: true),
            element("0x00006f6c 0x00000000 0x00000000 0x00000000", count: 16),
            element("0x00006f6c 0x00000000 0x00000000 0x01000000", count: 16, end: true),
        ])
        let (rules, _) = try delinearize("""
        inet t input handle 8
          [ meta load iifname => reg 1 ]
          [ lookup reg 1 set __set1 ]
          [ immediate reg 0 accept ]
        """, sets: [names])
        #expect(conditions(rules[0]) == [.oneOf([
            [Match(.inInterface(InterfacePattern(name: "eth", isWildcard: true)), text: "")],
            [Match(.inInterface(InterfacePattern(name: "lo", isWildcard: false)), text: "")],
        ])])
    }

    @Test func connectionStateSet() throws {
        // ct state { established, related } accept
        let states = SetObject(family: .inet, table: "t", name: "__set2", flags: 0x3, keyLength: 4, elements: [
            element("0x00000002"), element("0x00000004"),
        ])
        let (rules, _) = try delinearize("""
        inet t input handle 9
          [ ct load state => reg 1 ]
          [ lookup reg 1 set __set2 ]
          [ immediate reg 0 accept ]
        """, sets: [states])
        #expect(conditions(rules[0]) == [.connectionState([.established, .related])])
        #expect(rules[0].text == "ct state established,related accept")
    }

    @Test func setsUpdatedAtRunTimeAreOpaque() throws {
        let dynamic = SetObject(family: .inet, table: "t", name: "seen", flags: 0x10, keyLength: 4)
        let (rules, diagnostics) = try delinearize("""
        inet t input handle 10
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ payload load 4b @ network header + 12 => reg 1 ]
          [ lookup reg 1 set seen ]
          [ immediate reg 0 drop ]
        """, sets: [dynamic])
        #expect(rules[0].matches.last?.isOpaque == true)
        #expect(diagnostics.count == 1)
    }

    @Test func connectionStateVerdictMap() throws {
        // ct state vmap { established : accept, related : accept, invalid : drop }
        let map = SetObject(family: .inet, table: "f", name: "__map0", flags: 0xb, keyLength: 4, dataType: 0xffff_ff00, elements: [
            element("0x00000002", data: .verdict(.accept, chain: nil)), element("0x00000004", data: .verdict(.accept, chain: nil)),
            element("0x00000001", data: .verdict(.drop, chain: nil)),
        ])
        let (rules, _) = try delinearize("""
        inet f in handle 2
          [ ct load state => reg 1 ]
          [ lookup reg 1 set __map0 dreg 0 ]
        """, sets: [map])
        #expect(rules.map(conditions) == [[.connectionState(.established)], [.connectionState(.related)], [.connectionState(.invalid)]])
        #expect(rules.map(\.action) == [.verdict(.accept), .verdict(.accept), .verdict(.drop)])
        #expect(rules[2].text == "ct state invalid drop")
    }

    @Test func concatenationOfAnInterfaceNameAndAPort() throws {
        // iifname . tcp dport { "eth0" . 22, "eth1" . 80 } accept: a 16-byte field in reg 1, the port in reg 2.
        let set = SetObject(family: .inet, table: "f", name: "__set1", flags: 0x3, keyLength: 20, elements: [
            element("0x30687465 0x00000000 0x00000000 0x00000000 0x00001600", count: 20),
            element("0x31687465 0x00000000 0x00000000 0x00000000 0x00005000", count: 20),
        ])
        let (rules, _) = try delinearize("""
        inet f in handle 3
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ meta load iifname => reg 1 ]
          [ payload load 2b @ transport header + 2 => reg 2 ]
          [ lookup reg 1 set __set1 ]
          [ immediate reg 0 accept ]
        """, sets: [set])
        guard case .oneOf(let alternatives) = rules[0].matches.last?.condition else { Issue.record("expected oneOf"); return }
        #expect(alternatives.map { $0.map(\.condition) } == [
            [.inInterface(InterfacePattern(name: "eth0", isWildcard: false)), .port(.destination, ports(22...22))],
            [.inInterface(InterfacePattern(name: "eth1", isWildcard: false)), .port(.destination, ports(80...80))],
        ])
    }

    @Test func lookupInAMissingSetIsAnError() throws {
        #expect(throws: NftablesLoadingError.self) {
            try delinearize("""
            inet t input handle 11
              [ meta load mark => reg 1 ]
              [ lookup reg 1 set nothere ]
            """)
        }
    }
}
