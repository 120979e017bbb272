import FirewallModel
import FixtureSupport
import Foundation
import NftablesBytecode
import NftablesLoading
@testable import NftablesNetlink
import Testing

/// Interval sets loaded by the real nft into a private namespace, read back over netlink and
/// decoded: every interval the script wrote is in the model, however the kernel stores it.
@Suite("Interval sets read back from the kernel", .needsNetworkNamespace)
struct IntervalSetReadingTests {
    static let script = """
        table inet t {
          set partners { type ipv4_addr; flags interval; elements = { 192.0.2.0/25, 192.0.2.128/25 } }
          set merged { type ipv4_addr; flags interval; auto-merge; elements = { 198.51.100.0/24, 198.51.100.64/26, 198.51.100.200-198.51.101.10 } }
          set edges { type ipv4_addr; flags interval; elements = { 0.0.0.0/8, 10.0.0.1, 240.0.0.0-255.255.255.255 } }
          set six { type ipv6_addr; flags interval; elements = { 2001:db8::/33, 2001:db8:8000::/33, 2001:db9::7, ffff::/16 } }
          set sixmerged { type ipv6_addr; flags interval; auto-merge; elements = { 2001:db8:a::/48, 2001:db8:a:8000::/49, 2001:db8:b::/48 } }
          set ports { type inet_service; flags interval; elements = { 1000-1999, 2000-2999, 5061, 65000-65535 } }
          set portsmerged { type inet_service; flags interval; auto-merge; elements = { 50000-59999, 55000-60000, 60001 } }
          map pv { type inet_service : verdict; flags interval; elements = { 1000-1999 : accept, 2000-2999 : drop, 3000-65535 : accept } }
          chain input {
            type filter hook input priority 0; policy drop;
            ip saddr @partners tcp dport 5061 accept
            ip saddr @merged accept
            ip saddr @edges accept
            ip6 saddr @six accept
            ip6 saddr @sixmerged accept
            tcp dport @ports accept
            udp dport @portsmerged accept
            tcp dport vmap @pv
            ip daddr { 203.0.113.0/25, 203.0.113.128/25 } accept
          }
        }
        """

    func rules() throws -> [Rule] {
        let state = try LiveReadingTests.withScript(Self.script) { try NftablesReader.read(script: $0) }
        let ruleset = try NftablesLoader.load(state.snapshot, source: "test", interfaceNames: state.interfaceNames)
        return ruleset.tables.flatMap(\.chains).flatMap(\.rules)
    }

    static func set(_ prefixes: String...) -> AddressSet {
        prefixes.reduce(AddressSet()) { $0.union(AddressPrefix($1)?.addresses ?? AddressSet()) }
    }

    static func range(_ low: String, _ high: String) -> AddressSet {
        guard let low = IPAddress(low), let high = IPAddress(high) else { return AddressSet() }
        return AddressSet(ranges: [low.value...high.value])
    }

    func addresses(_ rule: Rule) -> AddressSet? {
        for match in rule.matches {
            if case .address(_, let set) = match.condition { return set }
        }
        return nil
    }

    func ports(_ rule: Rule) -> PortSet? {
        for match in rule.matches {
            if case .port(_, let set) = match.condition { return set }
        }
        return nil
    }

    @Test("adjacent, merged, single-address and open-ended intervals, IPv4 and IPv6, addresses and ports")
    func everyIntervalIsDecoded() throws {
        let rules = try rules()
        try #require(rules.count == 11, "\(rules.map(\.text))")
        #expect(addresses(rules[0]) == Self.set("192.0.2.0/24"))
        #expect(rules[0].text == "ip saddr @partners tcp dport 5061 accept")
        #expect(addresses(rules[1]) == Self.range("198.51.100.0", "198.51.101.10"))
        #expect(addresses(rules[2]) == Self.set("0.0.0.0/8", "10.0.0.1", "240.0.0.0/4"))
        #expect(addresses(rules[3]) == Self.set("2001:db8::/32", "2001:db9::7", "ffff::/16"))
        #expect(addresses(rules[4]) == Self.set("2001:db8:a::/48", "2001:db8:b::/48"))
        #expect(ports(rules[5]) == PortSet(ranges: [1000...2999, 5061...5061, 65000...65535]))
        #expect(ports(rules[6]) == PortSet(ranges: [50000...60001]))
        #expect(rules[7...9].map { ports($0) } == [PortSet(ranges: [1000...1999]), PortSet(ranges: [2000...2999]), PortSet(ranges: [3000...65535])])
        #expect(rules[7...9].map(\.action) == [.verdict(.accept), .verdict(.drop), .verdict(.accept)])
        #expect(addresses(rules[10]) == Self.set("203.0.113.0/24"))
        #expect(rules.allSatisfy { !$0.matches.contains(where: \.isOpaque) })
    }
}
