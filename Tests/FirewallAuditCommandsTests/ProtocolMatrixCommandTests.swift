import Foundation
import FixtureSupport
import Testing

/// A matrix naming IP protocols by `/etc/protocols` name and number (IPsec, VRRP, GRE), audited
/// and explained by the built binary.
@Suite struct ProtocolMatrixEndToEnd {
    static let matrix = """
    version: 1
    name: vpn-gateway
    zones:
      gateway: {local: true, addresses: [198.51.100.10]}
      peer: {addresses: [203.0.113.7]}
    flows:
      - {id: ipsec, protocol: esp, from: peer, to: gateway}
      - {id: keepalived, protocol: 112, from: peer, to: gateway}
      - {id: tunnel, protocol: gre, from: peer, to: gateway}
    allow: [loopback, established, outbound]
    """

    static func rules(_ body: String) -> String {
        """
        *filter
        :INPUT DROP [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        \(body)
        COMMIT

        """
    }

    /// Writes the matrix and the rules to a fresh directory; returns their paths.
    static func files(rules body: String) throws -> (matrix: String, rules: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-protocols-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let matrix = directory.appendingPathComponent("matrix.yaml"), rules = directory.appendingPathComponent("rules.v4")
        try Self.matrix.write(to: matrix, atomically: true, encoding: .utf8)
        try Self.rules(body).write(to: rules, atomically: true, encoding: .utf8)
        return (matrix.path, rules.path)
    }

    @Test func espAndVRRPAreAllowedAndTheMissingGREFlowIsReported() throws {
        let (matrix, rules) = try Self.files(rules: "-A INPUT -s 203.0.113.7/32 -p esp -j ACCEPT\n-A INPUT -s 203.0.113.7/32 -p vrrp -j ACCEPT")
        let result = try Binary.run(["audit", "--matrix", matrix, "--iptables-save", rules, "--color", "never", "--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let flows = try #require(report["flows"] as? [[String: Any]])
        let byID = Dictionary(uniqueKeysWithValues: flows.compactMap { flow in (flow["id"] as? String).map { ($0, flow) } })
        #expect(byID["ipsec"]?["status"] as? String == "allowed")
        #expect(byID["keepalived"]?["status"] as? String == "allowed")
        #expect(byID["keepalived"]?["protocol"] as? String == "vrrp")
        #expect(byID["tunnel"]?["status"] as? String == "blocked")
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(findings.map { $0["kind"] as? String } == ["missing"])
        #expect(findings.first?["flow"] as? String == "tunnel")
    }

    @Test func allThreeOpenedIsCompliantWithTheNumberInTheRule() throws {
        let (matrix, rules) = try Self.files(rules: "-A INPUT -s 203.0.113.7/32 -p esp -j ACCEPT\n-A INPUT -s 203.0.113.7/32 -p 112 -j ACCEPT\n-A INPUT -s 203.0.113.7/32 -p gre -j ACCEPT")
        let result = try Binary.run(["audit", "--matrix", matrix, "--iptables-save", rules, "--color", "never", "--allow-unaudited-family"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("allowed      keepalived  vrrp any  peer -> gateway"))
    }

    @Test func theMissingFlowsExamplePacketIsExplained() throws {
        let (matrix, rules) = try Self.files(rules: "-A INPUT -s 203.0.113.7/32 -p esp -j ACCEPT")
        let audit = try Binary.run(["audit", "--matrix", matrix, "--iptables-save", rules, "--color", "never"])
        let example = try #require(audit.stdout.split(separator: "\n").first { $0.contains("example: 47 ") })
        let packet = String(example.split(separator: ":", maxSplits: 1)[1].dropFirst())
        let explain = try Binary.run(["explain", "--matrix", matrix, "--iptables-save", rules, "--packet", packet, "--color", "never"])
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(explain.stdout.hasPrefix("packet: drop"))
        let flow = try Binary.run(["explain", "--matrix", matrix, "--iptables-save", rules, "--flow", "ipsec", "--color", "never"])
        #expect(flow.stdout.contains("ipsec (IPv4): new connection: accept"))
        #expect(flow.stdout.contains("-p esp -j ACCEPT  => accept"))
    }

    @Test func anUnknownProtocolIsAMatrixError() throws {
        let (matrix, rules) = try Self.files(rules: "")
        try Self.matrix.replacingOccurrences(of: "protocol: gre", with: "protocol: grease").write(toFile: matrix, atomically: true, encoding: .utf8)
        let result = try Binary.run(["audit", "--matrix", matrix, "--iptables-save", rules])
        #expect(result.status == 2)
        #expect(result.stderr.contains("flows[2].protocol: unknown protocol 'grease'"), "\(result.stderr)")
    }

    @Test func importReadsTunnelRowsAndAHostsColumn() throws {
        let result = try Binary.run(["matrix", "import", "Fixtures/import/vpn-gateway.md"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("    protocol: gre\n    from: unspecified-source\n    to: outside-gateway\n"), "\(result.stdout)")
        #expect(result.stdout.contains("    protocol: esp\n    from: branch-offices\n    to: outside-gateway\n"))
        #expect(result.stdout.contains("    protocol: ah\n"))
        #expect(result.stdout.contains("  # role: \"all hosts\"\n"))
        #expect(result.stderr.contains("cannot read 'IP' as a port in 'IP Protocol 112'"))
    }

    /// Python with jsonschema and PyYAML, for checking documents against the shipped schemas; nil without it.
    static let validator: String? = {
        ["/usr/bin/python3", "/usr/local/bin/python3"].first { path in
            guard FileManager.default.isExecutableFile(atPath: path) else { return false }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = ["-c", "import jsonschema, yaml"]
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return false }
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
    }()

    /// The matrix and the JSON report of its audit both match the shipped schemas, protocols named by number included.
    @Test(.enabled(if: validator != nil, "python3 with jsonschema and yaml is absent"))
    func theMatrixAndItsReportMatchTheSchemas() throws {
        let python = try #require(Self.validator)
        let (matrix, rules) = try Self.files(rules: "-A INPUT -s 203.0.113.7/32 -p esp -j ACCEPT")
        let report = URL(fileURLWithPath: matrix).deletingLastPathComponent().appendingPathComponent("report.json").path
        let audit = try Binary.run(["audit", "--matrix", matrix, "--iptables-save", rules, "--format", "json=\(report)"])
        #expect(audit.status == 1, "\(audit.stderr)")
        let script = """
        import json, sys, yaml, jsonschema
        def check(schema, document):
            errors = [e.message for e in jsonschema.Draft202012Validator(json.load(open(schema))).iter_errors(document)]
            if errors: print(schema, errors); sys.exit(1)
        check(sys.argv[1], yaml.safe_load(open(sys.argv[2])))
        check(sys.argv[3], json.load(open(sys.argv[4])))
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, packageRoot.appendingPathComponent("Reports/schema/matrix.schema.json").path, matrix,
                             packageRoot.appendingPathComponent("Reports/schema/report.schema.json").path, report]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
    }
}
