import FirewallModel
import NftablesBytecode
import NftablesLoading
import Testing

/// Protocol context from `ip protocol`, `ip6 nexthdr` and `ether type`, and the expressions that
/// stay opaque or act as statements. Bytecode captured from `nft --debug=netlink` in a namespace.
@Suite struct ContextAndStatementTests {
    @Test func ipProtocolIsContextForTransportFields() throws {
        // ip protocol tcp tcp dport 22 accept (ip table)
        let (rules, _) = try delinearize("""
        ip t input handle 2
          [ payload load 1b @ network header + 9 => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ cmp eq reg 1 0x00001600 ]
          [ immediate reg 0 accept ]
        """)
        #expect(conditions(rules[0]) == [.layer4Protocol(protocols(6)), .port(.destination, ports(22...22))])
        #expect(rules[0].text == "tcp dport 22 accept")
    }

    @Test func ip6NextHeaderAndLongPrefix() throws {
        // ip6 nexthdr udp udp dport 546 accept; ip6 daddr fe80::/64 accept
        let (rules, _) = try delinearize("""
        ip6 t6 input handle 2
          [ payload load 1b @ network header + 6 => reg 1 ]
          [ cmp eq reg 1 0x00000011 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ cmp eq reg 1 0x00002202 ]
          [ immediate reg 0 accept ]
        ip6 t6 input handle 3
          [ payload load 8b @ network header + 24 => reg 1 ]
          [ cmp eq reg 1 0x000080fe 0x00000000 ]
          [ immediate reg 0 accept ]
        """)
        #expect(conditions(rules[0]) == [.layer4Protocol(protocols(17)), .port(.destination, ports(546...546))])
        #expect(conditions(rules[1]) == [.address(.destination, addresses("fe80::/64"))])
    }

    @Test func addressesBothSidesAndNegatedPrefix() throws {
        // ip saddr 10.0.0.1 ip daddr 10.0.0.2 accept; ip saddr != 10.0.0.0/8 drop
        let (rules, _) = try delinearize("""
        ip t input handle 4
          [ payload load 4b @ network header + 12 => reg 1 ]
          [ cmp eq reg 1 0x0100000a ]
          [ payload load 4b @ network header + 16 => reg 1 ]
          [ cmp eq reg 1 0x0200000a ]
          [ immediate reg 0 accept ]
        ip t input handle 5
          [ payload load 1b @ network header + 12 => reg 1 ]
          [ cmp neq reg 1 0x0000000a ]
          [ immediate reg 0 drop ]
        """)
        #expect(conditions(rules[0]) == [.address(.source, addresses("10.0.0.1")), .address(.destination, addresses("10.0.0.2"))])
        #expect(conditions(rules[1]) == [.address(.source, addresses("10.0.0.0/8"))])
        #expect(rules[1].matches[0].negated)
        #expect(rules[1].text == "ip saddr != 10.0.0.0/8 drop")
    }

    @Test func bridgeEtherTypeGivesTheFamily() throws {
        // ether type ip ip saddr 10.0.0.1 drop (bridge table)
        let (rules, _) = try delinearize("""
        bridge b fw handle 2
          [ payload load 2b @ link header + 12 => reg 1 ]
          [ cmp eq reg 1 0x00000008 ]
          [ payload load 4b @ network header + 12 => reg 1 ]
          [ cmp eq reg 1 0x0100000a ]
          [ immediate reg 0 drop ]
        """)
        #expect(conditions(rules[0]) == [.addressFamily(.ipv4), .address(.source, addresses("10.0.0.1"))])
    }

    @Test func transportPortAfterAProtocolSetIsSound() throws {
        // meta l4proto { tcp, udp } th dport 53 accept
        let protocolsSet = SetObject(family: .inet, table: "f", name: "__set0", flags: 0x3, keyLength: 1, elements: [
            element("0x00000006", count: 1), element("0x00000011", count: 1),
        ])
        let (rules, _) = try delinearize("""
        inet f in handle 2
          [ meta load l4proto => reg 1 ]
          [ lookup reg 1 set __set0 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ cmp eq reg 1 0x00003500 ]
          [ immediate reg 0 accept ]
        """, sets: [protocolsSet])
        #expect(rules[0].matches[0].condition == .layer4Protocol(protocols(6, 17)))
        guard case .oneOf(let alternatives) = rules[0].matches[1].condition else { Issue.record("expected th alternatives"); return }
        #expect(alternatives[0].map(\.condition) == [.port(.destination, ports(53...53))])
        #expect(rules[0].text == "meta l4proto { tcp, udp } th dport 53 accept")
    }

