import Audit
import FirewallModel
import Gating
import PortMatrix

/// One self-contained page for auditors and change boards: the verdict, a grid of the documented
/// flows from zone to zone coloured by status, the findings with their rules, example packets and
/// fingerprints, and what the audit assumed. Inline styles only: no network fetch, no script.
public enum HTMLReport {
    public static func render(_ report: GatedReport, toolVersion: String) -> String {
        var page = HTMLPage()
        let summary = report.summary
        page.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        page.element("title", "fwaudit: \(report.matrix.name)")
        page.raw("<style>\n\(style)</style>\n</head>\n<body>\n")
        page.element("h1", "fwaudit: \(report.matrix.name)")
        page.element("p", summary.compliant ? "COMPLIANT" : "NOT COMPLIANT", attributes: ["class": summary.compliant ? "verdict ok" : "verdict bad"])
        page.element("p", SummaryText.line(report))
        var inputs: [String] = []
        for family in AddressFamily.allCases {
            let given = report.inputs.filter { $0.family == family }
            inputs.append("\(family): " + (given.isEmpty ? "not audited (no ruleset given)" : given.map { "\($0.path) (\($0.kind))" }.joined(separator: ", ")))
        }
        page.element("p", "Matrix \(report.matrixPath); " + inputs.joined(separator: "; ") + "; fwaudit \(toolVersion)", attributes: ["class": "meta"])

        flowGrid(report, into: &page)
        findings(report, into: &page)
        assumptions(report, into: &page)
        if !report.diagnostics.isEmpty {
            page.element("h2", "Diagnostics")
            page.raw("<ul>\n")
            for diagnostic in report.diagnostics {
                page.element("li", "\(diagnostic.severity.rawValue): \(diagnostic.location.map { "\($0): " } ?? "")\(diagnostic.message)")
            }
            page.raw("</ul>\n")
        }
        page.raw("</body>\n</html>\n")
        return page.text
    }

    /// Rows are the zones flows come from, columns the zones they go to; each cell lists its flows.
    static func flowGrid(_ report: GatedReport, into page: inout HTMLPage) {
        page.element("h2", "Documented flows")
        let sources = report.matrix.zones.filter { zone in report.flows.contains { $0.flow.from == zone.id } }
        let destinations = report.matrix.zones.filter { zone in report.flows.contains { $0.flow.to == zone.id } }
        page.raw("<table class=\"grid\">\n<tr>")
        page.element("th", "from \\ to")
        for zone in destinations { page.element("th", zone.id) }
        page.raw("</tr>\n")
        for source in sources {
            page.raw("<tr>")
            page.element("th", source.id)
            for destination in destinations {
                page.raw("<td>")
                for result in report.flows where result.flow.from == source.id && result.flow.to == destination.id {
                    let flow = result.flow
                    page.element("div", "\(flow.id): \(flow.protocol.rawValue) \(flow.portsText ?? "any") — \(result.status.rawValue)"
                                 + (result.certainty == .possible ? " (possible)" : "")
                                 + (result.translatedBy.isEmpty ? "" : ", " + AssumptionText.translations(result.translatedBy)),
                                 attributes: ["class": "flow \(result.status.rawValue)"])
                }
                page.raw("</td>")
            }
            page.raw("</tr>\n")
        }
        page.raw("</table>\n")
    }

