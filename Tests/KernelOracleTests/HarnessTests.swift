import FirewallModel
import FixtureSupport
import FlowAnalysis
import Foundation
import Testing

/// Whether the kernel oracle's testbed can run, and the failure CI wants when it cannot. Its suites
/// carry `.needsNetworkNamespace`, so the bodies run only where namespaces can be made at all.
enum OracleGate {
    /// True when the testbed works here; otherwise records an issue (FWAUDIT_REQUIRE_NETNS=1) or says why it skips.
    static func ready() -> Bool {
        if Testbed.usable { return true }
        let why = "the kernel oracle needs root, network namespaces (ip netns), nft, iptables-restore and python3"
        if Namespaces.required {
            Issue.record("FWAUDIT_REQUIRE_NETNS=1 but \(why)")
        } else {
            print("kernel oracle: skipped: \(why)")
        }
        return false
    }
}

/// The harness itself, checked on rulesets whose verdicts are obvious: everything accepted,
/// everything dropped, and one port open. If these fail, no disagreement it reports means anything.
@Suite(.serialized, .needsNetworkNamespace)
struct KernelOracleHarness {
    static func sampleProbes(_ family: AddressFamily, seed: UInt64 = 7) -> [Probe] {
        var generator = RulesetGenerator(rng: SplitMix64(seed: seed), family: family, layout: .router)
        for _ in 0..<6 { _ = generator.rule(table: "filter", chain: "u1", callees: []) }   // boundary values to aim at
        var probes = generator.probes(count: 40, firstID: 1)
        // Forwarded back out of the interface it came in on (a neighbour of the peer, through the host).
        let hairpin = family == .ipv4 ? ("203.0.113.9", "192.0.2.77", "198.51.100.77") : ("2001:db8:ffff::9", "2001:db8:1::77", "2001:db8:2::77")
        for (offset, (side, destination)) in [("eth0", hairpin.1), ("eth1", hairpin.2)].enumerated() {
            let packet = Packet(family: family, layer4Protocol: 17, source: IPAddress(hairpin.0)!.value, destination: IPAddress(destination)!.value,
                                sourcePort: 40000, destinationPort: 9)
            probes.append(Probe(id: 1000 + offset, side: .link(side), packet: packet, layout: .router))
        }
        return probes
    }

    static let acceptAll = """
    *filter
    :INPUT ACCEPT [0:0]
    :FORWARD ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    COMMIT
    """

    static let dropAll = """
    *raw
    :PREROUTING ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    COMMIT
    *filter
    :INPUT DROP [0:0]
    :FORWARD DROP [0:0]
    :OUTPUT DROP [0:0]
    COMMIT
    """

    @Test(arguments: [AddressFamily.ipv4, .ipv6])
    func everyProbeArrivesWhenEverythingIsAccepted(_ family: AddressFamily) throws {
        guard OracleGate.ready() else { return }
        let probes = KernelOracleHarness.sampleProbes(family)
        #expect(Set(probes.map(\.side)).count == Layout.router.links.count + 1, "probes come from every link and the host")
        #expect(probes.contains { $0.isLocal(.router) } && probes.contains { !$0.isLocal(.router) && $0.side != .host })
        let observations = try #require(try Oracle.kernel(KernelOracleHarness.acceptAll, family: family, probes: probes))
        for probe in probes {
            let observation = observations[probe.id] ?? KernelObservation()
            #expect(probe.accepted(by: observation, layout: .router), "\(probe): \(observation)")
            #expect(observation.sendError == nil && observation.arrived, "\(probe): \(observation)")
        }
    }

