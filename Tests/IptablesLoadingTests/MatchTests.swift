import FirewallModel
import Testing
@testable import IptablesLoading

/// Top-level options and the match modules the model translates exactly.
@Suite("matches")
struct MatchTests {
    // MARK: Addresses

    @Test("addresses: hosts, prefix lengths, dotted netmasks and IPv6 prefixes")
    func addressForms() throws {
        #expect(try onlyMatch("-s 192.0.2.7") == Match(.address(.source, addresses("192.0.2.7/32")), text: "-s 192.0.2.7"))
        #expect(try onlyMatch("-d 10.0.0.0/8").condition == .address(.destination, ipv4Range("10.0.0.0", "10.255.255.255")))
        #expect(try onlyMatch("--source 192.168.1.0/255.255.255.0").condition == .address(.source, ipv4Range("192.168.1.0", "192.168.1.255")))
        #expect(try onlyMatch("--dst 0.0.0.0/0").condition == .address(.destination, ipv4Range("0.0.0.0", "255.255.255.255")))
        #expect(try onlyMatch("-s 2001:db8::/32", family: .ipv6).condition == .address(.source, addresses("2001:db8::/32")))
    }

    @Test("a comma list of addresses is their union")
    func addressList() throws {
        let match = try onlyMatch("-s 192.0.2.1,192.0.2.3")
        #expect(match.condition == .address(.source, addresses("192.0.2.1").union(addresses("192.0.2.3"))))
    }

    @Test("negation before the option and the old style after it mean the same; the text is kept as written")
    func negationStyles() throws {
        let modern = try onlyMatch("! -s 10.0.0.0/8")
        let old = try onlyMatch("-s ! 10.0.0.0/8")
        #expect(modern.condition == old.condition)
        #expect(modern.negated && old.negated)
        #expect(modern.text == "! -s 10.0.0.0/8")
        #expect(old.text == "-s ! 10.0.0.0/8")

        let port = try matches("-p tcp --dport ! 22")[1]
        #expect(port == Match(.port(.destination, PortSet(value: 22)), negated: true, text: "--dport ! 22"))
        #expect(try matches("-p tcp ! --dport 22")[1] == Match(.port(.destination, PortSet(value: 22)), negated: true, text: "! --dport 22"))
    }

    // MARK: Protocols and interfaces

    @Test("protocols by name (any case), by number, and from the built-in /etc/protocols table")
    func protocols() throws {
        #expect(try onlyMatch("-p tcp") == Match(.layer4Protocol(ProtocolSet(value: 6)), text: "-p tcp"))
        #expect(try onlyMatch("-p UDP").condition == .layer4Protocol(ProtocolSet(value: 17)))
        #expect(try onlyMatch("--protocol 47").condition == .layer4Protocol(ProtocolSet(value: 47)))
        #expect(try onlyMatch("-p gre").condition == .layer4Protocol(ProtocolSet(value: 47)))
        #expect(try onlyMatch("-p ospf").condition == .layer4Protocol(ProtocolSet(value: 89)))
        #expect(try onlyMatch("-p vrrp").condition == .layer4Protocol(ProtocolSet(value: 112)))
        #expect(try onlyMatch("-p esp").condition == .layer4Protocol(ProtocolSet(value: 50)))
        #expect(try onlyMatch("-p ah").condition == .layer4Protocol(ProtocolSet(value: 51)))
        #expect(try onlyMatch("-p sctp").condition == .layer4Protocol(ProtocolSet(value: 132)))
        #expect(try onlyMatch("-p udplite").condition == .layer4Protocol(ProtocolSet(value: 136)))
        #expect(try onlyMatch("-p ipv6-icmp", family: .ipv6).condition == .layer4Protocol(ProtocolSet(value: 58)))
        #expect(try onlyMatch("-p icmpv6", family: .ipv6).condition == .layer4Protocol(ProtocolSet(value: 58)))
        #expect(try onlyMatch("! -p icmp") == Match(.layer4Protocol(ProtocolSet(value: 1)), negated: true, text: "! -p icmp"))
    }

    @Test("-p all and -p 0 match every protocol, so they add no condition")
    func protocolAll() throws {
        #expect(try matches("-p all").isEmpty)
        #expect(try matches("-p 0").isEmpty)
        #expect(ruleError("! -p all") == "rules.v4:7:15: '! -p all' never matches")
    }