    static func findings(_ report: GatedReport, into page: inout HTMLPage) {
        for (title, findings) in [("Findings", report.active), ("Waived findings", report.waived), ("Findings in the baseline", report.baselined)] {
            if findings.isEmpty { continue }
            page.element("h2", "\(title) (\(findings.count))")
            for finding in findings {
                page.raw("<div class=\"finding \(finding.kind.rawValue)\">\n")
                page.element("h3", "\(finding.kind.rawValue)\(finding.certainty == .possible ? " (possible)" : ""): \(finding.flowID.map { "\($0): " } ?? "")\(finding.messageText)")
                page.raw("<dl>\n")
                page.definition("rule", "\(finding.rule.location)  \(finding.rule.text)")
                for part in finding.blockedBy.dropFirst().prefix(FindingLimits.listedRules) {
                    page.definition("also", "\(part.rule.location)  \(part.rule.text) (\(part.leg.rawValue))")
                }
                if let more = FindingLimits.unlistedRules(finding) { page.definition("also", "… and \(more) more rules") }
                let space = finding.space
                var packets = "\(space.protocolsText) \(space.sourcesText) -> \(space.destinationsText)"
                if space.destinationPortsText != "-" { packets += " dport \(space.destinationPortsText)" }
                if space.sourcePortsText != "-" && space.sourcePortsText != "any" { packets += " sport \(space.sourcePortsText)" }
                if let types = space.icmpTypesText { packets += " " + types }
                page.definition(finding.kind == .missing ? "blocked" : "accepted", packets)
                if !finding.translatedBy.isEmpty { page.definition("translated", AssumptionText.translations(finding.translatedBy)) }
                page.definition("example", finding.witness.shown.description + (finding.witness.leg != .new ? " (\(finding.witness.leg.rawValue))" : "")
                                + (finding.witness.confirmed ? "" : " (not confirmed by the interpreter)"))
                for unknown in finding.unknowns { page.definition("unknown", "\(unknown.location)  \(unknown.text): \(unknown.reason)") }
                for note in finding.notes { page.definition("note", note.text) }
                page.definition("fingerprint", finding.fingerprint)
                if let waiver = finding.waiver {
                    page.definition("waived", "until \(waiver.expires) by \(waiver.owner): \(waiver.reason) (\(waiver.location))")
                }
                page.raw("</dl>\n</div>\n")
            }
        }
        if !report.fixed.isEmpty {
            page.element("h2", "Fixed since the baseline (\(report.fixed.count))")
            page.raw("<ul>\n")
            for fixed in report.fixed { page.element("li", "\(fixed.kind.rawValue) \(fixed.fingerprint): \(fixed.message)") }
            page.raw("</ul>\n")
        }
    }

    static func assumptions(_ report: GatedReport, into page: inout HTMLPage) {
        guard !report.assumptions.isEmpty else { return }
        page.element("h2", "Assumptions")
        for assumptions in report.assumptions {
            page.element("h3", assumptions.family.description)
            page.raw("<ul>\n")
            for line in TextReport.assumptionLines(assumptions) {
                page.element("li", line.trimmingLeadingBlanks)
            }
            page.raw("</ul>\n")
        }
    }

    static let style = """
    body { font-family: sans-serif; margin: 2em; color: #1b1b1b; }
    .verdict { font-size: 1.6em; font-weight: bold; }
    .ok { color: #1a7f37; } .bad { color: #c62828; }
    .meta { color: #555; }
    table.grid { border-collapse: collapse; }
    table.grid th, table.grid td { border: 1px solid #bbb; padding: 0.4em; vertical-align: top; }
    .flow { padding: 0.2em 0.4em; margin: 0.1em 0; border-radius: 3px; }
    .flow.allowed { background: #d7f5dd; } .flow.partial { background: #fff1c2; }
    .flow.blocked { background: #ffd6d6; } .flow.not-audited { background: #e8e8e8; }
    .flow.not-applicable { background: #f4f4f4; color: #777; }
    .finding { border-left: 4px solid #c62828; padding-left: 1em; margin: 1em 0; }
    .finding.extra { border-color: #8e24aa; } .finding.wrong-direction { border-color: #ef6c00; }
    dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
    dt { font-weight: bold; } dd { margin: 0; font-family: monospace; white-space: pre-wrap; }

    """
}

/// HTML text built by appending escaped elements: user text can never become markup.
struct HTMLPage {
    private(set) var text = ""

    /// Markup written by the report itself, never user text.
    mutating func raw(_ markup: String) { text += markup }

    mutating func element(_ name: String, _ content: String, attributes: [String: String] = [:]) {
        let attributeText = attributes.sorted { $0.key < $1.key }.map { " \($0.key)=\"\(HTMLPage.escape($0.value))\"" }.joined()
        text += "<\(name)\(attributeText)>\(HTMLPage.escape(content))</\(name)>\n"
    }

    mutating func definition(_ term: String, _ description: String) {
        element("dt", term)
        element("dd", description)
    }

    /// `&`, `<`, `>`, quotes escaped; control characters other than newline and tab shown as U+FFFD.
    static func escape(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default:
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" || scalar.value == 0x7f {
                    result += "\u{FFFD}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}

extension String {
    var trimmingLeadingBlanks: String { String(drop { $0 == " " }) }
}
