import FirewallModel
import NftablesSemantics
import Testing

/// Conditions from kernel integers: the form the bytecode reader compares fields in.
@Suite struct IntegerConditionTests {
    let builder = ConditionBuilder(tableFamily: .inet, interfaceNames: [2: "eth0"])

    func values(_ ranges: ClosedRange<UInt128>...) -> IntervalSet<UInt128> { IntervalSet(ranges: ranges) }

    @Test func aShortAddressLoadIsAPrefix() {
        // The first two bytes of ip saddr equal to 10.1: 10.1.0.0/16.
        let condition = builder.condition(.address(.source, .ipv4), length: 2, mask: nil, in: values(0x0a01...0x0a01))
        #expect(condition == .address(.source, AddressSet(0x0a01_0000...0x0a01_ffff)))
    }

    @Test func aMaskThatIsNotAPrefixIsNotModelled() {
        #expect(builder.condition(.address(.source, .ipv4), length: 4, mask: 0x00ff_00ff, in: values(0...0)) == nil)
    }

    @Test func portsNeedTheirProtocolAndDccpIsNotExpressible() {
        #expect(builder.condition(.port(.destination, protocolNumber: 6), length: 2, mask: nil, in: values(22...22))
            == .port(.destination, PortSet(value: 22)))
        #expect(builder.condition(.port(.destination, protocolNumber: 33), length: 2, mask: nil, in: values(22...22)) == nil)
    }

    @Test func transportHeaderPortsAreExactOnlyForPortProtocols() {
        guard case .oneOf(let alternatives)? = builder.condition(.port(.destination, protocolNumber: nil), length: 2, mask: nil, in: values(53...53)) else {
            Issue.record("expected alternatives"); return
        }
        #expect(alternatives[0].map(\.condition) == [.port(.destination, PortSet(value: 53))])
        #expect(alternatives[1][0].condition == .layer4Protocol(ProtocolSet.withPorts.complement()))
        #expect(alternatives[1][1].isOpaque)
    }

    @Test func connectionStateIsDecidedPerStateBit() {
        // ct state & (established|related) != 0: every value but 0 under the mask.
        let condition = builder.condition(.connectionState, length: 4, mask: 0x6, in: values(1...UInt128(UInt32.max)))
        #expect(condition == .connectionState([.established, .related]))
    }

    @Test func familiesFromNfprotoAndEthertype() {
        #expect(builder.condition(.netfilterFamily(fromConnection: false), length: 1, mask: nil, in: values(10...10)) == .addressFamily(.ipv6))
        #expect(builder.condition(.ethertype(fromLinkHeader: false), length: 2, mask: nil, in: values(0x0800...0x0800)) == .addressFamily(.ipv4))
        #expect(builder.condition(.ethertype(fromLinkHeader: false), length: 2, mask: nil, in: values(0x0806...0x0806)) == .oneOf([]))
    }

    @Test func icmpTypeCodeAndBoth() {
        #expect(builder.condition(.icmpType(.ipv4), length: 1, mask: nil, in: values(8...8)) == .icmpType(IntervalSet(0x0800...0x08ff)))
        #expect(builder.condition(.icmpType(.ipv4), length: 2, mask: nil, in: values(0x0300...0x0303)) == .icmpType(IntervalSet(0x0300...0x0303)))
        guard case .icmpType(let codes)? = builder.condition(.icmpCode(.ipv6), length: 1, mask: nil, in: values(4...4)) else {
            Issue.record("expected icmp codes"); return
        }
        #expect(codes.contains(0x0104) && codes.contains(0x8004) && !codes.contains(0x0103))
    }

    @Test func interfaceNamesAndIndexes() {
        // "eth" then NUL in 4 bytes: exactly eth; the same 3 bytes without NUL: eth*.
        #expect(builder.condition(.interfaceName(input: true), length: 4, mask: nil, in: values(0x6574_6800...0x6574_6800))
            == .inInterface(InterfacePattern(name: "eth", isWildcard: false)))
        #expect(builder.condition(.interfaceName(input: true), length: 3, mask: nil, in: values(0x657468...0x657468))
            == .inInterface(InterfacePattern(name: "eth", isWildcard: true)))
        #expect(builder.condition(.interfaceIndex(input: false), length: 4, mask: nil, in: values(2...2))
            == .outInterface(InterfacePattern(name: "eth0", isWildcard: false)))
        #expect(builder.condition(.interfaceIndex(input: false), length: 4, mask: nil, in: values(3...3)) == nil)
    }

    @Test func marksAndRouteTypes() {
        #expect(builder.condition(.packetMark, length: 4, mask: 0xff, in: values(1...1)) == .packetMark(value: 1, mask: 0xff))
        #expect(builder.condition(.fibType(.destination), length: 4, mask: nil, in: values(2...2)) == .addressType(.destination, [.local]))
        #expect(builder.condition(.opaque("ip ttl"), length: 1, mask: nil, in: values(1...1)) == nil)
    }
}
