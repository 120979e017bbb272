import FirewallModel
import NftablesBytecode
import NftablesLoading
import Testing

/// iptables-nft's xt matches and targets. The info bytes were captured from the netlink messages
/// iptables-nft (nf_tables 1.8) sent in a private namespace (strace of its sendmsg calls), for the
/// iptables options in each comment; a few are built from the UAPI struct layouts.
@Suite struct XtExtensionTests {
    static func zeros(_ count: Int) -> String { String(repeating: "0", count: 2 * count) }

    /// `xt_conntrack_mtinfo3` (168 bytes): flags, inversion and state mask at 146, 148, 150.
    static func conntrack(l4proto: UInt16 = 0, flags: UInt16, invert: UInt16 = 0, states: UInt16) -> Bytes {
        Bytes(Array(repeating: 0, count: 136) + host(l4proto) + Array(repeating: 0, count: 8) + host(flags) + host(invert) + host(states)
              + Array(repeating: 0, count: 16))
    }

    @Test func conntrackStateFromCapturedInfo() throws {
        // -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT
        let info = hexBytes(Self.zeros(146) + "0100" + "0000" + "0a00" + Self.zeros(16))
        #expect(info == Self.conntrack(flags: 1, states: 10))
        let (rule, diagnostics) = try iptablesRule(matches: [("conntrack", 3, info)], verdict: .accept)
        #expect(conditions(rule) == [.connectionState([.new, .established])])
        #expect(rule.action == .verdict(.accept))
        #expect(diagnostics.isEmpty)
    }

    @Test func stateMatchIsAConntrackAlias() throws {
        // -m state --state ESTABLISHED,RELATED (iptables-nft sends conntrack with the alias flag 1 << 13)
        let (rule, diagnostics) = try iptablesRule(matches: [("conntrack", 3, Self.conntrack(flags: 0x2001, states: 6))], verdict: .accept)
        #expect(conditions(rule) == [.connectionState([.established, .related])])
        #expect(diagnostics.isEmpty)
        // The legacy state match: xt_state_info, one 32-bit mask.
        let (legacy, _) = try iptablesRule(matches: [("state", 0, Bytes(host(UInt32(8))))], verdict: .accept)
        #expect(conditions(legacy) == [.connectionState(.new)])
    }

    @Test func negatedStateWithAnOpaqueProtocolTest() throws {
        // -m conntrack ! --ctstate INVALID --ctproto tcp -j DROP
        let (rule, diagnostics) = try iptablesRule(matches: [("conntrack", 3, Self.conntrack(l4proto: 6, flags: 3, invert: 1, states: 1))],
                                                   verdict: .drop)
        #expect(rule.matches[0].condition == .connectionState(.invalid))
        #expect(rule.matches[0].negated)
        #expect(rule.matches[1].isOpaque)
        #expect(diagnostics.count == 1)
        #expect(diagnostics[0].location?.detail == "table ip filter chain INPUT handle 2")
    }

    @Test func natConnectionStatesTestTheTranslation() throws {
        // --ctstate SNAT (64), and --ctstate ESTABLISHED,DNAT (2 | 128)
        let (snat, diagnostics) = try iptablesRule(matches: [("conntrack", 3, Self.conntrack(flags: 1, states: 64))], verdict: .accept)
        #expect(snat.matches[0].condition == .translationStatus(TranslationStatus.any(of: TranslationStatus.source)))
        #expect(snat.matches[0].text == "-m conntrack --ctstate SNAT")
        #expect(diagnostics.isEmpty)
        let (either, _) = try iptablesRule(matches: [("conntrack", 3, Self.conntrack(flags: 1, states: 2 | 128))], verdict: .accept)
        #expect(either.matches[0].condition == Condition.connectionState(.established, translated: TranslationStatus.destination))
    }

    @Test func multiportWithRanges() throws {
        // -p tcp -m multiport --dports 80,443,1000:2000
        let info = hexBytes("01045000bb01e803d0070000000000000000000000000000000000000000000000000100000000000000000000000000")
        let (rule, _) = try iptablesRule([.meta(key: .l4proto, destination: Register(1)), .cmp(op: .eq, source: Register(1), data: Bytes([6]))],
                                         matches: [("multiport", 1, info)], verdict: .accept)
        #expect(conditions(rule) == [.layer4Protocol(protocols(6)), .port(.destination, ports(80...80, 443...443, 1000...2000))])
    }

