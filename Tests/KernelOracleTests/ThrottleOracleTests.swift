import FirewallModel
import FixtureSupport
import FlowAnalysis
import Foundation
import Testing

/// Rate limits and brute-force protection as hosts write them, loaded fresh (no state) and probed
/// once per source: the kernel gives the within-limits answer, and fwaudit must give the same
/// verdicts, decided (no unknown conditions), naming the throttles that decided them. Each ruleset
/// is read three ways: the iptables-save text, iptables-nft's xt matches read back over netlink,
/// and a native nft script.
@Suite(.serialized, .needsNetworkNamespace)
struct KernelOracleThrottles {
    static let iptables = """
    *filter
    :INPUT DROP [0:0]
    :FORWARD DROP [0:0]
    :OUTPUT ACCEPT [0:0]
    -A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m recent --set --name SSH --mask 255.255.255.255 --rsource
    -A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m recent --update --seconds 60 --hitcount 4 --name SSH --mask 255.255.255.255 --rsource -j DROP
    -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
    -A INPUT -p tcp -m tcp --dport 80 -m limit --limit 5/min --limit-burst 10 -j ACCEPT
    -A INPUT -p tcp -m tcp --dport 443 -m connlimit --connlimit-above 20 --connlimit-mask 32 --connlimit-saddr -j DROP
    -A INPUT -p tcp -m tcp --dport 443 -m hashlimit --hashlimit-upto 50/sec --hashlimit-burst 100 --hashlimit-mode srcip --hashlimit-name https -j ACCEPT
    -A INPUT -p tcp -m tcp --dport 8080 -m hashlimit --hashlimit-above 10/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name alt -j DROP
    -A INPUT -p tcp -m tcp --dport 8080 -m connlimit --connlimit-upto 10 --connlimit-mask 32 --connlimit-saddr -j ACCEPT
    -A INPUT -p tcp -m tcp --dport 8443 -m recent ! --rcheck --seconds 30 --name knock --mask 255.255.255.255 --rsource -j DROP
    -A INPUT -p tcp -m tcp --dport 8443 -j ACCEPT
    -A INPUT -p udp -m udp --dport 53 -m quota --quota 100000000 -j ACCEPT
    -A INPUT -p udp -m udp --dport 54 -m quota ! --quota 100000000 -j ACCEPT
    COMMIT
    """

    static let script = """
    table inet guard {
        set ssh_meter { type ipv4_addr; size 65535; flags dynamic; }
        chain input {
            type filter hook input priority 0; policy drop;
            tcp dport 22 ct state new add @ssh_meter { ip saddr limit rate over 3/minute burst 4 packets } drop
            tcp dport 22 accept
            tcp dport 80 limit rate 5/minute burst 10 packets accept
            tcp dport 443 ct count over 20 drop
            tcp dport 443 meter https size 65535 { ip saddr limit rate 50/second burst 100 packets } accept
            tcp dport 8080 limit rate over 10/second burst 20 packets drop
            tcp dport 8080 ct count 10 accept
            tcp dport 8443 meter knock size 65535 { ip saddr limit rate 1/hour burst 1 packets } drop
            tcp dport 8443 accept
            udp dport 53 quota until 100 mbytes accept
            udp dport 54 quota over 100 mbytes accept
        }
    }
    """

    static func packet(_ proto: UInt8, _ source: String, _ port: UInt16) -> Packet {
        Packet(family: .ipv4, layer4Protocol: proto, source: IPAddress(source)!.value, destination: IPAddress("192.0.2.10")!.value,
               sourcePort: 40000, destinationPort: port, tcpFlags: proto == 6 ? 0x02 : 0)
    }

    /// One probe per port, each from its own source; whether it is accepted, and whether a throttle decided it.
    static let cases: [(Packet, accepted: Bool, throttled: Bool)] = [
        (packet(6, "203.0.113.5", 22), true, true),
        (packet(6, "203.0.113.6", 80), true, true),
        (packet(6, "203.0.113.7", 443), true, true),
        (packet(6, "203.0.113.8", 8080), true, true),
        (packet(6, "203.0.113.9", 8443), false, true),
        (packet(17, "203.0.113.10", 53), true, true),
        (packet(17, "203.0.113.11", 54), false, true),
        (packet(6, "203.0.113.12", 25), false, false),
    ]

    @Test(arguments: [OracleBackend.iptablesLegacy, .iptablesNft, .nft])
    func ordinaryTrafficGetsTheWithinLimitsAnswer(_ backend: OracleBackend) throws {
        guard OracleGate.ready() else { return }
        let text = backend == .nft ? KernelOracleThrottles.script : KernelOracleThrottles.iptables
        let cases = KernelOracleThrottles.cases
        let probes = cases.enumerated().map { Probe(id: $0.offset + 1, side: .link("eth0"), packet: $0.element.0, layout: .router) }
        let (observations, fwaudit) = try #require(try Oracle.both(text, family: .ipv4, backend: backend, probes: probes))
        #expect(!fwaudit.ruleset.diagnostics.contains { $0.message.contains("not modelled") && $0.location?.detail?.contains(Testbed.observerTable) != true },
                "\(fwaudit.ruleset.diagnostics)")
        for (probe, expected) in zip(probes, cases) {
            let observation = observations[probe.id] ?? KernelObservation()
            #expect(probe.accepted(by: observation, layout: .router) == expected.accepted, "kernel (\(backend)) on \(probe): \(observation)")
            #expect(fwaudit.possibleAcceptance(probe) == [expected.accepted], "fwaudit (\(backend)) on \(probe)")
            #expect(fwaudit.engineAcceptance(probe) == [expected.accepted], "engine (\(backend)) on \(probe)")
            #expect(fwaudit.trace(probe).throttles.isEmpty == !expected.throttled, "recorded throttles (\(backend)) on \(probe)")
        }
    }

    /// iptables-nft's xt matches, read back over netlink, give each rule the answer the iptables-save text gives it.
    @Test func iptablesNftReadsTheSameAnswersAsTheText() throws {
        guard OracleGate.ready() else { return }
        let text = KernelOracleThrottles.iptables
        let fromText = try FwauditVerdicts(text, family: .ipv4, layout: .router)
        let (_, readBack) = try #require(try Oracle.both(text, family: .ipv4, backend: .iptablesNft, probes: []))
        func answers(_ ruleset: Ruleset) -> [[String]] {
            ruleset.tables.filter { $0.name == "filter" }.flatMap(\.chains).flatMap(\.rules).map { rule in
                rule.matches.compactMap { match in
                    match.throttle.map { "\($0.construct.rawValue) \($0.withinLimits != match.negated)" }
                }
            }.filter { !$0.isEmpty }
        }
        #expect(answers(readBack.ruleset) == answers(fromText.ruleset))
        #expect(answers(fromText.ruleset).count == 10)
    }
}
