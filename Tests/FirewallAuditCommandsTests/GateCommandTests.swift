import Foundation
import FixtureSupport
import Testing

/// The compliance gate end to end: each row is a situation a CI job meets, with its exit status.
@Suite struct GateEndToEnd {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-gate-\(UUID().uuidString)")
    let today = ["FWAUDIT_TODAY": "2026-11-25"]

    init() throws { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func audit(_ scenario: String, _ extra: [String] = []) throws -> Binary.Result {
        try Binary.run(Binary.auditArguments(Scenario.named(scenario)) + ["--color", "never"] + extra, environment: today)
    }

    func waivers(expires: String) throws -> String {
        try write("waivers-\(expires).yaml", """
        version: 1
        waivers:
          - flow: sip-mtls-from-partners
            kind: missing
            reason: scanner range block agreed with the partners (CHG-1234)
            owner: netops@example.com
            expires: \(expires)
        """)
    }

    @Test func cleanPassesAndFindingsFail() throws {
        #expect(try audit("compliant").status == 0)
        #expect(try audit("shadowed-accept").status == 1)
    }

    @Test func aWaivedFindingPassesButStaysVisible() throws {
        let result = try audit("shadowed-accept", ["--waivers", try waivers(expires: "2026-12-31")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("waived until 2026-12-31 by netops@example.com"))
        #expect(result.stdout.contains("1 missing"))
    }

    @Test func anExpiredWaiverFailsAndSaysSo() throws {
        let result = try audit("shadowed-accept", ["--waivers", try waivers(expires: "2026-11-01")])
        #expect(result.status == 1)
        #expect(result.stdout.contains("expired on 2026-11-01"))
    }

    @Test func anExpiredWaiverIsPrintedEvenWhenQuiet() throws {
        let result = try audit("shadowed-accept", ["--waivers", try waivers(expires: "2026-11-01"), "--quiet"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("\nWaivers\n"))
        #expect(result.stdout.contains("expired on 2026-11-01"))
        #expect(result.stdout.contains("NOT COMPLIANT: 1 finding fails the run (1 missing)"))
    }

    @Test func aFullyBaselinedRunSaysNothingFailsAndListsTheOldFindingsApart() throws {
        let baseline = directory.appendingPathComponent("baseline-all.json").path
        _ = try Binary.run(["baseline", "create", "-o", baseline] + Array(Binary.auditArguments(Scenario.named("missing-reply-path")).dropFirst()))
        let result = try audit("missing-reply-path", ["--baseline", baseline])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\nCOMPLIANT: no finding fails the run;"), "\(result.stdout)")
        #expect(result.stdout.contains("(2 in the baseline)"))
        #expect(result.stdout.contains("\nFindings in the baseline\n"))
        #expect(!result.stdout.contains("\nFindings\n"))
    }

    @Test func theHTMLReportIsWrittenToAFile() throws {
        let path = directory.appendingPathComponent("report.html").path
        let result = try audit("shadowed-accept", ["--format", "html=\(path)", "--format", "text"])
        #expect(result.status == 1)
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("sip-mtls-from-partners: tcp 5061 — partial"))
        #expect(html.contains("Fixtures/lync-edge/shadowed-accept.v4:13"))
    }

    @Test func aMalformedWaiversFileIsAnError() throws {
        let path = try write("bad-waivers.yaml", "version: 1\nwaivers:\n  - flow: x\n    owner: o\n    expires: 2026-12-31\n")
        let result = try audit("shadowed-accept", ["--waivers", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(path):3:"))
        #expect(result.stderr.contains("waivers[0].reason: required"))
        #expect(result.stdout.isEmpty)
    }

    @Test func aBaselineFailsOnlyOnNewFindings() throws {
        let baseline = directory.appendingPathComponent("baseline.json").path
        let created = try Binary.run(["baseline", "create", "-o", baseline] + Array(Binary.auditArguments(Scenario.named("shadowed-accept")).dropFirst()))
        #expect(created.status == 0, "\(created.stderr)")
        #expect(try audit("shadowed-accept", ["--baseline", baseline]).status == 0)
        let changed = try audit("extra-port", ["--baseline", baseline])
        #expect(changed.status == 1)
        #expect(changed.stdout.contains("Fixed since the baseline"))
    }

    @Test func softFailNeverFailsOnFindings() throws {
        #expect(try audit("shadowed-accept", ["--soft-fail"]).status == 0)
        #expect(try audit("shadowed-accept", ["--fail-on-severity", "critical"]).status == 0)
    }

    @Test func emptyInputFailsClosed() throws {
        let empty = try write("empty.v4", "# nothing here\n")
        let arguments = ["audit", "--matrix", "Fixtures/lync-edge/matrix.yaml", "--iptables-save", empty,
                         "--ip6tables-save", "Fixtures/lync-edge/compliant.v6"]
        let result = try Binary.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains("no table was loaded"))
        #expect(try Binary.run(arguments + ["--allow-empty"]).status == 1)
    }

    @Test func aFamilyWithoutRulesetFailsClosedUnlessAllowed() throws {
        let arguments = ["audit", "--matrix", "Fixtures/lync-edge/matrix.yaml", "--iptables-save", "Fixtures/lync-edge/compliant.v4"]
        let result = try Binary.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains("the matrix needs IPv6"))
        let allowed = try Binary.run(arguments + ["--allow-unaudited-family", "--color", "never"])
        #expect(allowed.status == 0)
        #expect(allowed.stdout.contains("NOT COMPLIANT"))
        #expect(allowed.stdout.contains("IPv6: not audited"))
    }

    @Test func severalFormatsAtOnce() throws {
        let json = directory.appendingPathComponent("r.json").path
        let metrics = directory.appendingPathComponent("fwaudit.prom").path
        let result = try audit("extra-port", ["--format", "json=\(json)", "--format", "prometheus=\(metrics)", "--format", "text"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("NOT COMPLIANT"))
        #expect(FileManager.default.fileExists(atPath: json))
        let prometheus = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(prometheus.contains("fwaudit_findings{matrix=\"Lync Server 2013 Edge - public IM connectivity\",kind=\"extra\",state=\"active\"} 1"))
        let twoToStdout = try audit("extra-port", ["--format", "json", "--format", "text"])
        #expect(twoToStdout.status == 2)
    }
}

/// Without --waivers, `.fwaudit/waivers.yaml` in the working directory is found and applied.
@Suite struct WaiverDiscovery {
    @Test func theWorkingDirectorysWaiversFileIsUsed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-discovery-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent(".fwaudit"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
        version: 1
        waivers:
          - kind: extra
            ports: "3389"
            reason: vendor access until the migration (CHG-77)
            owner: it-ops
            expires: 2027-01-31
        """.write(to: directory.appendingPathComponent(".fwaudit/waivers.yaml"), atomically: true, encoding: .utf8)
        let fixtures = packageRoot.appendingPathComponent(Scenario.directory).path
        let process = Process()
        process.executableURL = Binary.url
        process.arguments = ["audit", "--matrix", "\(fixtures)/matrix.yaml", "--iptables-save", "\(fixtures)/extra-port.v4",
                             "--ip6tables-save", "\(fixtures)/compliant.v6", "--quiet"]
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(["FWAUDIT_TODAY": "2026-11-25"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
