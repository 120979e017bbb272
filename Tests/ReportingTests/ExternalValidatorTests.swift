import Audit
import FixtureSupport
import Gating
import Foundation
import Reporting
import Testing

/// Every golden checked by a validator fwaudit did not write: the official SARIF 2.1.0 schema and
/// our JSON Schemas with Python's `jsonschema`, the JUnit XML with `junitparser`.
///
/// Skipped, with the reason in the test's comment, where Python, the package or `../shared` is missing.
@Suite struct ExternalValidators {
    static func golden(_ name: String) throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent("Reports/lync-edge/\(name)"), encoding: .utf8)
    }

    static func schemaFile(_ name: String) -> URL { packageRoot.appendingPathComponent("Reports/schema/\(name)") }

    // The SARIF schema is read from ../shared/schemas, never copied into the project; without it,
    // or without jsonschema (pip install jsonschema, or Debian's python3-jsonschema), this is skipped.
    @Test(.enabled(if: PythonValidators.sarifSchema != nil, "../shared/schemas/sarif-schema-2.1.0.json is absent"),
          .enabled(if: PythonValidators.jsonschema != nil, "python3 with jsonschema is not installed"))
    func sarifGoldensAndVariantsMatchTheOfficialSchema() throws {
        let interpreter = try #require(PythonValidators.jsonschema)
        var documents: [(name: String, text: String)] = []
        for scenario in Scenario.all { documents.append(("\(scenario.name).sarif", try Self.golden("\(scenario.name).sarif"))) }
        for variant in try Variants.all { documents.append(("\(variant.name).sarif", SARIFReport.render(variant.report, toolVersion: "test"))) }
        if let errors = try PythonValidators.validate(documents, schema: try #require(PythonValidators.sarifSchema), with: interpreter) {
            Issue.record("SARIF 2.1.0 schema (\(PythonValidators.version(of: "jsonschema", with: interpreter))):\n\(errors)")
        }
        print("sarif: \(documents.count) documents valid with \(PythonValidators.version(of: "jsonschema", with: interpreter))")
    }

    // jsonschema: pip install jsonschema, or Debian's python3-jsonschema; skipped without it.
    @Test(.enabled(if: PythonValidators.jsonschema != nil, "python3 with jsonschema is not installed"))
    func jsonGoldensMatchTheReportSchema() throws {
        let interpreter = try #require(PythonValidators.jsonschema)
        var documents: [(name: String, text: String)] = []
        for scenario in Scenario.all { documents.append(("\(scenario.name).json", try Self.golden("\(scenario.name).json"))) }
        for variant in try Variants.all { documents.append(("\(variant.name).json", JSONReport.render(variant.report, toolVersion: "test"))) }
        if let errors = try PythonValidators.validate(documents, schema: Self.schemaFile("report.schema.json"), with: interpreter) {
            Issue.record("report.schema.json:\n\(errors)")
        }
    }

    @Test(.enabled(if: PythonValidators.jsonschema != nil, "python3 with jsonschema is not installed"))
    func reportSchemaRejectsWhatTheContractForbids() throws {
        let interpreter = try #require(PythonValidators.jsonschema)
        let report = try Self.golden("shadowed-accept.json")
        let broken = [
            ("no-schema-version", report.replacingOccurrences(of: "\"schemaVersion\": 2,", with: "")),
            ("old-schema-version", report.replacingOccurrences(of: "\"schemaVersion\": 2,", with: "\"schemaVersion\": 1,")),
            ("zone-as-address", report.replacingOccurrences(of: "\"from\": \"pic-partners\"", with: "\"from\": 12")),
            ("bad-kind", report.replacingOccurrences(of: "\"kind\": \"missing\"", with: "\"kind\": \"absent\"")),
            ("bad-status", report.replacingOccurrences(of: "\"status\": \"partial\"", with: "\"status\": \"closed\"")),
            ("bad-certainty", report.replacingOccurrences(of: "\"certainty\": \"definite\"", with: "\"certainty\": \"likely\"")),
            ("bad-fingerprint", report.replacingOccurrences(of: "\"fingerprint\": \"", with: "\"fingerprint\": \"x")),
        ]
        for (name, text) in broken {
            #expect(text != report, "\(name): the golden changed; pick another edit")
            let errors = try PythonValidators.validate([(name + ".json", text)], schema: Self.schemaFile("report.schema.json"), with: interpreter)
            #expect(errors != nil, "\(name) was accepted")
        }
    }

    // Reads the fixture matrix as YAML: needs PyYAML beside jsonschema; skipped without them.
    @Test(.enabled(if: PythonValidators.jsonschemaAndYAML != nil, "python3 with jsonschema and PyYAML is not installed"))
    func fixtureMatrixMatchesTheMatrixSchema() throws {
        let interpreter = try #require(PythonValidators.jsonschemaAndYAML)
        let matrix = Scenario.load("\(Scenario.directory)/matrix.yaml")
        let valid = try PythonValidators.validate([("matrix.yaml", matrix)], schema: Self.schemaFile("matrix.schema.json"), with: interpreter)
        #expect(valid == nil, "\(valid ?? "")")
        let broken = [
            ("unknown-key.yaml", matrix.replacingOccurrences(of: "    note: For public IM connectivity and federation over SIP.\n  - id: sip-mtls-to",
                                                             with: "    notes: typo\n  - id: sip-mtls-to")),
            ("no-ports.yaml", matrix.replacingOccurrences(of: "    ports: 443\n", with: "")),
            ("icmp-ports.yaml", matrix.replacingOccurrences(of: "    protocol: udp\n    ports: 3478\n    from: access-edge", with: "    protocol: icmp\n    ports: 3478\n    from: access-edge")),
            ("bad-allow.yaml", matrix.replacingOccurrences(of: "allow: [loopback, established]", with: "allow: [loopback, everything]")),
            ("version-2.yaml", matrix.replacingOccurrences(of: "version: 1", with: "version: 2")),
        ]
        for (name, text) in broken {
            #expect(text != matrix, "\(name): the fixture changed; pick another edit")
            let errors = try PythonValidators.validate([(name, text)], schema: Self.schemaFile("matrix.schema.json"), with: interpreter)
            #expect(errors != nil, "\(name) was accepted")
        }
    }

    @Test(.enabled(if: PythonValidators.jsonschema != nil, "python3 with jsonschema is not installed"))
    func waiversSchemaAcceptsTheDocumentedFormOnly() throws {
        let interpreter = try #require(PythonValidators.jsonschema)
        let good = #"""
            {"version": 1, "waivers": [
              {"fingerprint": "8d1fa72f6ace764d", "reason": "partner range change pending (CHG-1234)", "owner": "netops@example.com", "expires": "2026-12-31"},
              {"kind": "extra", "protocol": "tcp", "ports": "3389", "reason": "vendor access", "owner": "ops", "expires": "2026-01-31"},
              {"flow": "stun-to-messenger", "reason": "r", "owner": "o", "expires": "2026-01-31"}
            ]}
            """#
        let valid = try PythonValidators.validate([("good.json", good)], schema: Self.schemaFile("waivers.schema.json"), with: interpreter)
        #expect(valid == nil, "\(valid ?? "")")
        let bad = [
            ("no-selector", #"{"version": 1, "waivers": [{"protocol": "tcp", "reason": "r", "owner": "o", "expires": "2026-01-31"}]}"#),
            ("no-reason", #"{"version": 1, "waivers": [{"fingerprint": "8d1fa72f6ace764d", "owner": "o", "expires": "2026-01-31"}]}"#),
            ("no-owner", #"{"version": 1, "waivers": [{"fingerprint": "8d1fa72f6ace764d", "reason": "r", "expires": "2026-01-31"}]}"#),
            ("no-expiry", #"{"version": 1, "waivers": [{"fingerprint": "8d1fa72f6ace764d", "reason": "r", "owner": "o"}]}"#),
            ("bad-date", #"{"version": 1, "waivers": [{"fingerprint": "8d1fa72f6ace764d", "reason": "r", "owner": "o", "expires": "31/12/2026"}]}"#),
            ("short-fingerprint", #"{"version": 1, "waivers": [{"fingerprint": "8d1fa72f", "reason": "r", "owner": "o", "expires": "2026-01-31"}]}"#),
            ("bad-kind", #"{"version": 1, "waivers": [{"kind": "open", "reason": "r", "owner": "o", "expires": "2026-01-31"}]}"#),
            ("unknown-key", #"{"version": 1, "waivers": [{"flow": "f", "reason": "r", "owner": "o", "expires": "2026-01-31", "until": "x"}]}"#),
            ("version-2", #"{"version": 2, "waivers": []}"#),
        ]
        for (name, text) in bad {
            let errors = try PythonValidators.validate([(name + ".json", text)], schema: Self.schemaFile("waivers.schema.json"), with: interpreter)
            #expect(errors != nil, "\(name) was accepted")
        }
    }

    // junitparser is a JUnit XML consumer (pip install junitparser, or Debian's python3-junitparser);
    // skipped without it.
    @Test(.enabled(if: PythonValidators.junitparser != nil, "python3 with junitparser is not installed"))
    func junitGoldensAndVariantsReadAsTheyMeanWithJunitparser() throws {
        let interpreter = try #require(PythonValidators.junitparser)
        var documents: [(name: String, text: String)] = []
        var reports: [GatedReport] = []
        for scenario in Scenario.all {
            documents.append(("\(scenario.name).junit.xml", try Self.golden("\(scenario.name).junit.xml")))
            reports.append(try scenario.judged())
        }
        for variant in try Variants.all {
            documents.append(("\(variant.name).junit.xml", JUnitReport.render(variant.report, toolVersion: "test")))
            reports.append(variant.report)
        }
        let files = try PythonValidators.parseJUnit(documents, with: interpreter)
        try #require(files.count == documents.count)
        for ((document, report), file) in zip(zip(documents, reports), files) {
            let suite = try #require(file.suites.first, "\(document.name): no suite")
            #expect(file.suites.count == 1, "\(document.name)")
            #expect(suite.declared == suite.counted, "\(document.name): declared counts differ from the cases")
            #expect(suite.counted.tests >= 1, "\(document.name): empty suite")
            #expect(suite.counted.errors == 0, "\(document.name)")
            let summary = report.summary
            #expect(suite.name == "fwaudit: \(report.matrix.name.replacingOccurrences(of: "\u{1}", with: "\\u0001"))", "\(document.name)")
            #expect(suite.counted.failures == 0 ? summary.compliant : !summary.compliant, "\(document.name): failures disagree with the verdict")
            let skippedFlows = report.flows.filter { result in
                let missing = report.findings.filter { $0.kind == .missing && $0.flowID == result.flow.id }
                return !missing.isEmpty && missing.allSatisfy { !$0.isActive } && !result.families.values.contains(.notAudited)
            }.count
            let skippedOthers = report.findings.filter { $0.kind != .missing && !$0.isActive }.count
            #expect(suite.counted.skipped == skippedFlows + skippedOthers, "\(document.name): skipped count")
            #expect(suite.cases.filter { $0.classname == "flows" }.count == report.flows.count, "\(document.name)")
            for testCase in suite.cases {
                #expect(testCase.name?.isEmpty == false && testCase.classname?.isEmpty == false, "\(document.name): unnamed case")
                for result in testCase.results where result.tag == "failure" {
                    #expect(result.message?.isEmpty == false, "\(document.name): failure without message")
                    #expect(result.text?.contains("fingerprint: ") == true || result.type == "not-audited", "\(document.name): failure without evidence")
                }
            }
        }
        print("junit: \(documents.count) documents read with \(PythonValidators.version(of: "junitparser", with: interpreter))")
    }
}