    @Test func icmpInAnInetTableWithoutAFamilyCheck() throws {
        // meta l4proto icmp icmp type 8: the ICMP header of IPv4 packets (ICMP over IPv6 is not served traffic).
        let (rules, diagnostics) = try delinearize("""
        inet f in handle 3
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000001 ]
          [ payload load 1b @ transport header + 0 => reg 1 ]
          [ cmp eq reg 1 0x00000008 ]
          [ immediate reg 0 accept ]
        """)
        #expect(conditions(rules[0]) == [.layer4Protocol(protocols(1)), .icmpType(IntervalSet(0x0800...0x08ff))])
        #expect(rules[0].text == "icmp type echo-request accept")
        #expect(diagnostics.isEmpty)
    }

    @Test func icmpAfterTheOtherFamilysCheckStaysOpaque() throws {
        // meta nfproto ipv4 meta l4proto ipv6-icmp icmpv6 type 135: only ICMPv6 carried over IPv4 could match.
        let (rules, diagnostics) = try delinearize("""
        inet f in handle 4
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x0000003a ]
          [ payload load 1b @ transport header + 0 => reg 1 ]
          [ cmp eq reg 1 0x00000087 ]
          [ immediate reg 0 accept ]
        """)
        #expect(rules[0].matches.last?.isOpaque == true)
        #expect(diagnostics.count == 1)
    }

    @Test func ctStatusDnatAndSnatTestTheTranslation() throws {
        // ct status dnat; ct status & (snat | dnat) == snat
        let (rules, diagnostics) = try delinearize("""
        ip t forward handle 10
          [ ct load status => reg 1 ]
          [ bitwise reg 1 = ( reg 1 & 0x00000020 ) ^ 0x00000000 ]
          [ cmp neq reg 1 0x00000000 ]
          [ immediate reg 0 accept ]
        ip t forward handle 11
          [ ct load status => reg 1 ]
          [ bitwise reg 1 = ( reg 1 & 0x00000030 ) ^ 0x00000000 ]
          [ cmp eq reg 1 0x00000010 ]
          [ immediate reg 0 accept ]
        """)
        #expect(diagnostics.isEmpty)
        func statuses(_ match: Match) -> IntervalSet<UInt8>? {
            guard case .connectionTranslationStatus(let values) = match.condition else { return nil }
            return match.negated ? TranslationStatus.all.subtracting(values) : values
        }
        #expect(rules[0].matches.map(statuses) == [TranslationStatus.any(of: TranslationStatus.destination)])
        #expect(rules[1].matches.map(statuses) == [IntervalSet(value: TranslationStatus.source)])
    }

    @Test func opaqueKeysAndExpressions() throws {
        // meta pkttype broadcast; ct status assured; ct direction original; tcp option maxseg exists; socket transparent 1
        let (rules, diagnostics) = try delinearize("""
        ip t input handle 10
          [ meta load pkttype => reg 1 ]
          [ cmp eq reg 1 0x00000001 ]
          [ immediate reg 0 drop ]
        ip t input handle 11
          [ ct load status => reg 1 ]
          [ bitwise reg 1 = ( reg 1 & 0x00000004 ) ^ 0x00000000 ]
          [ cmp neq reg 1 0x00000000 ]
          [ immediate reg 0 accept ]
        ip t input handle 12
          [ ct load direction => reg 1 ]
          [ cmp eq reg 1 0x00000000 ]
          [ immediate reg 0 accept ]
        ip t input handle 13
          [ exthdr load tcpopt 1b @ 2 + 0 present => reg 1 ]
          [ cmp eq reg 1 0x00000001 ]
          [ immediate reg 0 accept ]
        ip t input handle 14
          [ socket load transparent => reg 1 ]
          [ cmp eq reg 1 0x00000001 ]
          [ immediate reg 0 accept ]
        """)
        #expect(rules.count == 5)
        #expect(rules.allSatisfy { $0.matches.count == 1 && $0.matches[0].isOpaque })
        #expect(rules[1].matches[0].negated)
        #expect(diagnostics.count == 5)
        #expect(Set(diagnostics.compactMap(\.location?.detail)).count == 5)
        #expect(rules[0].text == "meta pkttype 0x1 drop")
    }