    @Test("interfaces: exact names, + wildcards, negation")
    func interfaces() throws {
        #expect(try onlyMatch("-i eth0") == Match(.inInterface(InterfacePattern(name: "eth0", isWildcard: false)), text: "-i eth0"))
        #expect(try onlyMatch("-o eth+").condition == .outInterface(InterfacePattern(name: "eth", isWildcard: true)))
        #expect(try onlyMatch("! --in-interface vif+") == Match(.inInterface(InterfacePattern(name: "vif", isWildcard: true)), negated: true, text: "! --in-interface vif+"))
        #expect(try onlyMatch("--out-interface eth1.110").condition == .outInterface(InterfacePattern(name: "eth1.110", isWildcard: false)))
    }

    // MARK: Ports

    @Test("tcp/udp ports: single, ranges, open ranges and service names")
    func ports() throws {
        func port(_ options: String) throws -> Condition { try matches(options)[1].condition }
        #expect(try port("-p tcp -m tcp --dport 22") == .port(.destination, PortSet(value: 22)))
        #expect(try port("-p udp -m udp --sport 137:139") == .port(.source, PortSet(137...139)))
        #expect(try port("-p tcp -m tcp --dport :1023") == .port(.destination, PortSet(0...1023)))
        #expect(try port("-p tcp -m tcp --dport 1024:") == .port(.destination, PortSet(1024...65535)))
        #expect(try port("-p tcp -m tcp --destination-port ssh") == .port(.destination, PortSet(value: 22)))
        #expect(try port("-p tcp -m tcp --source-port https") == .port(.source, PortSet(value: 443)))
        #expect(try port("-p udp -m udp --dport domain") == .port(.destination, PortSet(value: 53)))
        #expect(try port("-p sctp -m sctp --dport 3868") == .port(.destination, PortSet(value: 3868)))
    }

