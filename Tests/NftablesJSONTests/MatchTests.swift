import FirewallModel
import NftablesJSON
import Testing

/// Match expressions → model conditions, with the header dependencies nft implies.
@Suite struct MatchTests {
    /// The conditions of the one rule `expr` makes (with `accept` appended).
    func conditions(family: String = "inet", sets: [String] = [], _ matches: String...) throws -> [Condition] {
        let rules = try Snippet.rules(family: family, sets: sets, "[" + matches.joined(separator: ",") + #", {"accept": null}]"#)
        try #require(rules.count == 1)
        return Snippet.conditions(rules[0])
    }

    func matches(family: String = "inet", sets: [String] = [], _ matches: String...) throws -> [Match] {
        let rules = try Snippet.rules(family: family, sets: sets, "[" + matches.joined(separator: ",") + #", {"accept": null}]"#)
        try #require(rules.count == 1)
        return rules[0].matches
    }

    static let tcp = Condition.layer4Protocol(ProtocolSet(value: 6))
    static let ipv4 = Condition.addressFamily(.ipv4)

    @Test func transportPortsRequireTheirProtocol() throws {
        #expect(try conditions(Expr.match(Expr.payload("tcp", "dport"), "22"))
            == [MatchTests.tcp, .port(.destination, PortSet(value: 22))])
        #expect(try conditions(Expr.match(Expr.payload("udp", "sport"), #"{"range": [1024, 65535]}"#))
            == [.layer4Protocol(ProtocolSet(value: 17)), .port(.source, PortSet(1024...65535))])
        #expect(try conditions(Expr.match(Expr.payload("sctp", "dport"), "9"))
            == [.layer4Protocol(ProtocolSet(value: 132)), .port(.destination, PortSet(value: 9))])
    }

    @Test func aNegatedPortStillRequiresTheProtocol() throws {
        let found = try matches(Expr.match(Expr.payload("tcp", "dport"), #"{"set": [22, 80]}"#, op: "!="))
        #expect(found.map(\.condition) == [MatchTests.tcp, .port(.destination, PortSet(ranges: [22...22, 80...80]))])
        #expect(found.map(\.negated) == [false, true])
        #expect(found[1].text == "tcp dport != { 22, 80 }")
    }

    @Test func thPortsHaveNoProtocolCheck() throws {
        let found = try matches(Expr.match(Expr.payload("th", "dport"), "53"))
        try #require(found.count == 1)
        guard case .oneOf(let alternatives) = found[0].condition else { Issue.record("expected alternatives"); return }
        // Port-carrying protocols: an exact port; any other protocol: the same bytes, unknown meaning.
        #expect(alternatives.count == 2)
        #expect(alternatives[0].map(\.condition) == [.port(.destination, PortSet(value: 53))])
        #expect(alternatives[1].map(\.condition).first == .layer4Protocol(ProtocolSet(ranges: [6...6, 17...17, 132...132, 136...136])))
        #expect(alternatives[1].first?.negated == true)
        #expect(alternatives[1].last?.isOpaque == true)
    }

    @Test func addressesInAnInetTableRequireTheirFamily() throws {
        #expect(try conditions(Expr.match(Expr.payload("ip", "saddr"), #"{"prefix": {"addr": "192.0.2.0", "len": 24}}"#))
            == [MatchTests.ipv4, .address(.source, AddressSet(0xc000_0200...0xc000_02ff))])
        #expect(try conditions(Expr.match(Expr.payload("ip6", "daddr"), #""2001:db8::1""#))
            == [.addressFamily(.ipv6), .address(.destination, AddressSet(value: IPAddress("2001:db8::1")!.value))])
        // In an ip table the family is fixed: no dependency.
        #expect(try conditions(family: "ip", Expr.match(Expr.payload("ip", "daddr"), #"{"range": ["10.0.0.1", "10.0.0.5"]}"#))
            == [.address(.destination, AddressSet(0x0a00_0001...0x0a00_0005))])
    }

    @Test func aRepeatedDependencyAppearsOnce() throws {
        #expect(try conditions(Expr.match(Expr.payload("ip", "saddr"), #""10.0.0.1""#), Expr.match(Expr.payload("ip", "daddr"), #""10.0.0.2""#))
            == [MatchTests.ipv4, .address(.source, AddressSet(value: 0x0a00_0001)), .address(.destination, AddressSet(value: 0x0a00_0002))])
    }

    @Test func protocolMatches() throws {
        #expect(try conditions(Expr.match(Expr.meta("l4proto"), #"{"set": ["tcp", "udp", 132]}"#))
            == [.layer4Protocol(ProtocolSet(ranges: [6...6, 17...17, 132...132]))])
        #expect(try conditions(Expr.match(Expr.payload("ip", "protocol"), #""icmp""#))
            == [MatchTests.ipv4, .layer4Protocol(ProtocolSet(value: 1))])
    }

    @Test func interfacesByNameWithWildcardsAndByIndex() throws {
        #expect(try conditions(Expr.match(Expr.meta("iifname"), #""eth*""#)) == [.inInterface(InterfacePattern(name: "eth", isWildcard: true))])
        #expect(try conditions(Expr.match(Expr.meta("oifname"), #""a\\*""#)) == [.outInterface(InterfacePattern(name: "a*", isWildcard: false))])
        #expect(try conditions(Expr.match(Expr.meta("iif"), #""lo""#)) == [.inInterface(InterfacePattern(name: "lo", isWildcard: false))])
        let negated = try matches(Expr.match(Expr.meta("oif"), #""eth0""#, op: "!="))
        #expect(negated.map(\.negated) == [true])
        let several = try conditions(Expr.match(Expr.meta("iifname"), #"{"set": ["eth0", "veth*"]}"#))
        #expect(several == [.oneOf([[Match(.inInterface(InterfacePattern(name: "eth0", isWildcard: false)), text: "iifname { eth0, veth* }")],
                                    [Match(.inInterface(InterfacePattern(name: "veth", isWildcard: true)), text: "iifname { eth0, veth* }")]])])
        // An interface index without a name cannot be identified.
        #expect(try matches(Expr.match(Expr.meta("iif"), "7")).allSatisfy { $0.isOpaque })
    }

    @Test func connectionStateAsStringArrayOrSet() throws {
        #expect(try conditions(Expr.match(Expr.ct("state"), #"["established", "related"]"#, op: "in"))
            == [.connectionState([.established, .related])])
        #expect(try conditions(Expr.match(Expr.ct("state"), #""new""#, op: "in")) == [.connectionState(.new)])
        let negated = try matches(Expr.match(Expr.ct("state"), #"{"set": ["invalid", "untracked"]}"#, op: "!="))
        #expect(negated.map(\.condition) == [.connectionState([.invalid, .untracked])])
        #expect(negated.map(\.negated) == [true])
    }

    @Test func marksWithAndWithoutMasks() throws {
        #expect(try conditions(Expr.match(Expr.meta("mark"), "16")) == [.packetMark(value: 16, mask: 0xffff_ffff)])
        #expect(try conditions(Expr.match(#"{"&": [\#(Expr.meta("mark")), 255]}"#, "16")) == [.packetMark(value: 16, mask: 255)])
        let connection = try matches(Expr.match(#"{"&": [\#(Expr.ct("mark")), 240]}"#, "16", op: "!="))
        #expect(connection.map(\.condition) == [.connectionMark(value: 16, mask: 240)])
        #expect(connection.map(\.negated) == [true])
    }

    @Test func tcpFlagsEqualityBitTestAndMask() throws {
        // `tcp flags & (syn|ack) == syn`
        #expect(try conditions(Expr.match(#"{"&": [\#(Expr.payload("tcp", "flags")), ["syn", "ack"]]}"#, #""syn""#))
            == [MatchTests.tcp, .tcpFlags(mask: 0x12, compare: 0x02)])
        // `tcp flags == syn`: every flag compared.
        #expect(try conditions(Expr.match(Expr.payload("tcp", "flags"), #""syn""#)) == [MatchTests.tcp, .tcpFlags(mask: 0xff, compare: 0x02)])
        // `tcp flags fin,syn` (implicit): at least one of them set.
        let any = try conditions(Expr.match(Expr.payload("tcp", "flags"), #"["fin", "syn"]"#, op: "in"))
        #expect(any.count == 2)
        guard case .oneOf(let alternatives) = any[1] else { Issue.record("expected alternatives"); return }
        #expect(alternatives.map { $0.map(\.condition) } == [[.tcpFlags(mask: 1, compare: 1)], [.tcpFlags(mask: 2, compare: 2)]])
        // Masks written as nested `|` and an ordering: `tcp flags & (fin|syn|rst) < fin` means none of them.
        let ordered = try conditions(Expr.match(#"{"&": [\#(Expr.payload("tcp", "flags")), {"|": [{"|": ["fin", "syn"]}, "rst"]}]}"#, #""fin""#, op: "<"))
        #expect(ordered == [MatchTests.tcp, .tcpFlags(mask: 0x07, compare: 0)])
    }

    @Test func icmpTypesAndCodesCarryFamilyAndProtocol() throws {
        #expect(try conditions(Expr.match(Expr.payload("icmp", "type"), #""echo-request""#))
            == [MatchTests.ipv4, .layer4Protocol(ProtocolSet(value: 1)), .icmpType(IntervalSet(0x0800...0x08ff))])
        #expect(try conditions(Expr.match(Expr.payload("icmpv6", "type"), #"{"set": ["nd-neighbor-solicit", 128]}"#))
            == [.addressFamily(.ipv6), .layer4Protocol(ProtocolSet(value: 58)), .icmpType(IntervalSet(ranges: [0x8000...0x80ff, 0x8700...0x87ff]))])
        let code = try conditions(family: "ip", Expr.match(Expr.payload("icmp", "code"), #""port-unreachable""#))
        #expect(code.count == 2)
        guard case .icmpType(let types) = code[1] else { Issue.record("expected icmp types"); return }
        #expect(types.contains(0x0303) && types.contains(0x0b03) && !types.contains(0x0301))
    }

    @Test func addressFamilyAndFibAddressType() throws {
        #expect(try conditions(Expr.match(Expr.meta("nfproto"), #""ipv6""#)) == [.addressFamily(.ipv6)])
        #expect(try conditions(Expr.match(#"{"fib": {"result": "type", "flags": ["daddr"]}}"#, #""local""#)) == [.addressType(.destination, [.local])])
        let other = try matches(Expr.match(#"{"fib": {"result": "oif", "flags": ["saddr", "iif"]}}"#, #""0""#))
        #expect(other.allSatisfy { $0.isOpaque })
    }

    @Test func namedSetLookupsAndNegatedLookups() throws {
        let set = #"{"set": {"family": "FAMILY", "name": "partners", "table": "t", "type": "ipv4_addr", "flags": ["interval"], "elem": [{"prefix": {"addr": "192.0.2.0", "len": 24}}, "198.51.100.7"]}}"#
        let expected = AddressSet(ranges: [0xc000_0200...0xc000_02ff, 0xc633_6407...0xc633_6407])
        #expect(try conditions(sets: [set], Expr.match(Expr.payload("ip", "saddr"), #""@partners""#)) == [MatchTests.ipv4, .address(.source, expected)])
        let negated = try matches(sets: [set], Expr.match(Expr.payload("ip", "saddr"), #""@partners""#, op: "!="))
        #expect(negated.map(\.negated) == [false, true])
        #expect(negated[1].text == "ip saddr != @partners")
    }

    @Test func concatenatedLookupsAreAlternativesOfConjunctions() throws {
        let set = #"{"set": {"family": "FAMILY", "name": "pairs", "table": "t", "type": ["ipv4_addr", "inet_service"], "elem": [{"concat": ["10.0.0.1", 22]}, {"concat": [{"prefix": {"addr": "10.1.0.0", "len": 16}}, {"range": [80, 81]}]}]}}"#
        let found = try conditions(sets: [set], Expr.match(#"{"concat": [\#(Expr.payload("ip", "saddr")), \#(Expr.payload("tcp", "dport"))]}"#, #""@pairs""#))
        #expect(found.count == 3)
        #expect(Array(found.prefix(2)) == [MatchTests.ipv4, MatchTests.tcp])
        guard case .oneOf(let alternatives) = found[2] else { Issue.record("expected alternatives"); return }
        #expect(alternatives.map { $0.map(\.condition) } == [
            [.address(.source, AddressSet(value: 0x0a00_0001)), .port(.destination, PortSet(value: 22))],
            [.address(.source, AddressSet(0x0a01_0000...0x0a01_ffff)), .port(.destination, PortSet(80...81))],
        ])
    }

    @Test func anonymousConcatenatedSetWithNegation() throws {
        let found = try matches(Expr.match(#"{"concat": [\#(Expr.meta("iifname")), \#(Expr.payload("udp", "dport"))]}"#,
                                           #"{"set": [{"concat": ["eth0", 53]}]}"#, op: "!="))
        // The protocol dependency stays positive; only the lookup is negated.
        #expect(found.map(\.condition).first == .layer4Protocol(ProtocolSet(value: 17)))
        #expect(found.map(\.negated) == [false, true])
    }

    @Test func setsThatChangeAtRunTimeAreOpaque() throws {
        let set = #"{"set": {"family": "FAMILY", "name": "knocked", "table": "t", "type": "ipv4_addr", "flags": ["dynamic", "timeout"]}}"#
        let found = try matches(sets: [set], Expr.match(Expr.payload("ip", "saddr"), #""@knocked""#))
        #expect(found.map(\.isOpaque) == [false, true])
        let ruleset = try Snippet.load(sets: [set], ["[" + Expr.match(Expr.payload("ip", "saddr"), #""@knocked""#) + #", {"accept": null}]"#])
        #expect(ruleset.diagnostics.contains { $0.severity == .warning && $0.message.contains("knocked") })
    }

    @Test func aCatchAllElementMatchesEveryValue() throws {
        let set = #"{"set": {"family": "FAMILY", "name": "all", "table": "t", "type": "inet_service", "elem": ["*"]}}"#
        #expect(try conditions(sets: [set], Expr.match(Expr.payload("tcp", "dport"), #""@all""#)) == [MatchTests.tcp, .oneOf([[]])])
    }

    @Test func orderingOperatorsBecomeRanges() throws {
        #expect(try conditions(Expr.match(Expr.payload("tcp", "dport"), "1024", op: "<")) == [MatchTests.tcp, .port(.destination, PortSet(0...1023))])
        #expect(try conditions(Expr.match(Expr.payload("udp", "dport"), "1024", op: ">=")) == [.layer4Protocol(ProtocolSet(value: 17)), .port(.destination, PortSet(1024...65535))])
    }

    @Test func unmodelledFieldsAreOpaqueWithAWarning() throws {
        let ruleset = try Snippet.load(["[" + Expr.match(Expr.meta("pkttype"), #""broadcast""#) + "," + Expr.match(Expr.payload("ip", "ttl"), "1") + #", {"drop": null}]"#])
        let rule = ruleset.tables[0].chain(named: "input")!.rules[0]
        #expect(rule.matches.map(\.isOpaque) == [true, true])
        #expect(rule.action == .verdict(.drop))
        #expect(ruleset.diagnostics.filter { $0.severity == .warning }.count == 2)
        #expect(ruleset.diagnostics.allSatisfy { $0.location?.detail == "table inet t chain input handle 10" })
    }

    @Test func unknownSymbolicValuesAreOpaqueNotGuessed() throws {
        #expect(try matches(Expr.match(Expr.payload("icmp", "type"), #""no-such-type""#)).last?.isOpaque == true)
        #expect(try matches(Expr.match(Expr.ct("state"), #""sleepy""#)).last?.isOpaque == true)
    }

    @Test func metaProtocolNamesTheFamilyOnTheIPHooks() throws {
        #expect(try conditions(Expr.match(Expr.meta("protocol"), #""ip6""#)) == [.addressFamily(.ipv6)])
        #expect(try matches(Expr.match(Expr.meta("protocol"), #""arp""#)).allSatisfy { $0.isOpaque })
    }

    @Test func thPortsLeaveANote() throws {
        let ruleset = try Snippet.load(["[" + Expr.match(Expr.payload("th", "dport"), "53") + #", {"accept": null}]"#])
        #expect(ruleset.diagnostics.map(\.severity) == [.note])
        #expect(ruleset.diagnostics.first?.message.contains("th ports are exact for tcp, udp, sctp and udplite") == true)
    }

    @Test func aConcatenationWithAnUnmodelledComponentIsWarnedAbout() throws {
        let ruleset = try Snippet.load(["[" + Expr.match(#"{"concat": [\#(Expr.meta("pkttype")), \#(Expr.payload("tcp", "dport"))]}"#,
                                                         #"{"set": [{"concat": ["host", 22]}]}"#) + #", {"accept": null}]"#])
        let rule = ruleset.tables[0].chain(named: "input")!.rules[0]
        guard case .oneOf(let alternatives)? = rule.matches.last?.condition else { Issue.record("expected alternatives"); return }
        #expect(alternatives[0].map(\.isOpaque) == [true, false])
        #expect(ruleset.diagnostics.contains { $0.severity == .warning && $0.message.contains("meta pkttype") })
    }

    @Test func longSetsAreShortenedInRuleTexts() throws {
        let ports = (1...40).map(String.init).joined(separator: ", ")
        let rules = try Snippet.rules("[" + Expr.match(Expr.payload("tcp", "dport"), #"{"set": [\#(ports)]}"#) + #", {"accept": null}]"#)
        #expect(rules[0].text == "tcp dport { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, … (40 elements) } accept")
        #expect(rules[0].matches.last?.condition == .port(.destination, PortSet(1...40)))
    }
}
