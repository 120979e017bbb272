import FirewallModel
import FixtureSupport
import FlowAnalysis
import Foundation
import Testing

/// `Fixtures/hosts/debian-web/compliant.nft`, a Debian-style host firewall, loaded by the real nft into
/// the testbed and read back over netlink: for ICMP and ICMPv6 probes of the types its idioms
/// accept and of types they do not, fwaudit decides each verdict (no unknown condition left)
/// and it is the kernel's. (`HostScenarios` audits it against its matrix.)
@Suite(.serialized, .needsNetworkNamespace)
struct KernelOracleHostFixtures {
    static let path = "Fixtures/hosts/debian-web/compliant.nft"

    /// The script as the testbed loads it: without `flush ruleset`, which would also remove the oracle's observer table.
    static func script() throws -> String {
        let text = try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).filter { $0 != "flush ruleset" }.joined(separator: "\n")
    }

    /// An ICMP probe from behind eth0 to the host, in the connection state conntrack gives it:
    /// echo requests and node information queries open connections; neighbour discovery and MLD
    /// are untracked; other ICMP (IPv4) types are invalid as first packets.
    static func probe(_ family: AddressFamily, type: UInt16, code: UInt16 = 0) -> Packet {
        let (source, destination) = family == .ipv4 ? ("203.0.113.7", "192.0.2.10") : ("2001:db8:a::7", "2001:db8:1::10")
        var packet = Packet(family: family, layer4Protocol: family == .ipv4 ? 1 : 58, source: IPAddress(source)?.value ?? 0,
                            destination: IPAddress(destination)?.value ?? 0, icmpType: type << 8 | code)
        let opening: Set<UInt16> = family == .ipv4 ? [8, 13, 15, 17] : [128, 139]
        let untracked: Set<UInt16> = family == .ipv4 ? [] : [130, 131, 132, 133, 134, 135, 136, 143]
        packet.state = opening.contains(type) ? .new : untracked.contains(type) ? .untracked : .invalid
        return packet
    }

    static let cases: [(AddressFamily, Packet, Bool)] = [
        (.ipv4, probe(.ipv4, type: 8), true),           // echo-request
        (.ipv4, probe(.ipv4, type: 9), false),          // router-advertisement: not accepted (and invalid to conntrack)
        (.ipv4, probe(.ipv4, type: 13), false),         // timestamp-request: a new connection the rules do not accept
        (.ipv6, probe(.ipv6, type: 128), true),         // echo-request, by the ip6 nexthdr rule
        (.ipv6, probe(.ipv6, type: 135), true),         // nd-neighbor-solicit, by the meta l4proto rule
        (.ipv6, probe(.ipv6, type: 134), true),         // nd-router-advert
        (.ipv6, probe(.ipv6, type: 139), false),        // node information query: not accepted
        (.ipv6, probe(.ipv6, type: 130), false),        // mld-listener-query: untracked, not accepted
    ]

    @Test func icmpVerdictsOfADebianStyleHostAreTheKernels() throws {
        guard OracleGate.ready() else { return }
        let script = try Self.script()
        for family in AddressFamily.allCases {
            let cases = Self.cases.filter { $0.0 == family }
            let probes = cases.enumerated().map { Probe(id: $0.offset + 1, side: .link("eth0"), packet: $0.element.1, layout: .router) }
            let (observations, fwaudit) = try #require(try Oracle.both(script, family: family, backend: .nft, probes: probes, source: Self.path))
            // The fixture's own table (the observer's TTL tests are unknown conditions on purpose).
            let fixture = fwaudit.ruleset.tables.filter { $0.name == "filter" }
            #expect(fixture.count == 1)
            let opaque = fixture.flatMap(\.chains).flatMap(\.rules).flatMap(\.matches).filter(\.isOpaque)
            #expect(opaque.isEmpty, "\(family): \(opaque.map(\.text))")
            for (probe, expected) in zip(probes, cases.map(\.2)) {
                let observation = observations[probe.id] ?? KernelObservation()
                #expect(observation.arrived, "\(probe) never reached the host")
                #expect(probe.accepted(by: observation, layout: .router) == expected, "kernel on \(probe): \(observation)")
                #expect(fwaudit.possibleAcceptance(probe) == [expected], "fwaudit on \(probe)")
                #expect(fwaudit.engineAcceptance(probe) == [expected], "engine on \(probe)")
            }
        }
    }
}
