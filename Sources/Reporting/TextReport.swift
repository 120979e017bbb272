import Audit
import FirewallModel
import Gating
import FlowAnalysis
import PortMatrix

/// The report for people: a verdict line, flows by status, findings grouped by kind, diagnostics.
public enum TextReport {
    public static func render(_ report: GatedReport, style: TextStyle, quiet: Bool = false) -> String {
        var lines: [String] = []
        let summary = report.summary
        let verdict = summary.compliant ? style.paint("COMPLIANT", .green) : style.paint("NOT COMPLIANT", .red)
        lines.append("\(style.paint("fwaudit", .bold)): \(report.matrix.name) (\(report.matrixPath))")
        for family in AddressFamily.allCases {
            let inputs = report.inputs.filter { $0.family == family }
            let text = inputs.isEmpty ? style.paint("not audited (no ruleset given)", .yellow)
                : inputs.map { "\($0.path) (\($0.kind))" }.joined(separator: ", ")
            lines.append("  \(family): \(text)")
        }
        lines.append("\(verdict): \(SummaryText.line(report))")

        if !quiet {
            lines.append("")
            lines.append(style.paint("Flows", .bold))
            let idWidth = report.flows.map(\.flow.id.count).max() ?? 0
            for result in report.flows.sorted(by: { ($1.status, $0.flow.location) < ($0.status, $1.flow.location) }) {
                let flow = result.flow
                let families = AddressFamily.allCases.compactMap { family in result.families[family].map { "\(family) \($0.rawValue)" } }
                var line = "  " + style.padded(result.status.rawValue, color(result.status), width: 13)
                line += style.padded(flow.id, nil, width: idWidth + 2)
                line += "\(flow.protocol.rawValue) \(flow.portsText ?? "any")  \(flow.from) -> \(flow.to)  (\(result.paths.map(\.rawValue).joined(separator: ", ")))"
                if !families.isEmpty { line += "  [" + families.joined(separator: ", ") + "]" }
                if !flow.isRequired { line += " optional" }
                for narrowing in result.narrowedBy { line += "  " + AssumptionText.narrowing(narrowing) }
                if !result.rateLimitedBy.isEmpty { line += "  " + AssumptionText.rateLimits(result.rateLimitedBy) }
                if !result.translatedBy.isEmpty { line += "  " + AssumptionText.translations(result.translatedBy) }
                if result.certainty == .possible { line += " " + style.paint("(possible)", .yellow) }
                lines.append(line)
            }
        }

        // New findings first; waived and baselined ones after, each in a section of its own.
        for (title, findings) in [("Findings", report.active), ("Waived findings", report.waived), ("Findings in the baseline", report.baselined)] {
            if findings.isEmpty { continue }
            lines.append("")
            lines.append(style.paint(title, .bold))
            for kind in FindingKind.allCases {
                let ofKind = findings.filter { $0.kind == kind }
                if ofKind.isEmpty { continue }
                lines.append("  \(style.paint(kind.rawValue, kind == .missing ? .red : .magenta)) (\(ofKind.count))")
                for finding in ofKind {
                    let note = finding.flowID.flatMap { id in report.matrix.flows.first { $0.id == id }?.note }
                    lines += render(finding, style: style, documentation: note)
                }
            }
        }

        if !report.fixed.isEmpty {
            lines.append("")
            lines.append(style.paint("Fixed since the baseline", .bold))
            for fixed in report.fixed { lines.append("  \(fixed.kind.rawValue) \(fixed.fingerprint): \(fixed.message)") }
        }

        if !report.assumptions.isEmpty && !quiet {
            lines.append("")
            lines.append(style.paint("Assumptions", .bold))
            for assumptions in report.assumptions { lines += assumptionLines(assumptions) }
        }

        // Expired and unused waivers change what fails a run: shown even when quiet.
        if !report.notices.isEmpty && quiet {
            lines.append("")
            lines.append(style.paint("Waivers", .bold))
            lines += diagnosticLines(report.notices, style: style)
        }

        if !report.diagnostics.isEmpty && !quiet {
            lines.append("")
            lines.append(style.paint("Diagnostics", .bold))
            lines += diagnosticLines(report.diagnostics, style: style)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What the audit of one family took for granted, a line each.
    static func assumptionLines(_ assumptions: Assumptions) -> [String] {
        let family = assumptions.family
        let host = assumptions.hostAddresses.isEmpty ? "none known" : assumptions.hostAddresses.addressSyntax(family: family)
        return [
            "  \(family): host addresses \(host)",
            "        forwarding: \(AssumptionText.forwarding(assumptions.forwarding))",
            "        client ports: remote \(assumptions.remoteClientPorts.portSyntax), the host's own \(assumptions.hostClientPorts.portSyntax)",
            "        interfaces: \(assumptions.interfaces.isEmpty ? "none" : assumptions.interfaces.map { $0 == "*" ? "any other" : $0 }.joined(separator: ", "))",
            "        deny lists: \(assumptions.denyLists.isEmpty ? "none" : assumptions.denyLists.joined(separator: ", "))",
            "        throttles: \(AssumptionText.throttles(assumptions))",
        ]
    }

    static func color(_ status: FlowStatus) -> TextStyle.Color? {
        switch status {
        case .allowed: .green
        case .partial: .yellow
        case .blocked: .red
        case .notAudited: .yellow
        case .notApplicable: .dim
        }
    }

    /// `documentation`: the finding's flow's note in the matrix, which for imported flows names the
    /// documentation page, table and row the flow came from.
    static func render(_ finding: GatedFinding, style: TextStyle, documentation: String? = nil) -> [String] {
        let certainty = finding.certainty == .definite ? "definite" : style.paint("possible", .yellow)
        var lines = ["    [\(certainty)] \(finding.flowID.map { "\($0): " } ?? "")\(finding.messageText)"]
        lines.append("        rule:    \(finding.rule.location)  \(finding.rule.text)")
        for part in finding.blockedBy.dropFirst().prefix(FindingLimits.listedRules) {
            lines.append("        also:    \(part.rule.location)  \(part.rule.text) (\(part.leg.rawValue))")
        }
        if let more = FindingLimits.unlistedRules(finding) { lines.append("        also:    … and \(more) more rules") }
        let space = finding.space
        var spaceText = "\(space.protocolsText) \(space.sourcesText) -> \(space.destinationsText)"
        if space.destinationPortsText != "-" { spaceText += " dport \(space.destinationPortsText)" }
        if space.sourcePortsText != "-" && space.sourcePortsText != "any" { spaceText += " sport \(space.sourcePortsText)" }
        if let types = space.icmpTypesText { spaceText += " " + types }
        if let leg = finding.blockedBy.first?.leg { spaceText += " (\(leg.rawValue))" }
        lines.append("        \(finding.kind == .missing ? "blocked" : "accepted"): \(spaceText)")
        if !finding.translatedBy.isEmpty { lines.append("        translated: \(AssumptionText.translations(finding.translatedBy))") }
        var example = "        example: \(finding.witness.shown)"
        if finding.witness.leg != .new { example += " (\(finding.witness.leg.rawValue))" }
        if !finding.witness.confirmed { example += " " + style.paint("(not confirmed by the interpreter)", .red) }
        lines.append(example)
        for unknown in finding.unknowns {
            lines.append("        unknown: \(unknown.location)  \(unknown.text): \(unknown.reason)")
        }
        if let note = documentation {
            lines.append("        documented: \(note)")
        }
        for note in finding.notes { lines.append("        note:    \(note.text)") }
        lines.append("        fingerprint: \(finding.fingerprint)")
        if let waiver = finding.waiver {
            lines.append("        " + style.paint("waived until \(waiver.expires) by \(waiver.owner): \(waiver.reason) (\(waiver.location))", .cyan))
        } else if finding.inBaseline {
            lines.append("        " + style.paint("in the baseline", .cyan))
        }
        return lines
    }

    /// Diagnostics with the same message are shown once, with a count and the first location.
    static func diagnosticLines(_ diagnostics: [Diagnostic], style: TextStyle) -> [String] {
        var order: [String] = []
        var groups: [String: [Diagnostic]] = [:]
        for diagnostic in diagnostics {
            let key = "\(diagnostic.severity.rawValue)|\(diagnostic.message)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(diagnostic)
        }
        return order.map { key in
            let group = groups[key]!
            let first = group[0]
            let severity = style.paint(first.severity.rawValue, first.severity == .error ? .red : first.severity == .warning ? .yellow : .cyan)
            var line = "  \(severity): "
            if let location = first.location { line += "\(location): " }
            line += first.message
            if group.count > 1 { line += " (and \(group.count - 1) more)" }
            return line
        }
    }
}