    @Test("port options after -p tcp without -m tcp load the tcp match implicitly, also for protocol numbers")
    func implicitProtocolMatch() throws {
        #expect(try matches("-p tcp --dport 22 -j ACCEPT").map(\.condition) == [
            .layer4Protocol(ProtocolSet(value: 6)), .port(.destination, PortSet(value: 22)),
        ])
        #expect(try matches("-p 17 --sport 67 --dport 68").map(\.condition) == [
            .layer4Protocol(ProtocolSet(value: 17)), .port(.source, PortSet(value: 67)), .port(.destination, PortSet(value: 68)),
        ])
        #expect(try matches("-p icmp --icmp-type echo-request")[1].condition == .icmpType(icmpType(8)))
        // Options of the implicit match may follow other modules.
        #expect(try matches("-p tcp -m conntrack --ctstate NEW --dport 22").map(\.text) == ["-p tcp", "--ctstate NEW", "--dport 22"])
    }

    @Test("multiport: lists with ranges on either side, or on both (--ports)")
    func multiport() throws {
        let expected = PortSet(ranges: [22...22, 80...80, 1000...2000])
        #expect(try matches("-p tcp -m multiport --dports 22,80,1000:2000")[1] == Match(.port(.destination, expected), text: "--dports 22,80,1000:2000"))
        #expect(try matches("-p udp -m multiport --sports 137:139,445")[1].condition == .port(.source, PortSet(ranges: [137...139, 445...445])))
        #expect(try matches("-p tcp -m multiport --destination-ports http,https")[1].condition == .port(.destination, PortSet(ranges: [80...80, 443...443])))
        #expect(try matches("-p tcp -m multiport --source-ports 1:1023")[1].condition == .port(.source, PortSet(1...1023)))
        #expect(try matches("-p tcp -m multiport --ports 22")[1].condition == .eitherPort(PortSet(value: 22)))
        #expect(try matches("-p tcp -m multiport ! --dports 22,23")[1].negated)
    }

    // MARK: TCP flags

    @Test("--tcp-flags MASK COMPARE with flag names, ALL and NONE; --syn is SYN,RST,ACK,FIN SYN")
    func tcpFlags() throws {
        func flags(_ options: String) throws -> Match { try matches("-p tcp -m tcp " + options)[1] }
        #expect(try flags("--tcp-flags SYN,RST SYN") == Match(.tcpFlags(mask: 0x06, compare: 0x02), text: "--tcp-flags SYN,RST SYN"))
        #expect(try flags("--tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE").condition == .tcpFlags(mask: 0x3f, compare: 0))
        #expect(try flags("--tcp-flags ALL FIN,PSH,URG").condition == .tcpFlags(mask: 0x3f, compare: 0x29))
        #expect(try flags("--tcp-flags ECE,CWR ECE").condition == .tcpFlags(mask: 0xc0, compare: 0x40))
        #expect(try flags("--syn") == Match(.tcpFlags(mask: 0x17, compare: 0x02), text: "--syn"))
        #expect(try flags("! --syn") == Match(.tcpFlags(mask: 0x17, compare: 0x02), negated: true, text: "! --syn"))
        #expect(try flags("--tcp-flags ! SYN,RST SYN") == Match(.tcpFlags(mask: 0x06, compare: 0x02), negated: true, text: "--tcp-flags ! SYN,RST SYN"))
    }

    // MARK: ICMP

    @Test("icmp types by name, number and type/code; a type alone covers every code")
    func icmpTypes() throws {
        func icmp(_ value: String) throws -> Condition { try matches("-p icmp -m icmp --icmp-type " + value)[1].condition }
        #expect(try icmp("echo-request") == .icmpType(icmpType(8)))
        #expect(try icmp("echo-reply") == .icmpType(icmpType(0)))
        #expect(try icmp("8") == .icmpType(icmpType(8)))
        #expect(try icmp("destination-unreachable") == .icmpType(icmpType(3)))
        #expect(try icmp("port-unreachable") == .icmpType(IntervalSet(value: 3 << 8 | 3)))
        #expect(try icmp("3/4") == .icmpType(IntervalSet(value: 3 << 8 | 4)))
        #expect(try icmp("fragmentation-needed") == .icmpType(IntervalSet(value: 3 << 8 | 4)))
        #expect(try icmp("time-exceeded") == .icmpType(icmpType(11)))
        #expect(try icmp("any") == .icmpType(.full))
        #expect(try icmp("255") == .icmpType(.full))
        #expect(try icmp("Echo-Request") == .icmpType(icmpType(8)))
    }

    @Test("icmpv6 types by name (both spellings of neighbour) and number")
    func icmpv6Types() throws {
        func icmp6(_ value: String) throws -> Condition {
            try matches("-p ipv6-icmp -m icmp6 --icmpv6-type " + value, family: .ipv6)[1].condition
        }
        #expect(try icmp6("echo-request") == .icmpType(icmpType(128)))
        #expect(try icmp6("echo-reply") == .icmpType(icmpType(129)))
        #expect(try icmp6("neighbour-solicitation") == .icmpType(icmpType(135)))
        #expect(try icmp6("neighbor-solicitation") == .icmpType(icmpType(135)))
        #expect(try icmp6("neighbour-advertisement") == .icmpType(icmpType(136)))
        #expect(try icmp6("router-solicitation") == .icmpType(icmpType(133)))
        #expect(try icmp6("router-advertisement") == .icmpType(icmpType(134)))
        #expect(try icmp6("destination-unreachable") == .icmpType(icmpType(1)))
        #expect(try icmp6("port-unreachable") == .icmpType(IntervalSet(value: 1 << 8 | 4)))
        #expect(try icmp6("packet-too-big") == .icmpType(icmpType(2)))
        #expect(try icmp6("time-exceeded") == .icmpType(icmpType(3)))
        #expect(try icmp6("parameter-problem") == .icmpType(icmpType(4)))
        #expect(try icmp6("143") == .icmpType(icmpType(143)))
        // Without -m icmp6, after -p icmpv6, the option loads icmp6 implicitly.
        #expect(try matches("-p icmpv6 --icmpv6-type 1/3", family: .ipv6)[1].condition == .icmpType(IntervalSet(value: 1 << 8 | 3)))
    }

    // MARK: State, address types, ranges, marks, comments

    @Test("conntrack --ctstate and state --state become connection states")
    func connectionStates() throws {
        #expect(try onlyMatch("-m conntrack --ctstate RELATED,ESTABLISHED") == Match(.connectionState([.related, .established]), text: "--ctstate RELATED,ESTABLISHED"))
        #expect(try onlyMatch("-m state --state NEW").condition == .connectionState(.new))
        #expect(try onlyMatch("-m state --state INVALID,UNTRACKED").condition == .connectionState([.invalid, .untracked]))
        #expect(try onlyMatch("-m conntrack ! --ctstate NEW").negated)
        #expect(try onlyMatch("-m conntrack --ctstate ! NEW").negated)
    }

    @Test("the virtual states DNAT and SNAT test the connection's translation, alone or beside states")
    func translationStates() throws {
        #expect(try onlyMatch("-m conntrack --ctstate DNAT").condition == .translationStatus(IntervalSet(ranges: [1...1, 3...3])))
        #expect(try onlyMatch("-m conntrack --ctstate SNAT,DNAT").condition == .translationStatus(IntervalSet(1...3)))
        let either = try onlyMatch("-m conntrack ! --ctstate ESTABLISHED,DNAT")
        #expect(either.negated)
        #expect(either.condition == .oneOf([[Match(.connectionState(.established), text: "")],
                                             [Match(.translationStatus(IntervalSet(ranges: [1...1, 3...3])), text: "")]]))
        #expect(throws: IptablesLoadingError.self) { try onlyMatch("-m state --state DNAT") }
    }

    @Test("addrtype --src-type/--dst-type lists")
    func addressTypes() throws {
        #expect(try onlyMatch("-m addrtype --dst-type LOCAL") == Match(.addressType(.destination, [.local]), text: "--dst-type LOCAL"))
        #expect(try onlyMatch("-m addrtype --src-type BROADCAST,MULTICAST").condition == .addressType(.source, [.broadcast, .multicast]))
        #expect(try onlyMatch("-m addrtype ! --dst-type UNICAST").negated)
        #expect(try matches("-m addrtype --src-type LOCAL --dst-type LOCAL").count == 2)
    }

    @Test("iprange --src-range/--dst-range")
    func addressRanges() throws {
        #expect(try onlyMatch("-m iprange --src-range 10.0.0.1-10.0.0.9") == Match(.address(.source, ipv4Range("10.0.0.1", "10.0.0.9")), text: "--src-range 10.0.0.1-10.0.0.9"))
        #expect(try onlyMatch("-m iprange ! --dst-range 192.0.2.10-192.0.2.20").negated)
        #expect(try onlyMatch("-m iprange --dst-range 2001:db8::1-2001:db8::ff", family: .ipv6).condition
            == .address(.destination, AddressSet(IPAddress("2001:db8::1")!.value...IPAddress("2001:db8::ff")!.value)))
    }

    @Test("mark and connmark: value with optional mask, hex or decimal; the mask defaults to all ones")
    func marks() throws {
        #expect(try onlyMatch("-m mark --mark 0x10/0xf0") == Match(.packetMark(value: 0x10, mask: 0xf0), text: "-m mark --mark 0x10/0xf0"))
        #expect(try onlyMatch("-m mark --mark 16").condition == .packetMark(value: 16, mask: 0xffff_ffff))
        #expect(try onlyMatch("-m mark ! --mark 0x1").negated)
        #expect(try onlyMatch("-m connmark --mark 0x2000000/0x2000000").condition == .connectionMark(value: 0x200_0000, mask: 0x200_0000))
    }

    @Test("comments: a condition that always holds, and the rule's comment; quotes and escapes are undone")
    func comments() throws {
        let (rule, _) = try inputRule(#"-m comment --comment "allow \"ssh\" from 'ops'" -j ACCEPT"#)
        #expect(rule.comment == #"allow "ssh" from 'ops'"#)
        #expect(rule.matches == [Match(.comment(#"allow "ssh" from 'ops'"#), text: #"--comment "allow \"ssh\" from 'ops'""#)])
        #expect(try inputRule("-m comment --comment 'single quoted -j DROP'").rule.comment == "single quoted -j DROP")
        #expect(try inputRule("-m comment --comment SSH").rule.comment == "SSH")
        #expect(try inputRule("-m comment --comment a -m comment --comment b").rule.comment == "a; b")
        #expect(try inputRule(#"-m comment --comment two\ words"#).rule.comment == "two words")
        #expect(try inputRule(#"-m comment --comment "grüße, 端口" -j ACCEPT"#).rule.text == #"-A INPUT -m comment --comment "grüße, 端口" -j ACCEPT"#)
    }

    @Test("getopt's --option=value form is accepted")
    func optionAssignment() throws {
        #expect(try matches("-p tcp --dport=22")[1].condition == .port(.destination, PortSet(value: 22)))
        #expect(try inputRule(#"-m comment --comment="a b""#).rule.comment == "a b")
    }

    @Test("a rule's matches keep the order they were written in")
    func matchOrder() throws {
        let texts = try matches("-s 192.0.2.0/24 -i eth0 -p tcp -m tcp --sport 1024: --dport 443 -m conntrack --ctstate NEW -j ACCEPT").map(\.text)
        #expect(texts == ["-s 192.0.2.0/24", "-i eth0", "-p tcp", "--sport 1024:", "--dport 443", "--ctstate NEW"])
    }
}