    @Test func statefulExpressionsAreThrottles() throws {
        // meter m { ip saddr limit rate over 10/second } drop; quota over 100 mbytes drop; ct count over 4 drop
        let (rules, diagnostics) = try delinearize("""
        ip t input handle 20
          [ payload load 4b @ network header + 12 => reg 1 ]
          [ dynset add reg_key 1 set m expr [ limit rate 10/second burst 5 type packets flags 0x1 ] ]
          [ immediate reg 0 drop ]
        ip t input handle 21
          [ quota bytes 104857600 consumed 0 flags 1 ]
          [ immediate reg 0 drop ]
        ip t input handle 22
          [ connlimit count 4 flags 1 ]
          [ immediate reg 0 drop ]
        """, sets: [SetObject(family: .ip, table: "t", name: "m", flags: 0x21, keyLength: 4)])
        #expect(rules.allSatisfy { $0.matches.count == 1 && $0.action == .verdict(.drop) })
        #expect(rules.map { $0.matches[0].throttle } == [Throttle(.meter, withinLimits: false), Throttle(.quota, withinLimits: false),
                                                         Throttle(.connectionCount, withinLimits: false)])
        #expect(diagnostics.isEmpty)
        #expect(rules[0].text == "add @m { limit rate 10/second burst 5 type packets flags 0x1 } drop")
        #expect(rules[1].text == "quota over 104857600 bytes drop")
        #expect(rules[2].text == "ct count over 4 drop")
    }

    @Test func setUpdatesAreStatementsAndMakeTheSetOpaque() throws {
        // update @seen { ip saddr } accept; ip saddr @seen drop
        let seen = SetObject(family: .ip, table: "t", name: "seen", flags: 0x30, keyLength: 4, elements: [element("0x0100000a")])
        let (rules, _) = try delinearize("""
        ip t input handle 30
          [ payload load 4b @ network header + 12 => reg 1 ]
          [ dynset update reg_key 1 set seen ]
          [ immediate reg 0 accept ]
        ip t input handle 31
          [ payload load 4b @ network header + 12 => reg 1 ]
          [ lookup reg 1 set seen ]
          [ immediate reg 0 drop ]
        """, sets: [seen])
        #expect(rules[0].matches.isEmpty)
        #expect(rules[0].text == "update @seen accept")
        #expect(rules[1].matches[0].isOpaque)
    }

    @Test func queueAndPacketRewrite() throws {
        // queue num 2 bypass; tcp dport 80 tcp dport set 8080 accept
        let (rules, diagnostics) = try delinearize("""
        ip t input handle 40
          [ queue num 2 bypass ]
        ip t input handle 41
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000006 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ cmp eq reg 1 0x00005000 ]
          [ immediate reg 1 0x0000901f ]
          [ payload write reg 1 => 2b @ transport header + 2 csum_type 1 csum_off 16 csum_flags 0x0 ]
          [ immediate reg 0 accept ]
        """)
        #expect(rules[0].action == .opaqueVerdict("queue"))
        #expect(rules[1].action == .continue("payload"))
        #expect(rules[2].action == .verdict(.accept))
        #expect(diagnostics.count == 2)
    }

    @Test func namedObjects() throws {
        // counter name "c1"; quota name "q1" drop
        let (rules, diagnostics) = try delinearize("""
        ip t input handle 50
          [ objref type 1 name c1 ]
        ip t input handle 51
          [ objref type 2 name q1 ]
          [ immediate reg 0 drop ]
        """)
        #expect(rules[0].matches.isEmpty && rules[0].action == .none)
        #expect(rules[1].matches[0].isOpaque)
        #expect(diagnostics.count == 1)
    }

    @Test func mergedLoadsSplitIntoFields() throws {
        // udp sport 68 udp dport 67 accept: nft merges the two compares into one 4-byte load
        // (captured from a corpus ruleset); and the negated form, built the same way.
        let (rules, _) = try delinearize("""
        inet filter home_input handle 78
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000011 ]
          [ payload load 4b @ transport header + 0 => reg 1 ]
          [ cmp eq reg 1 0x43004400 ]
          [ immediate reg 0 accept ]
        inet filter home_input handle 79
          [ meta load nfproto => reg 1 ]
          [ cmp eq reg 1 0x00000002 ]
          [ payload load 8b @ network header + 12 => reg 1 ]
          [ cmp neq reg 1 0x0100000a 0x0200000a ]
          [ immediate reg 0 drop ]
        """)
        #expect(conditions(rules[0]) == [.layer4Protocol(protocols(17)), .port(.source, ports(68...68)), .port(.destination, ports(67...67))])
        #expect(rules[0].text == "udp sport 68 udp dport 67 accept")
        let negated = rules[1].matches[1]
        #expect(negated.negated)
        #expect(negated.condition == .oneOf([[Match(.address(.source, addresses("10.0.0.1")), text: "ip saddr 10.0.0.1"),
                                              Match(.address(.destination, addresses("10.0.0.2")), text: "ip daddr 10.0.0.2")]]))
    }

    @Test func stateAndPortSetTogether() throws {
        // udp dport { 53, 123 } ct state new accept
        let anonymous = SetObject(family: .ip, table: "t", name: "__set3", flags: 0x3, keyLength: 2, elements: [
            element("0x00003500", count: 2), element("0x00007b00", count: 2),
        ])
        let (rules, _) = try delinearize("""
        ip t input handle 60
          [ meta load l4proto => reg 1 ]
          [ cmp eq reg 1 0x00000011 ]
          [ payload load 2b @ transport header + 2 => reg 1 ]
          [ lookup reg 1 set __set3 ]
          [ ct load state => reg 1 ]
          [ bitwise reg 1 = ( reg 1 & 0x00000008 ) ^ 0x00000000 ]
          [ cmp neq reg 1 0x00000000 ]
          [ immediate reg 0 accept ]
        """, sets: [anonymous])
        #expect(conditions(rules[0]) == [.layer4Protocol(protocols(17)), .port(.destination, ports(53...53, 123...123)), .connectionState(.new)])
        #expect(rules[0].text == "udp dport { 53, 123 } ct state new accept")
    }
}