    @Test func multiportEitherSideInverted() throws {
        // -m multiport ! --ports 22 (xt_multiport_v1 built from the UAPI layout)
        let info = Bytes([2, 1] + host(UInt16(22)) + Array(repeating: 0, count: 28) + Array(repeating: 0, count: 15) + [1])
        let (rule, _) = try iptablesRule(matches: [("multiport", 1, info)], verdict: .drop)
        #expect(conditions(rule) == [.eitherPort(ports(22...22))])
        #expect(rule.matches[0].negated)
    }

    @Test func iprangeAddrtypeAndComment() throws {
        // -m iprange --src-range 10.0.0.1-10.0.0.5 -m addrtype --dst-type LOCAL -m comment --comment hello
        let iprange = hexBytes("0a0000010000000000000000000000000a00000500000000000000000000000000000000000000000000000000000000000000000000000000000000000000000100000000000000")
        let addrtype = hexBytes("0000040000000000")
        let comment = Bytes(cString("hello", size: 256))
        let (rule, diagnostics) = try iptablesRule(matches: [("iprange", 1, iprange), ("addrtype", 1, addrtype), ("comment", 0, comment)], verdict: .accept)
        #expect(conditions(rule) == [.address(.source, AddressSet(0x0a00_0001...0x0a00_0005)), .addressType(.destination, [.local]), .comment("hello")])
        #expect(rule.comment == "hello")
        #expect(diagnostics.isEmpty)
    }

    @Test func tcpUdpAndIcmpMatches() throws {
        // -p tcp --tcp-option 5 (xt tcp: not modelled); -p icmp --icmp-type 8/0; -p udp -m udp ! --dport 53 (built)
        let (option, optionDiagnostics) = try iptablesRule(matches: [("tcp", 0, hexBytes("0000ffff0000ffff0500000000000000"))], verdict: .drop)
        #expect(option.matches[0].isOpaque)
        #expect(optionDiagnostics.count == 1)
        let (icmp, _) = try iptablesRule(matches: [("icmp", 0, hexBytes("0800000000000000"))], verdict: .accept)
        #expect(conditions(icmp) == [.icmpType(IntervalSet(value: 0x0800))])
        let udp = Bytes(host(UInt16(0)) + host(UInt16(0xffff)) + host(UInt16(53)) + host(UInt16(53)) + [0x02, 0])
        let (rule, _) = try iptablesRule(matches: [("udp", 0, udp)], verdict: .drop)
        #expect(conditions(rule) == [.port(.destination, ports(53...53))])
        #expect(rule.matches[0].negated)
        // xt_tcp with flags: --tcp-flags SYN,RST,ACK,FIN SYN, ports 1024:65535 source
        let tcp = Bytes(host(UInt16(1024)) + host(UInt16(0xffff)) + host(UInt16(0)) + host(UInt16(0xffff)) + [0, 0x17, 0x02, 0])
        let (flags, _) = try iptablesRule(matches: [("tcp", 0, tcp)], verdict: .accept)
        #expect(conditions(flags) == [.port(.source, ports(1024...65535)), .tcpFlags(mask: 0x17, compare: 0x02)])
    }

    @Test func markMatchesFromTheUapiLayout() throws {
        // -m connmark --mark 3 (captured); -m mark ! --mark 0x1/0xff (built: iptables-nft emits this one natively)
        let (connmark, _) = try iptablesRule(matches: [("connmark", 1, hexBytes("03000000ffffffff0000000000000000"))], verdict: .accept)
        #expect(conditions(connmark) == [.connectionMark(value: 3, mask: 0xffff_ffff)])
        let (mark, _) = try iptablesRule(matches: [("mark", 1, Bytes(host(UInt32(1)) + host(UInt32(0xff)) + [1, 0, 0, 0]))], verdict: .accept)
        #expect(conditions(mark) == [.packetMark(value: 1, mask: 0xff)])
        #expect(mark.matches[0].negated)
    }

