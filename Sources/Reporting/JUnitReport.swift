import Audit
import FirewallModel
import Gating
import PortMatrix

/// The report as JUnit XML, for the test views of CI systems.
///
/// One `<testsuite>`: a test case per documented flow (classname `flows`), passing unless the
/// flow is missing or not audited, and a test case per extra and wrong-direction finding
/// (classname `extra` / `wrong-direction`, named by rule location and fingerprint). A finding
/// covered by a waiver, or already in the baseline, is a skipped test: visible, never failing.
/// A suite is never empty: with nothing to report it holds one passing case, `audit ran`.
/// No timestamps or durations: the same audit gives the same bytes.
public enum JUnitReport {
    public static func render(_ report: GatedReport, toolVersion: String) -> String {
        let cases = testCases(report)
        let failures = cases.filter { if case .failure = $0.outcome { true } else { false } }.count
        let skipped = cases.filter { if case .skipped = $0.outcome { true } else { false } }.count
        let counts = "tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\""
        let summary = report.summary

        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        lines.append("<testsuites name=\"fwaudit\" \(counts)>")
        lines.append("  <testsuite name=\(attribute("fwaudit: \(report.matrix.name)")) \(counts)>")
        lines.append("    <properties>")
        var properties: [(String, String)] = [
            ("tool", "fwaudit \(toolVersion)"), ("matrix", report.matrixPath),
        ]
        if let reference = report.matrix.reference { properties.append(("reference", reference)) }
        for input in report.inputs { properties.append(("\(input.family.rawValue).\(input.kind)", input.path)) }
        for family in AddressFamily.allCases where report.audited[family] != true {
            properties.append(("\(family.rawValue)", "not audited (no ruleset given)"))
        }
        properties.append(("compliant", summary.compliant ? "true" : "false"))
        for (name, value) in properties {
            lines.append("      <property name=\(attribute(name)) value=\(attribute(value))/>")
        }
        lines.append("    </properties>")
        for testCase in cases {
            lines += testCase.lines
        }
        var out = [(summary.compliant ? "COMPLIANT: " : "NOT COMPLIANT: ") + countsLine(summary)]
        if !report.diagnostics.isEmpty {
            out.append("diagnostics (\(report.diagnostics.count)):")
            out += TextReport.diagnosticLines(report.diagnostics, style: TextStyle(colors: false))
        }
        lines.append("    <system-out>\(text(out.joined(separator: "\n")))</system-out>")
        lines.append("  </testsuite>")
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }

    struct TestCase {
        enum Outcome {
            case passed
            case failure(type: String, message: String, body: String)
            case skipped(message: String)
        }

        var classname: String
        var name: String
        var outcome: Outcome
        var output: String?

        var lines: [String] {
            let open = "    <testcase classname=\(attribute(classname)) name=\(attribute(name))"
            var inner: [String] = []
            switch outcome {
            case .passed: break
            case .failure(let type, let message, let body):
                inner.append("      <failure message=\(attribute(message)) type=\(attribute(type))>\(text(body))</failure>")
            case .skipped(let message):
                inner.append("      <skipped message=\(attribute(message))/>")
            }
            if let output { inner.append("      <system-out>\(text(output))</system-out>") }
            if inner.isEmpty { return [open + "/>"] }
            return [open + ">"] + inner + ["    </testcase>"]
        }
    }

