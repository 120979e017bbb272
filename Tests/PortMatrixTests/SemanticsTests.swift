import FirewallModel
import PortMatrix
import Testing

@Suite("Zone addresses")
struct ZoneAddressTests {
    @Test("an 'any' zone holds every address of both families")
    func anyZone() throws {
        let loaded = try load("version: 1\nzones:\n  clients: {addresses: [any]}\nflows: []\n")
        let clients = try #require(loaded.zone("clients"))
        #expect(clients.isAny)
        #expect(clients.addresses(for: .ipv4) == AddressSet(0...UInt128(UInt32.max)))
        #expect(clients.addresses(for: .ipv6) == AddressSet.full)
        #expect(clients.families == [.ipv4, .ipv6])
    }

    @Test("addresses(for:) collects one family's hosts, prefixes and ranges, and is nil for a family the zone lacks")
    func perFamily() throws {
        let loaded = try load("""
        version: 1
        zones:
          dual:
            addresses: [192.0.2.0/25, 192.0.2.128/25, 198.51.100.7, "2001:db8::/64", 203.0.113.1-203.0.113.3]
          v4only:
            addresses: [10.0.0.0/8]
          v6only:
            addresses: ["fe80::1"]
        flows: []
        """)
        let dual = try #require(loaded.zone("dual"))
        let ipv4 = try #require(dual.addresses(for: .ipv4))
        #expect(ipv4.ranges == [0xc000_0200...0xc000_02ff, 0xc633_6407...0xc633_6407, 0xcb00_7101...0xcb00_7103])
        let ipv6 = try #require(dual.addresses(for: .ipv6))
        let base = try #require(IPAddress("2001:db8::")).value
        #expect(ipv6 == AddressSet(base...(base | UInt128(UInt64.max))))
        #expect(!ipv6.contains(try #require(IPAddress("2001:db8:0:1::")).value))

        let v4only = try #require(loaded.zone("v4only"))
        #expect(v4only.addresses(for: .ipv4) == AddressSet(0x0a00_0000...0x0aff_ffff))
        #expect(v4only.addresses(for: .ipv6) == nil)
        #expect(v4only.families == [.ipv4])

        let v6only = try #require(loaded.zone("v6only"))
        #expect(v6only.addresses(for: .ipv4) == nil)
        #expect(v6only.addresses(for: .ipv6) == AddressSet(value: try #require(IPAddress("fe80::1")).value))
    }

    @Test("a prefix written with host bits set covers the whole prefix")
    func hostBits() throws {
        let loaded = try load("version: 1\nzones:\n  z: {addresses: [192.0.2.77/24]}\nflows: []\n")
        #expect(loaded.zone("z")?.addresses(for: .ipv4) == AddressSet(0xc000_0200...0xc000_02ff))
    }
}

@Suite("Flow protocols")
struct FlowProtocolTests {
    @Test("each protocol maps to its protocol numbers per family",
          arguments: [
            (FlowProtocol.tcp, [6...6], [6...6]),
            (.udp, [17...17], [17...17]),
            (.tcpUdp, [6...6, 17...17], [6...6, 17...17]),
            (.icmp, [1...1], []),
            (.icmpv6, [], [58...58]),
            (.sctp, [132...132], [132...132]),
            (.any, [0...255], [0...255]),
          ] as [(FlowProtocol, [ClosedRange<UInt8>], [ClosedRange<UInt8>])])
    func protocolNumbers(flowProtocol: FlowProtocol, ipv4: [ClosedRange<UInt8>], ipv6: [ClosedRange<UInt8>]) {
        #expect(flowProtocol.protocolNumbers(for: .ipv4).ranges == ipv4)
        #expect(flowProtocol.protocolNumbers(for: .ipv6).ranges == ipv6)
    }

    @Test("protocols are spelt as in the matrix; only tcp, udp, tcp+udp and sctp have ports")
    func spelling() {
        #expect(FlowProtocol.keywords.map(\.rawValue) == ["tcp", "udp", "tcp+udp", "icmp", "icmpv6", "sctp", "any"])
        #expect(FlowProtocol.keywords.filter(\.hasPorts) == [.tcp, .udp, .tcpUdp, .sctp])
    }

    @Test("any IP protocol by /etc/protocols name or number: one number in both families, no ports, the official name")
    func namedAndNumberedProtocols() throws {
        let cases: [(String, String, UInt8)] = [("esp", "esp", 50), ("50", "esp", 50), ("ah", "ah", 51), ("gre", "gre", 47),
                                                ("vrrp", "vrrp", 112), ("112", "vrrp", 112), ("ospf", "ospf", 89), ("ospfigp", "ospf", 89),
                                                ("pim", "pim", 103), ("igmp", "igmp", 2), ("l2tp", "l2tp", 115), ("253", "253", 253)]
        for (text, name, number) in cases {
            let flowProtocol = try #require(FlowProtocol(rawValue: text), "\(text)")
            #expect(flowProtocol.rawValue == name)
            #expect(!flowProtocol.hasPorts)
            #expect(flowProtocol.protocolNumbers(for: .ipv4).ranges == [number...number])
            #expect(flowProtocol.protocolNumbers(for: .ipv6).ranges == [number...number])
        }
        #expect(FlowProtocol(rawValue: "6") == .tcp)
        #expect(FlowProtocol(rawValue: "ipv6-icmp") == .icmpv6)
        #expect(FlowProtocol(rawValue: "58") == .icmpv6)
        #expect(FlowProtocol(rawValue: "1") == .icmp)
        for bad in ["256", "-1", "+50", "ESP", "", "tcp/udp"] { #expect(FlowProtocol(rawValue: bad) == nil, "\(bad)") }
    }

    @Test("severities order from low to critical")
    func severityOrder() {
        #expect(Severity.allCases.sorted() == [.low, .medium, .high, .critical])
        #expect(Severity.medium < .high)
        #expect(Severity.critical > .high)
    }
}

@Suite("Port syntax")
struct PortSyntaxTests {
    @Test("single ports, ranges with - or :, comma lists and any are port syntax",
          arguments: [
            ("22", [22...22]),
            ("0", [0...0]),
            ("65535", [65535...65535]),
            ("50000-59999", [50000...59999]),
            ("50000:59999", [50000...59999]),
            ("80,443", [80...80, 443...443]),
            ("443, 80 ,8080-8090", [80...80, 443...443, 8080...8090]),
            ("1-5,6-9", [1...9]),
            ("7-7", [7...7]),
            ("any", [0...65535]),
            ("00022", [22...22]),
          ] as [(String, [ClosedRange<UInt16>])])
    func valid(text: String, ranges: [ClosedRange<UInt16>]) {
        #expect(PortSyntax.parse(text)?.ranges == ranges)
    }

    @Test("anything else is not",
          arguments: ["", " ", "65536", "70000", "600-500", "1-2-3", "-5", "5-", "80,", ",80", "http", "0x50", "80 443", "+80", "٣"])
    func invalid(text: String) {
        #expect(PortSyntax.parse(text) == nil)
    }

    @Test("portSyntax prints what parse reads back")
    func roundTrip() throws {
        for text in ["22", "80,443", "50000-59999", "any", "1,3,5-7"] {
            let ports = try #require(PortSyntax.parse(text))
            #expect(PortSyntax.parse(ports.portSyntax) == ports)
            #expect(ports.portSyntax == text)
        }
    }
}
