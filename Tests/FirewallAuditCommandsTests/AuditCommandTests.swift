import Foundation
import FixtureSupport
import Testing

/// The `fwaudit` binary end to end: reports, exit statuses, errors.
@Suite struct AuditCommandEndToEnd {
    @Test(arguments: Scenario.all)
    func auditsEachScenarioAsTheGoldenSays(_ scenario: Scenario) throws {
        let result = try Binary.run(Binary.auditArguments(scenario) + ["--color", "never"])
        #expect(result.status == (scenario.expected.isEmpty ? 0 : 1), "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        let golden = try String(contentsOf: packageRoot.appendingPathComponent("Reports/lync-edge/\(scenario.name).txt"), encoding: .utf8)
        #expect(result.stdout == golden)
    }

    @Test func failOnLimitsWhichKindsFailTheRun() throws {
        let shadowed = Binary.auditArguments(Scenario.named("shadowed-accept"))
        #expect(try Binary.run(shadowed + ["--fail-on", "extra,wrong-direction"]).status == 0)
        #expect(try Binary.run(shadowed + ["--fail-on", "missing"]).status == 1)
        let bad = try Binary.run(shadowed + ["--fail-on", "missing,typo"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("unknown kind 'typo'"))
    }

    @Test func fiveThousandNestedChainsAreAuditedWithAWarning() throws {
        // iptables-legacy loads a file like this; the analysis stops following jumps at its depth
        // limit and says so, rather than failing or dropping the packets.
        let count = 5_000
        var lines = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"]
        lines += (0..<count).map { ":c\($0) - [0:0]" } + ["-A INPUT -j c0"]
        lines += (0..<count - 1).map { "-A c\($0) -j c\($0 + 1)" } + ["-A c\(count - 1) -j ACCEPT", "COMMIT"]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-\(UUID().uuidString).v4").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Binary.run(["audit", "--matrix", "Fixtures/lync-edge/matrix.yaml", "--iptables-save", path,
                                     "--allow-unaudited-family", "--color", "never"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("\(path):\(4 + count + 1 + 63): this rule (and \(count - 64) more rules) may enter a chain 64 or more jumps below a base chain"))
        #expect(result.stdout.contains("verdict of chain c63: nested 64 or more jumps below a base chain"))
    }

    @Test func writesJSONToAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Binary.run(Binary.auditArguments(Scenario.named("extra-port")) + ["--format", "json", "--output", path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        #expect((object?["summary"] as? [String: Any])?["extra"] as? Int == 1)
    }

    @Test func colourFollowsTheChoiceAndNoColor() throws {
        let arguments = Binary.auditArguments(Scenario.named("compliant"))
        #expect(try Binary.run(arguments + ["--color", "always"]).stdout.contains("\u{1B}[32mCOMPLIANT"))
        #expect(!(try Binary.run(arguments + ["--color", "auto"]).stdout.contains("\u{1B}[")))
        #expect(!(try Binary.run(arguments, environment: ["NO_COLOR": "1"]).stdout.contains("\u{1B}[")))
    }
}

/// Bad input: a clear message with its location, exit status 2, and nothing half-written.
@Suite struct BadInput {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-bad-\(UUID().uuidString)")

    init() throws { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func aMissingRulesetFileIsNamed() throws {
        let result = try Binary.run(["audit", "--matrix", "Fixtures/lync-edge/matrix.yaml", "--iptables-save", "nowhere.v4"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("fwaudit: error: nowhere.v4: no such file"))
    }

    @Test func aMalformedRuleIsReportedWithItsLine() throws {
        let rules = try write("bad.v4", "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n")
        let output = directory.appendingPathComponent("report.json").path
        let result = try Binary.run(["audit", "--matrix", "Fixtures/lync-edge/matrix.yaml", "--iptables-save", rules, "--output", output])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("fwaudit: error: \(rules):3"))
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func aMatrixErrorNamesTheKeyPathAndLine() throws {
        let matrix = try write("m.yaml", """
        version: 1
        zones:
          a: {addresses: [any]}
        flows:
          - {id: x, protocol: tcp, ports: "600-500", from: a, to: a}
        """)
        let result = try Binary.run(["audit", "--matrix", matrix, "--iptables-save", "Fixtures/lync-edge/compliant.v4"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(matrix):5:"))
        #expect(result.stderr.contains("flows[0].ports"))
    }

    @Test func nothingToAuditIsAnError() throws {
        let result = try Binary.run(["audit", "--matrix", "Fixtures/lync-edge/matrix.yaml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("nothing to audit"))
    }

    @Test func aUsageErrorExitsWithTwo() throws {
        let result = try Binary.run(["audit", "--no-such-option"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("fwaudit: error:"))
    }

    @Test func helpExitsWithZero() throws {
        let result = try Binary.run(["audit", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("--fail-on"))
    }
}
