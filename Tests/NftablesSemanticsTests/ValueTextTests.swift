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
