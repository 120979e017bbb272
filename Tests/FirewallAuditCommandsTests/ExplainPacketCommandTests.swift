import Foundation
import FixtureSupport
import Testing

/// `explain --packet` takes packets as reports print them, needs a matrix only for the host's
/// addresses, and refuses what it cannot read with status 2.
@Suite struct ExplainPacketEndToEnd {
    let matrix = ["--matrix", "Fixtures/lync-edge/matrix.yaml"]

    /// Each golden text report's example packets, traced with that report's ruleset: what `audit` printed, `explain` reads.
    @Test(arguments: ["shadowed-accept", "extra-port", "missing-reply-path", "partner-range-too-narrow", "wrong-direction", "ipv6-forgotten"])
    func readsTheExamplePacketsOfAReport(_ scenario: String) throws {
        let report = try String(contentsOf: packageRoot.appendingPathComponent("Reports/lync-edge/\(scenario).txt"), encoding: .utf8)
        let examples = report.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "example: ") else { return nil }
            return String(line[range.upperBound...]).replacingOccurrences(of: #" \([a-z ]+\)$"#, with: "", options: .regularExpression)
        }
        let arguments = Binary.auditArguments(Scenario.named(scenario)).map { $0 == "audit" ? "explain" : $0 }
        for example in examples {
            let result = try Binary.run(arguments + ["--packet", example, "--color", "never"])
            #expect(result.status == 0, "\(example): \(result.stderr)")
            #expect(result.stdout.contains("  packet: \(example)\n"), "\(result.stdout)")
        }
    }

    @Test func readsInterfacesStateFlagsAndICMPTypes() throws {
        let inputs = matrix + ["--iptables-save", "Fixtures/lync-edge/compliant.v4"]
        let tcp = try Binary.run(["explain"] + inputs + ["--color", "never", "--packet",
                                  "tcp 192.0.2.7:40000 -> 198.51.100.10:5061 in eth0 state established flags ack"])
        #expect(tcp.status == 0, "\(tcp.stderr)")
        #expect(tcp.stdout.contains("packet: tcp 192.0.2.7:40000 -> 198.51.100.10:5061 in eth0 state established flags ack"))
        let icmp = try Binary.run(["explain"] + inputs + ["--format", "json", "--packet",
                                   "icmp 192.0.2.7 -> 198.51.100.10 type 3 code 4 in eth0 state related"])
        #expect(icmp.status == 0, "\(icmp.stderr)")
        #expect(icmp.stdout.contains("type 3 code 4"))
    }

    @Test func keepsTheSeparateOptionsAndRefusesAClauseGivenTwice() throws {
        let inputs = matrix + ["--iptables-save", "Fixtures/lync-edge/compliant.v4"]
        let separate = try Binary.run(["explain"] + inputs + ["--color", "never", "--packet", "tcp 192.0.2.7:40000 -> 198.51.100.10:5061",
                                       "--in", "eth0", "--state", "established"])
        #expect(separate.status == 0)
        #expect(separate.stdout.contains("packet: tcp 192.0.2.7:40000 -> 198.51.100.10:5061 in eth0 state established flags ack"))
        let twice = try Binary.run(["explain"] + inputs + ["--packet", "tcp 192.0.2.7:40000 -> 198.51.100.10:5061 in eth0", "--in", "eth1"])
        #expect(twice.status == 2)
        #expect(twice.stderr.contains("'in' given twice"))
    }

    @Test(arguments: [
        ("tcp 192.0.2.7:40000 -> 198.51.100.10:5061 state open", "unknown state 'open'"),
        ("tcp 192.0.2.7:40000 -> 198.51.100.10:5061 flags syn,fast", "unknown TCP flag 'fast'"),
        ("icmp 192.0.2.7 -> 198.51.100.10 type echo", "ICMP type 'echo' is not a number"),
        ("gre 192.0.2.7:1 -> 198.51.100.10:2", "gre has no ports"),
        ("tcp 192.0.2.7 -> 198.51.100.10", "tcp needs a destination port"),
    ])
    func refusesBadTextWithStatusTwo(text: String, message: String) throws {
        let result = try Binary.run(["explain", "--iptables-save", "Fixtures/lync-edge/compliant.v4", "--packet", text])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--packet '\(text)': \(message)"), "\(result.stderr)")
    }

    @Test func needsNoMatrixForAPacket() throws {
        let rules = ["--iptables-save", "Fixtures/lync-edge/shadowed-accept.v4", "--color", "never"]
        let network = try Binary.run(["explain"] + rules + ["--packet", "tcp 192.0.2.1:40000 -> 198.51.100.10:5061 in eth0"])
        #expect(network.status == 0, "\(network.stderr)")
        #expect(network.stdout.contains("path:   forward"))
        let host = try Binary.run(["explain"] + rules + ["--packet", "tcp 198.51.100.10:40000 -> 192.0.2.1:5061 out eth0", "--from-host"])
        #expect(host.status == 0, "\(host.stderr)")
        #expect(host.stdout.contains("path:   output"))
        #expect(host.stdout.contains("packet: accept"))
        let flow = try Binary.run(["explain"] + rules + ["--flow", "sip-mtls-from-partners"])
        #expect(flow.status == 2)
        #expect(flow.stderr.contains("--flow needs --matrix"))
        let help = try Binary.run(["explain", "--help"])
        #expect(help.stdout.contains("--from-host"))
        #expect(help.stdout.replacingOccurrences(of: "\n", with: " ").contains("without it a packet comes from"))
    }
}

/// Traces name interfaces that rules match by index: a recording has no interface names, but
/// index 1 is `lo` in every namespace.
@Suite struct ExplainInterfaceNamesEndToEnd {
    @Test func aRecordedIifRuleReadsAsTheUserWroteIt() throws {
        let result = try Binary.run(["explain", "--matrix", "Fixtures/lync-edge/matrix.yaml", "--netlink-recording", "Fixtures/netlink/sampler.rec",
                                     "--packet", "tcp 192.0.2.1:40000 -> 198.51.100.10:22 in eth0", "--color", "never"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#"chain input handle 8  iif "lo" accept"#), "\(result.stdout)")
        #expect(result.stdout.contains(#"not matched: iif "lo""#))
        #expect(!result.stdout.contains("iif 0x"))
        #expect(!result.stdout.contains("assumed an answer"))
    }
}
