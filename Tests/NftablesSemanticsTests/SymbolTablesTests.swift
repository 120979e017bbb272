import FirewallModel
import NftablesSemantics
import Testing

/// nft's symbolic constants and their numbers.
@Suite struct SymbolTablesTests {
    @Test func tcpFlagNamesFollowTheBitOrder() {
        #expect(SymbolTables.tcpFlagNames == ["fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr"])
        #expect(SymbolTables.tcpFlags["syn"] == 0x02)
        #expect(SymbolTables.tcpFlags["ack"] == 0x10)
        #expect(SymbolTables.tcpFlags["cwr"] == 0x80)
    }

    @Test func connectionStateBitsCoverEveryState() {
        let states = SymbolTables.connectionStateBits.reduce(ConnectionStates()) { $0.union($1.0) }
        #expect(states == .all)
        #expect(SymbolTables.connectionStateBits.first { $0.0 == .established }?.1 == 2)
        #expect(SymbolTables.connectionStateBits.first { $0.0 == .untracked }?.1 == 64)
    }

    @Test func familyNumbersAndEthertypesRoundTrip() {
        #expect(SymbolTables.addressFamily(2, ethertype: false) == .ipv4)
        #expect(SymbolTables.addressFamily(10, ethertype: false) == .ipv6)
        #expect(SymbolTables.addressFamily(0x0800, ethertype: true) == .ipv4)
        #expect(SymbolTables.addressFamily(0x86dd, ethertype: true) == .ipv6)
        #expect(SymbolTables.addressFamily(0x0806, ethertype: true) == nil)
        #expect(SymbolTables.familyNumber(named: "ipv6", ethertype: false) == 10)
        #expect(SymbolTables.familyNumber(named: "ip6", ethertype: true) == 0x86dd)
        #expect(SymbolTables.familyNumber(named: "ip6", ethertype: false) == nil)
    }

    @Test func icmpNamesOfBothFamilies() {
        #expect(SymbolTables.icmpTypes["echo-request"] == 8)
        #expect(SymbolTables.icmpv6Types["echo-request"] == 128)
        #expect(SymbolTables.icmpv6Types["nd-neighbor-solicit"] == 135)
        #expect(SymbolTables.icmpCodes["port-unreachable"] == 3)
        #expect(SymbolTables.icmpv6Codes["port-unreachable"] == 4)
    }

    @Test func routeTypesByNameAndKernelNumber() {
        #expect(SymbolTables.addressTypes["local"] == .local)
        #expect(SymbolTables.addressType(number: 2) == .local)
        #expect(SymbolTables.addressType(number: 1) == .unicast)
        #expect(SymbolTables.addressType(number: 99) == nil)
    }

    @Test func servicesAndPriorities() {
        #expect(SymbolTables.services["ssh"] == 22)
        #expect(SymbolTables.priorities["dstnat"] == -100)
        #expect(SymbolTables.priorities["filter"] == 0)
    }
}
