import FirewallModel
import NftablesJSON
import Testing

/// The ICMP and ICMPv6 idioms of ordinary hosts in `nft -j` exports (as nft 1.0.6 writes them,
/// and with the protocol check spelled out as hand-written JSON may have it): exact protocol and
/// type conditions, no opaque match, and the rule text nft lists.
@Suite struct ICMPTests {
    static func types(_ values: UInt16...) -> IntervalSet<UInt16> {
        IntervalSet(ranges: values.map { ($0 << 8)...($0 << 8 | 0xff) })
    }

    static let icmpv6 = Condition.layer4Protocol(ProtocolSet(value: 58))
    static let icmp = Condition.layer4Protocol(ProtocolSet(value: 1))

    func rule(family: String = "inet", _ matches: String...) throws -> Rule {
        let rules = try Snippet.rules(family: family, "[" + matches.joined(separator: ",") + #", {"accept": null}]"#)
        try #require(rules.count == 1)
        let opaque = rules[0].matches.filter(\.isOpaque)
        #expect(opaque.isEmpty, "\(opaque)")
        return rules[0]
    }

    /// The conditions without repeats (a written protocol check and the one nft implies are the same test).
    func distinct(_ rule: Rule) -> [Condition] {
        var seen: [Condition] = []
        for condition in Snippet.conditions(rule) where !seen.contains(condition) { seen.append(condition) }
        return seen
    }

    @Test func debianNeighbourDiscoveryIdiom() throws {
        // meta l4proto ipv6-icmp icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept: nft exports the type match alone.
        let exported = try rule(Expr.match(Expr.payload("icmpv6", "type"), #"{"set": ["nd-router-advert", "nd-neighbor-solicit", "nd-neighbor-advert"]}"#))
        #expect(distinct(exported) == [.addressFamily(.ipv6), Self.icmpv6, .icmpType(Self.types(134, 135, 136))])
        #expect(exported.text == "icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } accept")
        let written = try rule(Expr.match(Expr.meta("l4proto"), #""ipv6-icmp""#),
                               Expr.match(Expr.payload("icmpv6", "type"), #"{"set": ["nd-neighbor-solicit", "nd-neighbor-advert", "nd-router-advert"]}"#))
        #expect(Set(distinct(written)) == Set(distinct(exported)))
        #expect(written.text == "meta l4proto ipv6-icmp icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept")
    }

    @Test func ip6NextHeaderIdiom() throws {
        // ip6 nexthdr icmpv6 icmpv6 type { nd-neighbor-solicit, echo-request } accept
        let found = try rule(Expr.match(Expr.payload("ip6", "nexthdr"), #""ipv6-icmp""#),
                             Expr.match(Expr.payload("icmpv6", "type"), #"{"set": ["echo-request", "nd-neighbor-solicit"]}"#))
        #expect(distinct(found) == [.addressFamily(.ipv6), Self.icmpv6, .icmpType(Self.types(128, 135))])
        #expect(found.text == "ip6 nexthdr ipv6-icmp icmpv6 type { echo-request, nd-neighbor-solicit } accept")
    }

    @Test func icmpTypeAndTheL4protoForm() throws {
        // icmp type echo-request accept; meta l4proto icmp icmp type { echo-request, destination-unreachable } accept
        let plain = try rule(Expr.match(Expr.payload("icmp", "type"), #""echo-request""#))
        #expect(distinct(plain) == [.addressFamily(.ipv4), Self.icmp, .icmpType(Self.types(8))])
        #expect(plain.text == "icmp type echo-request accept")
        let written = try rule(Expr.match(Expr.meta("l4proto"), #""icmp""#),
                               Expr.match(Expr.payload("icmp", "type"), #"{"set": ["destination-unreachable", "echo-request"]}"#))
        #expect(Set(distinct(written)) == [.addressFamily(.ipv4), Self.icmp, .icmpType(Self.types(3, 8))])
        #expect(written.text == "meta l4proto icmp icmp type { destination-unreachable, echo-request } accept")
    }

    @Test func withConnectionStateAndNegated() throws {
        // icmpv6 type echo-request ct state new accept; icmp type != echo-request
        let state = try rule(Expr.match(Expr.payload("icmpv6", "type"), #""echo-request""#), Expr.match(Expr.ct("state"), #""new""#, op: "in"))
        #expect(distinct(state) == [.addressFamily(.ipv6), Self.icmpv6, .icmpType(Self.types(128)), .connectionState(.new)])
        #expect(state.text == "icmpv6 type echo-request ct state new accept")
        let negated = try rule(Expr.match(Expr.payload("icmp", "type"), #""echo-request""#, op: "!="))
        #expect(negated.matches.last?.condition == .icmpType(Self.types(8)))
        #expect(negated.matches.map(\.negated) == [false, false, true])
        #expect(negated.text == "icmp type != echo-request accept")
    }

    @Test func typeWithCode() throws {
        // icmp type destination-unreachable icmp code port-unreachable accept
        let found = try rule(Expr.match(Expr.payload("icmp", "type"), #""destination-unreachable""#),
                             Expr.match(Expr.payload("icmp", "code"), #""port-unreachable""#))
        let combined = found.matches.compactMap { match -> IntervalSet<UInt16>? in
            if case .icmpType(let set) = match.condition { return set } else { return nil }
        }.reduce(IntervalSet<UInt16>.full) { $0.intersection($1) }
        #expect(combined == IntervalSet(value: 0x0303))
        #expect(found.text == "icmp type destination-unreachable icmp code port-unreachable accept")
    }

    @Test func ipAndIp6Tables() throws {
        let v4 = try rule(family: "ip", Expr.match(Expr.payload("icmp", "type"), #""echo-request""#))
        #expect(distinct(v4) == [Self.icmp, .icmpType(Self.types(8))])
        let v6 = try rule(family: "ip6", Expr.match(Expr.payload("icmpv6", "type"), #""nd-neighbor-solicit""#))
        #expect(distinct(v6) == [Self.icmpv6, .icmpType(Self.types(135))])
        #expect(v6.text == "icmpv6 type nd-neighbor-solicit accept")
    }
}