    @Test func iptablesInterfaceNamesIncludeTheTerminator() throws {
        // -i lo: iptables-nft compares "lo" and its NUL (3 bytes), an exact name; -i eth+ compares "eth" only.
        let load = Expression.meta(key: .iifname, destination: Register(1))
        let (exact, _) = try iptablesRule([load, .cmp(op: .eq, source: Register(1), data: Bytes(Array("lo".utf8) + [0]))], verdict: .accept)
        #expect(conditions(exact) == [.inInterface(InterfacePattern(name: "lo", isWildcard: false))])
        let (wildcard, _) = try iptablesRule([load, .cmp(op: .eq, source: Register(1), data: Bytes(Array("eth".utf8)))], verdict: .accept)
        #expect(conditions(wildcard) == [.inInterface(InterfacePattern(name: "eth", isWildcard: true))])
    }

    @Test func unknownMatchIsOpaque() throws {
        let (rule, diagnostics) = try iptablesRule(matches: [("recent", 0, Bytes([1, 2, 3]))], verdict: .drop)
        #expect(rule.matches[0].isOpaque)
        #expect(diagnostics.count == 1)
        #expect(diagnostics[0].message.contains("[ match name recent rev 0 ]"))
    }

    @Test func targets() throws {
        // -j LOG --log-prefix HELLO; -j REJECT --reject-with tcp-reset; -j MARK --set-mark 0x2/0xf;
        // -j CONNMARK --save-mark; -j CONNMARK --set-mark 5; -j CT --notrack; -j NFQUEUE
        let cases: [((String, UInt32, Bytes), Action)] = [
            (("LOG", 0, hexBytes("040048454c4c4f00000000000000000000000000000000000000000000000000")), .continue("LOG")),
            (("REJECT", 0, hexBytes("0700000000000000")), .verdict(.reject)),
            (("MARK", 2, hexBytes("020000000f000000")), .setMark(value: 2, mask: 0xf)),
            (("CONNMARK", 2, hexBytes("00000000ffffffffffffffff00000100")), .connectionMark(.save)),
            (("CONNMARK", 2, hexBytes("05000000ffffffffffffffff00000000")), .connectionMark(.set(value: 5, mask: 0xffff_ffff))),
            (("CT", 2, hexBytes("01" + Self.zeros(71))), .notrack),
            (("NFQUEUE", 3, hexBytes("0000010000000000")), .opaqueVerdict("NFQUEUE")),
            (("TARPIT", 0, Bytes([])), .opaqueVerdict("TARPIT")),
        ]
        for (target, action) in cases {
            let (rule, _) = try iptablesRule(target: target)
            #expect(rule.action == action, "\(target.0)")
        }
        let (log, _) = try iptablesRule(target: cases[0].0)
        #expect(log.text.contains("HELLO"))
    }

    @Test func addressTranslationTargets() throws {
        // -t nat: -j DNAT --to-destination 10.0.0.1-10.0.0.3:8080-8090; -j SNAT --to-source 192.0.2.1;
        // -j MASQUERADE; -j REDIRECT --to-ports 3128
        let cases: [((String, UInt32, Bytes), Action)] = [
            (("DNAT", 2, hexBytes("030000000a0000010000000000000000000000000a0000030000000000000000000000001f901f9a0000000000000000")),
             .nat(.destination(address: AddressSet(0x0a00_0001...0x0a00_0003), ports: ports(8080...8090)))),
            (("SNAT", 0, hexBytes("0100000001000000c0000201c00002010000000000000000")), .nat(.source(address: AddressSet(value: 0xc000_0201), ports: nil))),
            (("MASQUERADE", 0, hexBytes("01" + Self.zeros(23))), .nat(.masquerade)),
            (("REDIRECT", 0, hexBytes("010000000200000000000000000000000c380c3800000000")), .nat(.redirect(ports: ports(3128...3128)))),
        ]
        for (target, action) in cases {
            let (rule, diagnostics) = try iptablesRule(target: target, table: "nat")
            #expect(rule.action == action, "\(target.0)")
            #expect(diagnostics.isEmpty)
        }
    }

    @Test func ip6tablesRedirectCarriesAnAddressRangeBeforeItsPorts() throws {
        // ip6tables -t nat -j REDIRECT --to-ports 10992: `nf_nat_range` (flags, two IPv6 addresses,
        // ports), unlike the IPv4 compat layout. Found by the kernel oracle: the ports were misread.
        let info = hexBytes("02000000" + Self.zeros(32) + "2af02af0")
        let (rule, diagnostics) = try iptablesRule(target: ("REDIRECT", 0, info), table: "nat", family: .ip6)
        #expect(rule.action == .nat(.redirect(ports: ports(10992...10992))))
        #expect(diagnostics.isEmpty)
    }
}
