import Foundation
import FixtureSupport
import Testing

/// One row of Fixtures/hosts/scenarios.tsv: an ordinary host's firewall, right or with one thing
/// broken, and what the audit must conclude.
struct HostScenario: CustomStringConvertible, Sendable {
    static let directory = "Fixtures/hosts"

    var name: String
    var matrix: String
    /// `iptables-save:PATH`, `ip6tables-save:PATH` or `nft-file:PATH`, relative to the directory.
    var inputs: [(option: String, path: String)]
    var exit: Int32
    /// `missing:FLOW`, `wrong-direction:FLOW` or `extra:FAMILY/PATH`, sorted.
    var expected: [String]

    var description: String { name }
    var needsKernel: Bool { inputs.contains { $0.option == "nft-file" } }

    /// `scenarios.tsv` (also proved in the kernel by HostFixtureKernel) and `translated.tsv`
    /// (hosts that translate addresses: Docker, redirects, port forwards).
    static let all: [HostScenario] = ["scenarios.tsv", "translated.tsv"].flatMap(load)

    static func load(_ table: String) -> [HostScenario] {
        let text = (try? String(contentsOf: packageRoot.appendingPathComponent("\(directory)/\(table)"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: "\t").map(String.init)
            let inputs = fields[2].split(separator: " ").map { item -> (String, String) in
                let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
                return (parts[0], parts[1])
            }
            return HostScenario(name: fields[0], matrix: fields[1], inputs: inputs, exit: Int32(fields[3]) ?? -1,
                                expected: fields[4] == "-" ? [] : fields[4].split(separator: ",").map(String.init).sorted())
        }
    }

    /// Audits the scenario with the real executable and returns the exit status and findings.
    func audit() throws -> (status: Int32, findings: [String], stderr: String) {
        var arguments = ["audit", "--matrix", "\(Self.directory)/\(matrix)", "--format", "json"]
        for input in inputs { arguments += ["--\(input.option)", "\(Self.directory)/\(input.path)"] }
        if !inputs.contains(where: { $0.option != "iptables-save" }) { arguments.append("--allow-unaudited-family") }
        let result = try Binary.run(arguments)
        let report = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        let findings = (report["findings"] as? [[String: Any]] ?? []).map { finding -> String in
            let kind = finding["kind"] as? String ?? "?"
            if let flow = finding["flow"] as? String { return "\(kind):\(flow)" }
            return "\(kind):\(finding["family"] as? String ?? "?")/\(finding["path"] as? String ?? "?")"
        }
        return (result.status, findings.sorted(), result.stderr)
    }
}

/// Ordinary hosts come out compliant when their firewall is right, and with exactly the intended
/// finding when one thing is broken: no false alarm on interface-bound zones, non-routing hosts,
/// client ports or nodes inside their own zone.
@Suite struct HostScenarios {
    @Test(arguments: HostScenario.all.filter { !$0.needsKernel })
    func rulesetFilesAuditAsTheTableSays(_ scenario: HostScenario) throws {
        let (status, findings, stderr) = try scenario.audit()
        #expect(status == scenario.exit, "\(stderr)")
        #expect(findings == scenario.expected)
    }

    @Test(.needsNetworkNamespace, arguments: HostScenario.all.filter(\.needsKernel))
    func nftScriptsLoadedByTheKernelAuditAsTheTableSays(_ scenario: HostScenario) throws {
        let (status, findings, stderr) = try scenario.audit()
        #expect(status == scenario.exit, "\(stderr)")
        #expect(findings == scenario.expected)
    }

    @Test func everyScenarioIsRun() {
        #expect(HostScenario.load("scenarios.tsv").count >= 10)
        #expect(HostScenario.load("translated.tsv").count >= 20)
    }
}

/// Live inputs read whether the host routes from the kernel of the audited namespace.
@Suite struct LiveForwarding {
    static let matrix = "\(HostScenario.directory)/non-router/undeclared.yaml"
    static let rules = "\(HostScenario.directory)/non-router/forward-accept"

    func audit(forwarding: Int) throws -> (status: Int32, stdout: String, stderr: String) {
        let setup = "iptables-nft-restore < \(Self.rules).v4 && ip6tables-nft-restore < \(Self.rules).v6"
            + " && sysctl -qw net.ipv4.ip_forward=\(forwarding) && sysctl -qw net.ipv6.conf.all.forwarding=\(forwarding)"
        let result = try NftablesInputTests.withLiveNamespace(setup) { namespace in
            try Binary.run(["audit", "--matrix", Self.matrix, "--netns", namespace, "--color", "never"])
        }
        return (result.status, result.stdout, result.stderr)
    }

