import FirewallModel
import FixtureSupport
import FlowAnalysis
import Foundation
import Testing

/// The nftables backends on rulesets whose verdicts are known in advance: the kernel must give
/// them, and so must fwaudit reading the namespace back over netlink. Without these, a reader
/// that saw nothing but the observer (everything accepted) could pass a campaign whose rulesets
/// happen to accept the probes.
@Suite(.serialized, .needsNetworkNamespace)
struct KernelOracleNftablesHarness {
    static func packet(_ proto: UInt8, _ source: String, _ destination: String, sourcePort: UInt16 = 40000, _ port: UInt16) -> Packet {
        Packet(family: .ipv4, layer4Protocol: proto, source: IPAddress(source)!.value, destination: IPAddress(destination)!.value,
               sourcePort: sourcePort, destinationPort: port, tcpFlags: proto == 6 ? 0x02 : 0)
    }

    /// Two tables of two families on the input hook (an `accept` at priority -10 does not end the
    /// chain at 0), named interval sets (one of two adjacent intervals), a verdict map with a jump, a concatenation with ranges,
    /// interfaces by index.
    static let script = """
    table ip early {
        chain input {
            type filter hook input priority -10; policy accept;
            tcp dport 22 accept
        }
    }
    table inet late {
        set admin { type ipv4_addr; flags interval; elements = { 203.0.113.0/28 } }
        set partners { type ipv4_addr; flags interval; elements = { 100.64.0.0/25, 100.64.0.128/25 } }
        chain input {
            type filter hook input priority 0; policy drop;
            ip saddr @admin tcp dport 22 accept
            ip saddr @partners tcp dport 5061 accept
            meta l4proto udp udp dport vmap { 53 : accept, 54-60 : jump udp_extra }
            ip saddr . tcp dport { 198.51.100.0/24 . 443, 203.0.113.64/26 . 8000-8100 } accept
        }
        chain udp_extra {
            udp sport 1000 accept
        }
        chain forward {
            type filter hook forward priority 0; policy drop;
            iif "eth0" oif "eth1" tcp dport 443 accept
        }
        chain output {
            type filter hook output priority 0; policy accept;
            udp dport 124 drop
        }
    }
    """

    static let cases: [(ProbeSide, Packet, Bool)] = [
        (.link("eth0"), packet(6, "203.0.113.5", "192.0.2.10", 22), true),      // in @admin
        (.link("eth0"), packet(6, "203.0.113.99", "192.0.2.10", 22), false),    // accepted at -10, dropped at 0
        (.link("eth0"), packet(17, "203.0.113.5", "192.0.2.10", 53), true),     // vmap accept
        (.link("eth0"), packet(17, "203.0.113.5", "192.0.2.10", sourcePort: 1000, 55), true),   // vmap jump, accepted there
        (.link("eth0"), packet(17, "203.0.113.5", "192.0.2.10", 55), false),    // vmap jump, back, policy
        (.link("eth1"), packet(6, "198.51.100.7", "198.51.100.1", 443), true),  // concatenation
        (.link("eth0"), packet(6, "203.0.113.70", "192.0.2.10", 8050), true),   // concatenation, range
        (.link("eth0"), packet(6, "203.0.113.70", "192.0.2.10", 443), false),
        (.link("eth0"), packet(6, "203.0.113.5", "198.51.100.7", 443), true),   // forward eth0 → eth1
        (.link("eth1"), packet(6, "203.0.113.5", "192.0.2.7", 443), false),     // the other way round
        (.link("eth0"), packet(6, "100.64.0.5", "192.0.2.10", 5061), true),    // adjacent intervals: the first
        (.link("eth0"), packet(6, "100.64.0.200", "192.0.2.10", 5061), true),  // and the second
        (.link("eth0"), packet(6, "100.64.1.1", "192.0.2.10", 5061), false),   // past both
        (.host, packet(17, "198.51.100.1", "198.51.100.9", 123), true),
        (.host, packet(17, "198.51.100.1", "198.51.100.9", 124), false),
    ]

    @Test func knownVerdictsOfANativeScript() throws {
        guard OracleGate.ready() else { return }
        try check(KernelOracleNftablesHarness.script, backend: .nft, cases: KernelOracleNftablesHarness.cases)
    }

    /// The iptables harness's known-verdict ruleset, loaded by iptables-nft-restore and read back.
    @Test func knownVerdictsOfIptablesNft() throws {
        guard OracleGate.ready() else { return }
        let text = KernelOracleHarness.knownVerdictsText
        let cases = KernelOracleHarness.knownVerdictsCases
        try check(text, backend: .iptablesNft, cases: cases)
    }

    func check(_ text: String, backend: OracleBackend, cases: [(ProbeSide, Packet, Bool)]) throws {
        let probes = cases.enumerated().map { Probe(id: $0.offset + 1, side: $0.element.0, packet: $0.element.1, layout: .router) }
        let (observations, fwaudit) = try #require(try Oracle.both(text, family: .ipv4, backend: backend, probes: probes))
        #expect(fwaudit.ruleset.tables.count > 1, "the reader sees the loaded tables besides the observer")
        for (probe, expected) in zip(probes, cases.map(\.2)) {
            let observation = observations[probe.id] ?? KernelObservation()
            #expect(probe.accepted(by: observation, layout: .router) == expected, "kernel on \(probe): \(observation)")
            #expect(fwaudit.possibleAcceptance(probe) == [expected], "fwaudit (\(backend)) on \(probe)")
            #expect(fwaudit.engineAcceptance(probe) == [expected], "engine (\(backend)) on \(probe)")
        }
    }
}