/// Robustness: what the IR cannot name still bounds the rule, and dormant tables filter nothing.
@Suite struct RobustnessTests {
    @Test func registerWrittenByAnUnknownExpressionIsOpaque() throws {
        let (rules, diagnostics) = try delinearize("""
        inet filter input handle 2
          [ tunnel load id => reg 1 ]
          [ cmp eq reg 1 0x00000005 ]
          [ immediate reg 0 drop ]
        """)
        #expect(rules[0].matches.count == 2)
        #expect(rules[0].matches.allSatisfy { $0.isOpaque })
        #expect(diagnostics.count == 2)
    }

    @Test func dnatToANonConstantIsReported() throws {
        let (rules, diagnostics) = try delinearize("""
        ip nat pre handle 3
          [ meta load mark => reg 1 ]
          [ nat dnat ip addr_min reg 1 ]
        """)
        #expect(rules[0].action == .nat(.destination(address: nil, ports: nil)))
        #expect(diagnostics.count == 1)
    }

    @Test func dormantTableHasNoBaseChains() throws {
        var snapshot = try snapshot("""
        inet filter input handle 2
          [ immediate reg 0 drop ]
        """)
        snapshot.tables[0].flags = 1
        let ruleset = try NftablesLoader.load(snapshot, source: "live")
        #expect(ruleset.tables[0].chains[0].base == nil)
        #expect(ruleset.diagnostics.contains { $0.message.contains("dormant") })
    }

    @Test func expressionsThatTakeThePacketAreOpaqueVerdicts() throws {
        let (rules, diagnostics) = try delinearize("""
        inet filter input handle 4
          [ synproxy mss 1460 wscale 7 ]
        inet filter input handle 5
          [ dup sreg_addr 1 ]
        """)
        #expect(rules[0].action == .opaqueVerdict("synproxy"))
        #expect(rules[1].action == .none && rules[1].matches.isEmpty)
        #expect(diagnostics.count == 1)
    }
}