    static func testCases(_ report: GatedReport) -> [TestCase] {
        var cases: [TestCase] = []
        for result in report.flows {
            let flow = result.flow
            var name = "\(flow.id) (\(flow.protocol.rawValue)"
            if let ports = flow.portsText { name += " \(ports)" }
            name += " \(flow.from) -> \(flow.to))"
            let findings = report.findings.filter { $0.kind == .missing && $0.flowID == flow.id }
            let active = findings.filter(\.isActive)
            let notAudited = AddressFamily.allCases.filter { result.families[$0] == .notAudited }
            let body = findings.map(evidence).joined(separator: "\n\n")

            let outcome: TestCase.Outcome
            if let first = active.first {
                let message = active.count == 1 ? first.messageText : "\(first.messageText) (and \(active.count - 1) more)"
                outcome = .failure(type: FindingKind.missing.rawValue, message: message, body: body)
            } else if !notAudited.isEmpty {
                let families = notAudited.map(\.description).joined(separator: " and ")
                outcome = .failure(type: FlowStatus.notAudited.rawValue,
                                   message: "\(flow.id) needs \(families), and no \(families) ruleset was given", body: body)
            } else if let first = findings.first {
                outcome = .skipped(message: skipMessage(first))
            } else {
                outcome = .passed
            }
            var output: String?
            if case .skipped = outcome {
                output = body
            } else if case .passed = outcome, result.status != .allowed {
                let families = AddressFamily.allCases.compactMap { family in result.families[family].map { "\(family) \($0.rawValue)" } }
                output = "\(result.status.rawValue)\(flow.isRequired ? "" : " (optional flow, never reported missing)")"
                    + (families.isEmpty ? "" : ": " + families.joined(separator: ", "))
            }
            cases.append(TestCase(classname: "flows", name: name, outcome: outcome, output: output))
        }

        for finding in report.findings where finding.kind != .missing {
            let name = "\(finding.rule.location) [\(finding.fingerprint)]"
            if finding.isActive {
                cases.append(TestCase(classname: finding.kind.rawValue, name: name,
                                      outcome: .failure(type: finding.kind.rawValue, message: finding.messageText, body: evidence(finding))))
            } else {
                cases.append(TestCase(classname: finding.kind.rawValue, name: name,
                                      outcome: .skipped(message: skipMessage(finding)), output: evidence(finding)))
            }
        }

        // A missing finding for a flow the report does not list still has to be seen.
        let listed = Set(report.flows.map(\.flow.id))
        for finding in report.findings where finding.kind == .missing && !listed.contains(finding.flowID ?? "") {
            let name = "\(finding.flowID ?? finding.rule.location.description) [\(finding.fingerprint)]"
            let outcome: TestCase.Outcome = finding.isActive
                ? .failure(type: finding.kind.rawValue, message: finding.messageText, body: evidence(finding))
                : .skipped(message: skipMessage(finding))
            cases.append(TestCase(classname: "flows", name: name, outcome: outcome, output: finding.isActive ? nil : evidence(finding)))
        }

        if cases.isEmpty { cases.append(TestCase(classname: "fwaudit", name: "audit ran", outcome: .passed)) }
        return cases
    }

    /// `6 flows: 4 allowed, 0 partial, 2 blocked; 2 missing, 0 extra, 0 wrong-direction`, and waived or baselined findings when there are.
    static func countsLine(_ summary: GatedReport.Summary) -> String {
        var text = "\(summary.flows) flow\(summary.flows == 1 ? "" : "s"): \(summary.allowed) allowed, \(summary.partial) partial, \(summary.blocked) blocked"
        if summary.notAudited > 0 { text += ", \(summary.notAudited) not fully audited" }
        text += "; \(summary.missing) missing, \(summary.extra) extra, \(summary.wrongDirection) wrong-direction"
        if summary.waived > 0 { text += "; \(summary.waived) waived" }
        if summary.baselined > 0 { text += "; \(summary.baselined) in baseline" }
        return text
    }

    /// `waived: reason (owner, expires 2026-12-31)`, or `in baseline: fingerprint`.
    static func skipMessage(_ finding: GatedFinding) -> String {
        if let waiver = finding.waiver { return "waived: \(waiver.reason) (\(waiver.owner), expires \(waiver.expires))" }
        return "in baseline: \(finding.fingerprint)"
    }

    /// The finding as the text report shows it: message, rule, blocked or accepted packets, example, fingerprint, waiver.
    static func evidence(_ finding: GatedFinding) -> String {
        TextReport.render(finding, style: TextStyle(colors: false)).map { line in
            String(line.drop { $0 == " " })
        }.joined(separator: "\n")
    }

    // MARK: XML

    /// A quoted attribute value: markup characters as entities, line breaks and tabs as character
    /// references (so that attribute normalisation keeps them), characters XML 1.0 cannot carry as `\uXXXX`.
    public static func attribute(_ value: String) -> String {
        "\"" + escape(value, inAttribute: true) + "\""
    }

    /// Element content, escaped.
    public static func text(_ value: String) -> String {
        escape(value, inAttribute: false)
    }

    static func escape(_ value: String, inAttribute: Bool) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\n": result += inAttribute ? "&#10;" : "\n"
            case "\t": result += inAttribute ? "&#9;" : "\t"
            case "\r": result += "&#13;"
            default:
                let value = scalar.value
                if value < 0x20 || value == 0xFFFE || value == 0xFFFF {
                    // Not a character in XML 1.0, not even as a reference.
                    let hex = String(value, radix: 16, uppercase: true)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else if (0x7F...0x9F).contains(value) {
                    result += "&#x\(String(value, radix: 16, uppercase: true));"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}
