import FirewallModel
import NftablesBytecode
import NftablesLoading
import Testing

/// iptables-nft's `icmp` and `icmp6` xt matches (`struct ipt_icmp`: type, code range, inversion),
/// with the text iptables-save prints for each. Info bytes as the kernel reports them.
@Suite struct XtICMPTests {
    @Test func typesCodesAnyAndInversion() throws {
        // -p icmp --icmp-type echo-request: every code of type 8
        let (echo, _) = try iptablesRule(matches: [("icmp", 0, hexBytes("0800ff00"))], verdict: .accept)
        #expect(conditions(echo) == [.icmpType(IntervalSet(0x0800...0x08ff))])
        #expect(echo.matches[0].text == "-m icmp --icmp-type 8")
        // -p icmp -m icmp ! --icmp-type 3/3
        let (port, _) = try iptablesRule(matches: [("icmp", 0, hexBytes("03030301"))], verdict: .accept)
        #expect(conditions(port) == [.icmpType(IntervalSet(value: 0x0303))])
        #expect(port.matches[0].negated)
        #expect(port.matches[0].text == "-m icmp ! --icmp-type 3/3")
        // -p icmp --icmp-type any
        let (any, _) = try iptablesRule(matches: [("icmp", 0, hexBytes("ff00ff00"))], verdict: .accept)
        #expect(conditions(any) == [.icmpType(.full)])
        #expect(any.matches[0].text == "-m icmp --icmp-type any")
    }

    @Test func icmpv6TypesAndType255() throws {
        // -p ipv6-icmp --icmpv6-type neighbour-solicitation
        let (solicit, _) = try iptablesRule(matches: [("icmp6", 0, hexBytes("8700ff00"))], verdict: .accept, family: .ip6)
        #expect(conditions(solicit) == [.icmpType(IntervalSet(0x8700...0x87ff))])
        #expect(solicit.matches[0].text == "-m icmp6 --icmpv6-type 135")
        // --icmpv6-type 1/4
        let (unreachable, _) = try iptablesRule(matches: [("icmp6", 0, hexBytes("01040400"))], verdict: .accept, family: .ip6)
        #expect(conditions(unreachable) == [.icmpType(IntervalSet(value: 0x0104))])
        #expect(unreachable.matches[0].text == "-m icmp6 --icmpv6-type 1/4")
        // --icmpv6-type 255 is type 255: the IPv6 match has no `any`.
        let (experimental, _) = try iptablesRule(matches: [("icmp6", 0, hexBytes("ff00ff00"))], verdict: .accept, family: .ip6)
        #expect(conditions(experimental) == [.icmpType(IntervalSet(0xff00...0xffff))])
    }
}
