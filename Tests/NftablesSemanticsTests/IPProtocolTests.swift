import FirewallModel
import Testing

/// The one table of IP protocol numbers and names.
@Suite struct IPProtocolTests {
    @Test func everyNameAndAliasLeadsBackToItsNumber() {
        for entry in IPProtocol.entries {
            #expect(IPProtocol.name(of: entry.number) == entry.name)
            for name in [entry.name] + entry.aliases { #expect(IPProtocol.number(named: name) == entry.number, "\(name)") }
        }
    }

    @Test func numbersAndNamesAreEachListedOnce() {
        let numbers = IPProtocol.entries.map(\.number)
        #expect(Set(numbers).count == numbers.count)
        let names = IPProtocol.entries.flatMap { [$0.name] + $0.aliases }
        #expect(Set(names).count == names.count)
    }

    @Test func theNamesPeopleWrite() {
        let expected: [String: UInt8] = [
            "tcp": 6, "udp": 17, "icmp": 1, "ipv6-icmp": 58, "icmpv6": 58, "icmp6": 58, "sctp": 132, "udplite": 136,
            "esp": 50, "ah": 51, "gre": 47, "ipencap": 4, "ipip": 94, "ipv6": 41, "ospf": 89, "vrrp": 112, "pim": 103,
            "igmp": 2, "dccp": 33, "mh": 135, "ipcomp": 108, "comp": 108, "l2tp": 115,
        ]
        for (name, number) in expected { #expect(IPProtocol.number(named: name) == number, "\(name)") }
        #expect(IPProtocol.number(named: "TCP") == nil)
        #expect(IPProtocol.number(named: "no-such-protocol") == nil)
    }

    @Test func nftSpellsProtocolFourIpip() {
        #expect(IPProtocol.nftNumber(named: "ipip") == 4)
        #expect(IPProtocol.nftNumber(named: "ipencap") == 4)
        #expect(IPProtocol.nftNumber(named: "tcp") == 6)
        #expect(IPProtocol.number(named: "ipip") == 94)
    }

    @Test func officialAndShortNames() {
        #expect(IPProtocol.name(of: 58) == "ipv6-icmp")
        #expect(IPProtocol.shortName(of: 58) == "icmpv6")
        #expect(IPProtocol.shortName(of: 6) == "tcp")
        #expect(IPProtocol.name(of: 255) == nil)
        #expect(IPProtocol.shortName(of: 255) == nil)
    }
}
