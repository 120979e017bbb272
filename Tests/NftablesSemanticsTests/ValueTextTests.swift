import FirewallModel
import NftablesSemantics
import Testing

/// Compared values printed in nft notation.
@Suite struct ValueTextTests {
    func values(_ ranges: ClosedRange<UInt128>...) -> IntervalSet<UInt128> { IntervalSet(ranges: ranges) }

    @Test func addressesAsPrefixesAndSets() {
        let set = AddressSet(ranges: [0x0a00_0000...0x0aff_ffff, 0xc0a8_0001...0xc0a8_0001])
        #expect(ValueText.render(.address(.source, .ipv4), length: 4, set, condition: .address(.source, set)) == "{ 10.0.0.0/8, 192.168.0.1 }")
    }

    @Test func protocolsByNameForHeadersNftReads() {
        #expect(ValueText.render(.layer4Protocol(nil), length: 1, values(6...6, 17...17), condition: nil) == "{ tcp, udp }")
        #expect(ValueText.render(.layer4Protocol(nil), length: 1, values(58...58), condition: nil) == "ipv6-icmp")
        #expect(ValueText.render(.layer4Protocol(nil), length: 1, values(47...47), condition: nil) == "47")
        #expect(ValueText.protocolName(33) == "dccp")
    }

    @Test func flagsFamiliesStatesAndInterfaces() {
        #expect(ValueText.render(.tcpFlags, length: 1, values(0x12...0x12), condition: nil) == "syn|ack")
        #expect(ValueText.render(.netfilterFamily(fromConnection: false), length: 1, values(2...2), condition: nil) == "ipv4")
        #expect(ValueText.render(.ethertype(fromLinkHeader: true), length: 2, values(0x0806...0x0806), condition: nil) == "arp")
        #expect(ValueText.render(.connectionState, length: 4, values(2...2), condition: .connectionState(.established)) == "established")
        #expect(ValueText.render(.interfaceName(input: true), length: 3, values(0x657468...0x657468), condition: nil) == "\"eth*\"")
        #expect(ValueText.render(.fibType(.destination), length: 4, values(2...2), condition: nil) == "local")
    }

    @Test func icmpTypesAndCodesByNftName() {
        #expect(ValueText.render(.icmpType(.ipv6), length: 1, values(135...135), condition: nil) == "nd-neighbor-solicit")
        #expect(ValueText.render(.icmpType(.ipv6), length: 1, values(132...132), condition: nil) == "mld-listener-done")
        #expect(ValueText.render(.icmpType(.ipv4), length: 1, values(8...8), condition: nil) == "echo-request")
        #expect(ValueText.render(.icmpType(.ipv4), length: 1, values(133...140), condition: nil) == "133-140")
        #expect(ValueText.render(.icmpCode(.ipv4), length: 1, values(3...3), condition: nil) == "port-unreachable")
        #expect(ValueText.render(.icmpType(.ipv6), length: 2, values(0x0104...0x0104), condition: nil)
                == "destination-unreachable icmpv6 code port-unreachable")
        #expect(ValueText.icmpList([134...134, 135...135, 136...136], family: .ipv6, code: false)
                == "{ nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert }")
    }

    @Test func interfaceIndexesByTheirNames() {
        let lo = Condition.inInterface(InterfacePattern(name: "lo", isWildcard: false))
        #expect(ValueText.render(.interfaceIndex(input: true), length: 4, values(1...1), condition: lo) == "\"lo\"")
        #expect(ValueText.render(.interfaceIndex(input: true), length: 4, values(7...7), condition: nil) == "0x7")
    }

    @Test func marksInHexAndPortsAsRanges() {
        #expect(ValueText.render(.packetMark, length: 4, values(0x10...0x10), condition: nil) == "0x10")
        #expect(ValueText.render(.port(.destination, protocolNumber: 6), length: 2, values(1024...65535), condition: nil) == "1024-65535")
    }

    @Test func longListsAreCut() {
        let many = IntervalSet(ranges: (0..<70).map { UInt128($0 * 2)...UInt128($0 * 2) })
        #expect(ValueText.list(many) { "\($0)" }.hasSuffix(", … }"))
    }

    @Test func maskedSubjects() {
        #expect(ValueText.subject(.packetMark, mask: 0xff) == "meta mark & 0xff")
        #expect(ValueText.subject(.address(.source, .ipv4), mask: 0xffff_0000) == "ip saddr")
        #expect(ValueText.subject(.tcpFlags, mask: nil) == "tcp flags")
    }
}
