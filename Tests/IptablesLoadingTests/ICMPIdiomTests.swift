import FirewallModel
import Testing
@testable import IptablesLoading

/// The ICMP and ICMPv6 rules people write in iptables-save files, each an exact protocol and
/// type condition (no opaque match), the rule text kept as written.
@Suite("icmp idioms")
struct ICMPIdiomTests {
    static func types(_ values: UInt16...) -> IntervalSet<UInt16> {
        IntervalSet(ranges: values.map { ($0 << 8)...($0 << 8 | 0xff) })
    }

    func exact(_ options: String, family: AddressFamily = .ipv4) throws -> Rule {
        let (rule, diagnostics) = try inputRule(options, family: family)
        let opaque = rule.matches.filter(\.isOpaque)
        #expect(opaque.isEmpty && diagnostics.isEmpty, "\(options): \(opaque) \(diagnostics)")
        return rule
    }

    @Test("ICMP: by name, with -m icmp, type/code, negated, any")
    func icmp() throws {
        let echo = try exact("-p icmp --icmp-type echo-request -j ACCEPT")
        #expect(echo.matches.map(\.condition) == [.layer4Protocol(ProtocolSet(value: 1)), .icmpType(Self.types(8))])
        #expect(echo.text == "-A INPUT -p icmp --icmp-type echo-request -j ACCEPT")
        #expect(try exact("-p icmp -m icmp --icmp-type 8 -j ACCEPT").matches[1].condition == .icmpType(Self.types(8)))
        let code = try exact("-p icmp -m icmp --icmp-type 3/3 -j ACCEPT")
        #expect(code.matches[1].condition == .icmpType(IntervalSet(value: 0x0303)))
        let negated = try exact("-p icmp -m icmp ! --icmp-type echo-request -j DROP")
        #expect(negated.matches.map(\.negated) == [false, true])
        #expect(negated.matches[1].condition == .icmpType(Self.types(8)))
        #expect(negated.text == "-A INPUT -p icmp -m icmp ! --icmp-type echo-request -j DROP")
        #expect(try exact("-p icmp --icmp-type any -j ACCEPT").matches[1].condition == .icmpType(.full))
    }

    @Test("ICMPv6: -p ipv6-icmp and -p icmpv6, with and without -m icmp6, numbers, names, type/code, negated")
    func icmpv6() throws {
        let number = try exact("-p ipv6-icmp --icmpv6-type 135 -j ACCEPT", family: .ipv6)
        #expect(number.matches.map(\.condition) == [.layer4Protocol(ProtocolSet(value: 58)), .icmpType(Self.types(135))])
        let named = try exact("-p icmpv6 -m icmp6 --icmpv6-type neighbour-solicitation -j ACCEPT", family: .ipv6)
        #expect(named.matches.map(\.condition) == number.matches.map(\.condition))
        #expect(named.text == "-A INPUT -p icmpv6 -m icmp6 --icmpv6-type neighbour-solicitation -j ACCEPT")
        #expect(try exact("-p ipv6-icmp -m icmp6 --icmpv6-type 1/4 -j ACCEPT", family: .ipv6).matches[1].condition == .icmpType(IntervalSet(value: 0x0104)))
        let negated = try exact("-p icmpv6 ! --icmpv6-type router-advertisement -j DROP", family: .ipv6)
        #expect(negated.matches[1] == Match(.icmpType(Self.types(134)), negated: true, text: "! --icmpv6-type router-advertisement"))
        // 255 is a type like any other for ICMPv6; `any` is the IPv4 match's and ip6tables refuses it.
        #expect(try exact("-p ipv6-icmp --icmpv6-type 255 -j ACCEPT", family: .ipv6).matches[1].condition == .icmpType(Self.types(255)))
        #expect(throws: IptablesLoadingError.self) { try inputRule("-p ipv6-icmp --icmpv6-type any -j ACCEPT", family: .ipv6) }
    }

    @Test("with connection state, as hosts write them")
    func withState() throws {
        let rule = try exact("-p ipv6-icmp -m icmp6 --icmpv6-type 128 -m conntrack --ctstate NEW -j ACCEPT", family: .ipv6)
        #expect(rule.matches.map(\.condition) == [.layer4Protocol(ProtocolSet(value: 58)), .icmpType(Self.types(128)), .connectionState(.new)])
    }
}