    @Test("a host whose kernel does not forward is not audited on the forward path", .needsNetworkNamespace)
    func nonRoutingNamespace() throws {
        let result = try audit(forwarding: 0)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("does not route (net.ipv4.ip_forward = 0): the forward path is not audited"))
        #expect(result.stdout.contains("the IPv4 forward path is not audited: net.ipv4.ip_forward is 0 on the audited host"))
    }

    @Test("a host whose kernel forwards is audited as a router", .needsNetworkNamespace)
    func routingNamespace() throws {
        let result = try audit(forwarding: 1)
        #expect(result.status == 1)
        #expect(result.stdout.contains("accepted on the forward path (IPv4)"))
        #expect(result.stdout.contains("accepted on the forward path (IPv6)"))
        #expect(!result.stdout.contains("note:"), "the kernel said it routes: nothing to declare")
    }

    @Test("a declaration the kernel contradicts exits 2 and says which", .needsNetworkNamespace)
    func contradictedDeclaration() throws {
        let setup = "iptables-nft-restore < \(Self.rules).v4 && ip6tables-nft-restore < \(Self.rules).v6 && sysctl -qw net.ipv4.ip_forward=1"
        let result = try NftablesInputTests.withLiveNamespace(setup) { namespace in
            try Binary.run(["audit", "--matrix", "\(HostScenario.directory)/non-router/matrix.yaml", "--netns", namespace, "--color", "never"])
        }
        #expect(result.status == 2)
        #expect(result.stderr.contains("declares host.forwarding: false, but net.ipv4.ip_forward is 1"), "\(result.stderr)")
    }
}

/// Every format says how translated traffic gets where it goes: the flows' translations, the DNAT
/// that publishes an undocumented port, and why the INPUT chain cannot close it.
@Suite struct TranslationInReports {
    static let arguments = ["audit", "--matrix", "\(HostScenario.directory)/docker/matrix.yaml",
                            "--iptables-save", "\(HostScenario.directory)/docker/published.v4", "--allow-unaudited-family"]
    static let dnat = "via DNAT to 172.17.0.3:5432 by \(HostScenario.directory)/docker/published.v4:49"

    @Test func textAndMarkdownNameTheTranslation() throws {
        let text = try Binary.run(Self.arguments + ["--color", "never"]).stdout
        #expect(text.contains("via DNAT to 172.17.0.2:80 by \(HostScenario.directory)/docker/published.v4:48"))
        #expect(text.contains("translated: \(Self.dnat)"))
        #expect(text.contains("the INPUT chain never sees them"))
        let markdown = try Binary.run(Self.arguments + ["--format", "markdown"]).stdout
        #expect(markdown.contains("  - translated: \(Self.dnat)"))
    }

    @Test func jsonAndSarifCarryTheTranslationAsData() throws {
        let json = try Binary.run(Self.arguments + ["--format", "json"]).stdout
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let finding = try #require((report["findings"] as? [[String: Any]])?.first)
        let translation = try #require((finding["translatedBy"] as? [[String: Any]])?.first)
        #expect(translation["kind"] as? String == "dnat")
        #expect(translation["addresses"] as? String == "172.17.0.3")
        #expect(translation["ports"] as? String == "5432")
        #expect((finding["notes"] as? [[String: Any]])?.map { $0["id"] as? String } == ["bypasses-input"])
        let sarif = try Binary.run(Self.arguments + ["--format", "sarif"]).stdout
        let log = try #require(try JSONSerialization.jsonObject(with: Data(sarif.utf8)) as? [String: Any])
        let result = try #require(((log["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])?.first)
        let related = (result["relatedLocations"] as? [[String: Any]] ?? []).compactMap { ($0["message"] as? [String: Any])?["text"] as? String }
        #expect(related.contains(Self.dnat))
    }
}

/// `explain --flow` follows a translated connection as conntrack does: the later packet takes the
/// connection's translation and the forward path, the reply comes back from the container.
@Suite struct ExplainTranslatedFlow {
    @Test func laterPacketsAndRepliesOfAPublishedPortGoThroughTheForwardPath() throws {
        let result = try Binary.run(["explain", "--matrix", "\(HostScenario.directory)/docker/matrix.yaml",
                                     "--iptables-save", "\(HostScenario.directory)/docker/compliant.v4", "--flow", "web"])
        #expect(result.status == 0, "\(result.stderr)")
        let sections = result.stdout.components(separatedBy: "\n\n")
        let later = try #require(sections.first { $0.contains("later packet") })
        #expect(later.contains("translated to 172.17.0.2:80"))
        #expect(later.contains("path:   forward"))
        #expect(later.contains(": accept"))
        let reply = try #require(sections.first { $0.contains("): reply") })
        #expect(reply.contains("packet: tcp 172.17.0.2:80 -> 203.0.113.7:40000 in docker0 out eth0"))
        #expect(reply.contains("path:   forward"))
    }
}