    @Test(arguments: [AddressFamily.ipv4, .ipv6])
    func noProbeArrivesWhenEverythingIsDropped(_ family: AddressFamily) throws {
        guard OracleGate.ready() else { return }
        let probes = KernelOracleHarness.sampleProbes(family)
        let observations = try #require(try Oracle.kernel(KernelOracleHarness.dropAll, family: family, probes: probes))
        for probe in probes {
            let observation = observations[probe.id] ?? KernelObservation()
            #expect(!observation.seenAtInput && !observation.seenAtPostrouting, "\(probe): \(observation)")
            #expect(observation.arrived, "\(probe) never reached the host: \(observation)")
            // A locally generated packet dropped on OUTPUT fails its sendto with EPERM.
            if probe.side == .host { #expect(observation.sendError == "EPERM", "\(probe): \(observation)") }
        }
    }

    /// Read back over netlink with nothing but the observer loaded, the namespace must accept
    /// every probe in the kernel and in fwaudit, with no verdict left undecided: the observer's
    /// chains (kept in the model the nftables backends compare) cannot decide or blur a verdict.
    @Test(arguments: [AddressFamily.ipv4, .ipv6])
    func theObserverTableAcceptsEverything(_ family: AddressFamily) throws {
        guard OracleGate.ready() else { return }
        let probes = KernelOracleHarness.sampleProbes(family)
        let (observations, fwaudit) = try #require(try Oracle.both("", family: family, backend: .nft, probes: probes))
        #expect(fwaudit.ruleset.tables.map(\.name) == [Testbed.observerTable], "the reader sees the observer table")
        #expect(fwaudit.ruleset.tables.first?.chains.filter { $0.base != nil }.count == 4)
        for probe in probes {
            let observation = observations[probe.id] ?? KernelObservation()
            #expect(probe.accepted(by: observation, layout: .router), "kernel on \(probe): \(observation)")
            #expect(fwaudit.possibleAcceptance(probe) == [true], "fwaudit on \(probe): \(verdictNames(fwaudit.possibleAcceptance(probe)))")
            #expect(fwaudit.engineAcceptance(probe) == [true], "engine on \(probe)")
        }
    }

    /// One open port per path, ACCEPT in mangle not ending the filter table, a user chain's RETURN:
    /// each probe's verdict is known in advance (also read back over netlink, `KernelOracleNftablesHarness`).
    static let knownVerdictsText = """
    *mangle
    :PREROUTING ACCEPT [0:0]
    :INPUT ACCEPT [0:0]
    :FORWARD ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    :POSTROUTING ACCEPT [0:0]
    -A PREROUTING -p tcp -j ACCEPT
    COMMIT
    *filter
    :INPUT DROP [0:0]
    :FORWARD DROP [0:0]
    :OUTPUT DROP [0:0]
    :ports - [0:0]
    -A INPUT -p tcp -j ports
    -A INPUT -p udp -m udp --dport 53 -j ACCEPT
    -A FORWARD -i eth0 -o eth1 -p tcp -m tcp --dport 443 -j ACCEPT
    -A OUTPUT -p udp -m udp --dport 123 -j ACCEPT
    -A ports -p tcp -m tcp --dport 22 -j RETURN
    -A ports -p tcp -m tcp --dport 21:23 -j ACCEPT
    COMMIT
    """

    static func packet(_ proto: UInt8, _ source: String, _ destination: String, _ port: UInt16) -> Packet {
        Packet(family: .ipv4, layer4Protocol: proto, source: IPAddress(source)!.value, destination: IPAddress(destination)!.value,
               sourcePort: 40000, destinationPort: port, tcpFlags: proto == 6 ? 0x02 : 0)
    }

    static let knownVerdictsCases: [(ProbeSide, Packet, Bool)] = [
        (.link("eth0"), packet(6, "203.0.113.5", "192.0.2.10", 21), true),
        (.link("eth0"), packet(6, "203.0.113.5", "192.0.2.10", 22), false),   // RETURN, then the policy
        (.link("eth1"), packet(17, "203.0.113.5", "192.0.2.10", 53), true),
        (.link("eth1"), packet(17, "203.0.113.5", "192.0.2.10", 54), false),
        (.link("eth0"), packet(6, "203.0.113.5", "198.51.100.7", 443), true),
        (.link("eth1"), packet(6, "203.0.113.5", "192.0.2.7", 443), false),   // the other way round
        (.host, packet(17, "198.51.100.1", "198.51.100.9", 123), true),
        (.host, packet(17, "198.51.100.1", "198.51.100.9", 124), false),
    ]

    /// The kernel, and fwaudit reading the text, must give the known verdicts.
    @Test func knownVerdictsOnEveryPath() throws {
        guard OracleGate.ready() else { return }
        let text = KernelOracleHarness.knownVerdictsText
        let cases = KernelOracleHarness.knownVerdictsCases
        let probes = cases.enumerated().map { Probe(id: $0.offset + 1, side: $0.element.0, packet: $0.element.1, layout: .router) }
        let observations = try #require(try Oracle.kernel(text, family: .ipv4, probes: probes))
        let fwaudit = try FwauditVerdicts(text, family: .ipv4, layout: .router)
        for (probe, expected) in zip(probes, cases.map(\.2)) {
            let observation = observations[probe.id] ?? KernelObservation()
            #expect(probe.accepted(by: observation, layout: .router) == expected, "kernel on \(probe): \(observation)")
            #expect((fwaudit.trace(probe).verdict == .accept) == expected, "fwaudit on \(probe)")
        }
    }
}
