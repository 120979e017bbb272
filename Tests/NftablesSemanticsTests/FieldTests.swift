import FirewallModel
import NftablesSemantics
import Testing

/// The field vocabulary: nft's names for what expressions read.
@Suite struct FieldTests {
    @Test func fieldsAreNamedAsNftPrintsThem() {
        let names: [(Field, String)] = [
            (.address(.source, .ipv4), "ip saddr"), (.address(.destination, .ipv6), "ip6 daddr"),
            (.port(.destination, protocolNumber: 6), "tcp dport"), (.port(.source, protocolNumber: 33), "dccp sport"),
            (.port(.destination, protocolNumber: 136), "udplite dport"), (.port(.destination, protocolNumber: nil), "th dport"),
            (.layer4Protocol(nil), "meta l4proto"), (.layer4Protocol(.ipv4), "ip protocol"), (.layer4Protocol(.ipv6), "ip6 nexthdr"),
            (.tcpFlags, "tcp flags"), (.icmpType(.ipv4), "icmp type"), (.icmpCode(.ipv6), "icmpv6 code"),
            (.netfilterFamily(fromConnection: false), "meta nfproto"), (.netfilterFamily(fromConnection: true), "ct l3proto"),
            (.ethertype(fromLinkHeader: false), "meta protocol"), (.ethertype(fromLinkHeader: true), "ether type"),
            (.packetMark, "meta mark"), (.connectionMark, "ct mark"), (.connectionState, "ct state"),
            (.interfaceName(input: true), "iifname"), (.interfaceIndex(input: false), "oif"),
            (.fibType(.destination), "fib daddr type"), (.opaque("ct status"), "ct status"),
            (.composite([.init(field: .port(.source, protocolNumber: 17), length: 2), .init(field: .port(.destination, protocolNumber: 17), length: 2)]),
             "udp sport . udp dport"),
        ]
        for (field, name) in names { #expect(field.name == name) }
    }

    @Test func numericFieldsHaveTheirDomain() {
        #expect(Field.address(.source, .ipv4).numericDomain == 0...0xffff_ffff)
        #expect(Field.address(.source, .ipv6).numericDomain == 0...UInt128.max)
        #expect(Field.port(.source, protocolNumber: nil).numericDomain == 0...0xffff)
        #expect(Field.icmpCode(.ipv4).numericDomain == 0...0xff)
        #expect(Field.connectionMark.numericDomain == 0...0xffff_ffff)
        #expect(Field.connectionState.numericDomain == nil)
        #expect(Field.interfaceName(input: true).numericDomain == nil)
    }
}
