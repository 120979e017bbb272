import FirewallModel
import NftablesSemantics
import Testing

/// Conditions from values as nft writes them, and the header checks nft implies: the form the JSON reader uses.
@Suite struct TypedConditionTests {
    let inet = ConditionBuilder(tableFamily: .inet)

    func numbers(_ ranges: ClosedRange<UInt128>...) -> FieldValue { .numbers(IntervalSet(ranges: ranges)) }

    @Test func dependenciesFollowTheTableFamily() {
        #expect(inet.dependencies(of: .port(.destination, protocolNumber: 6)).map(\.text) == ["meta l4proto tcp"])
        #expect(inet.dependencies(of: .address(.source, .ipv6)).map(\.condition) == [.addressFamily(.ipv6)])
        #expect(inet.dependencies(of: .icmpType(.ipv6)).map(\.text) == ["meta nfproto ipv6", "meta l4proto icmpv6"])
        #expect(ConditionBuilder(tableFamily: .ip).dependencies(of: .address(.source, .ipv4)).isEmpty)
        #expect(inet.dependencies(of: .tcpFlags).map(\.condition) == [.layer4Protocol(ProtocolSet(value: 6))])
        #expect(inet.dependencies(of: .port(.destination, protocolNumber: nil)).isEmpty)
        #expect(inet.dependencies(of: .connectionState).isEmpty)
    }

    @Test func numbersAreClampedToTheFieldsDomain() {
        let match = inet.condition(.address(.source, .ipv4), [numbers(0xffff_fff0...0x1_0000_0010)], negated: false, text: "t")
        #expect(match?.condition == .address(.source, AddressSet(0xffff_fff0...0xffff_ffff)))
    }

    @Test func negationStaysOnTheMatch() {
        let match = inet.condition(.port(.destination, protocolNumber: 17), [numbers(53...53), numbers(123...123)], negated: true, text: "udp dport != { 53, 123 }")
        #expect(match == Match(.port(.destination, PortSet(ranges: [53...53, 123...123])), negated: true, text: "udp dport != { 53, 123 }"))
    }

    @Test func tcpFlagsEqualityAndBitTest() {
        // tcp flags & (syn|ack) == syn
        let equal = inet.condition(.tcpFlags, [numbers(0x02...0x02)], negated: false, mask: 0x12, text: "t")
        #expect(equal?.condition == .tcpFlags(mask: 0x12, compare: 0x02))
        // tcp flags syn,ack: either bit set.
        let bits = inet.condition(.tcpFlags, [numbers(0x12...0x12)], negated: false, comparison: .bitTest, text: "t")
        #expect(bits?.condition == .oneOf([[Match(.tcpFlags(mask: 0x02, compare: 0x02), text: "t")], [Match(.tcpFlags(mask: 0x10, compare: 0x10), text: "t")]]))
    }

    @Test func statesFamiliesInterfacesAndRouteTypes() {
        #expect(inet.condition(.connectionState, [.states([.established, .related])], negated: false, text: "t")?.condition
            == .connectionState([.established, .related]))
        #expect(inet.condition(.netfilterFamily(fromConnection: false), [.family(.ipv4)], negated: false, text: "t")?.condition == .addressFamily(.ipv4))
        #expect(inet.condition(.ethertype(fromLinkHeader: false), [.family(.ipv4), .family(.ipv6)], negated: false, text: "t")?.condition == .oneOf([[]]))
        let eth = InterfacePattern(name: "eth", isWildcard: true)
        #expect(inet.condition(.interfaceName(input: true), [.interface(eth)], negated: false, text: "t")?.condition == .inInterface(eth))
        #expect(inet.condition(.fibType(.source), [.addressTypes([.local])], negated: false, text: "t")?.condition == .addressType(.source, [.local]))
    }

    @Test func theCatchAllMatchesEverythingAndUnknownValuesAreNotModelled() {
        #expect(inet.condition(.packetMark, [.anything], negated: false, text: "t")?.condition == .oneOf([[]]))
        #expect(inet.condition(.port(.destination, protocolNumber: 6), [.states(.new)], negated: false, text: "t") == nil)
        #expect(inet.condition(.opaque("meta pkttype"), [numbers(1...1)], negated: false, text: "t") == nil)
    }

    @Test func manyMarksAreLeftToTheReader() {
        #expect(inet.condition(.packetMark, [numbers(0...63)], negated: false, text: "t") != nil)
        #expect(inet.condition(.packetMark, [numbers(0...64)], negated: false, text: "t") == nil)
    }
}
