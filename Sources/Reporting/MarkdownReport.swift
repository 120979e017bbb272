import Audit
import FirewallModel
import Gating
import PortMatrix

/// A short Markdown summary for a pull request or `$GITHUB_STEP_SUMMARY`: the verdict, one line of
/// counts, a table of flows, the findings by kind (rule, packets, example, fingerprint) and the
/// number of diagnostics. Waived and baselined findings are shown and marked.
public enum MarkdownReport {
    public static func render(_ report: GatedReport, toolVersion: String) -> String {
        let summary = report.summary
        var lines: [String] = []
        lines.append(summary.compliant ? "## ✅ fwaudit: compliant" : "## ❌ fwaudit: not compliant")
        lines.append("")
        lines.append("**\(escape(report.matrix.name))** (\(code(report.matrixPath))): \(escape(SummaryText.line(report))).")
        lines.append("")
        var rulesets: [String] = []
        for family in AddressFamily.allCases {
            let inputs = report.inputs.filter { $0.family == family }
            rulesets.append(inputs.isEmpty ? "\(family) ⚠️ not audited (no ruleset given)"
                : "\(family) " + inputs.map { code($0.path) }.joined(separator: ", "))
        }
        lines.append("Rulesets: " + rulesets.joined(separator: "; ") + ".")

        if !report.flows.isEmpty {
            lines.append("")
            let families = AddressFamily.allCases.filter { family in report.flows.contains { $0.families[family] != nil } }
            lines.append("| Status | Flow | Protocol/ports | From → to |" + families.map { " \($0) |" }.joined())
            lines.append("|---|---|---|---|" + String(repeating: "---|", count: families.count))
            for result in report.flows.sorted(by: { ($1.status, $0.flow.location) < ($0.status, $1.flow.location) }) {
                let flow = result.flow
                var status = "\(icon(result.status)) \(result.status.rawValue)"
                if result.certainty == .possible { status += " (possible)" }
                var id = code(flow.id)
                if !flow.isRequired { id += " (optional)" }
                var cells = [status, id, [flow.protocol.rawValue, flow.portsText].compactMap { $0 }.joined(separator: " "),
                             "\(flow.from) → \(flow.to)"]
                cells += families.map { family in result.families[family].map(\.rawValue) ?? "—" }
                lines.append("| " + cells.map(cell).joined(separator: " | ") + " |")
            }
            let translated = report.flows.filter { !$0.translatedBy.isEmpty }
            if !translated.isEmpty {
                lines.append("")
                for result in translated {
                    lines.append("- \(code(result.flow.id)) \(escape(AssumptionText.translations(result.translatedBy)))")
                }
            }
        }

        // New findings by kind; waived and baselined ones in sections of their own after them.
        for kind in FindingKind.allCases {
            let findings = report.active.filter { $0.kind == kind }
            if findings.isEmpty { continue }
            lines.append("")
            lines.append("### \(title(kind)) (\(findings.count))")
            lines.append("")
            for finding in findings { lines += render(finding) }
        }
        for (heading, findings) in [("Waived", report.waived), ("In the baseline", report.baselined)] where !findings.isEmpty {
            lines.append("")
            lines.append("### \(heading) (\(findings.count))")
            lines.append("")
            for finding in findings { lines += render(finding) }
        }

        if !report.fixed.isEmpty {
            lines.append("")
            lines.append("### Fixed since the baseline (\(report.fixed.count))")
            lines.append("")
            for fixed in report.fixed {
                lines.append("- \(fixed.kind.rawValue): \(escape(fixed.message)) (fingerprint \(code(fixed.fingerprint)))")
            }
        }

        lines.append("")
        lines.append(diagnosticsLine(report.diagnostics) + " Reported by fwaudit \(escape(toolVersion)).")
        return lines.joined(separator: "\n") + "\n"
    }

    static func render(_ finding: GatedFinding) -> [String] {
        var marks: [String] = []
        if let waiver = finding.waiver {
            marks.append("**waived** until \(escape(waiver.expires)) by \(escape(waiver.owner)): \(escape(waiver.reason))")
        }
        if finding.inBaseline { marks.append("**in baseline**") }
        if finding.certainty == .possible { marks.append("**possible**") }
        let mark = finding.isActive ? "❌" : "➖"
        var head = "- \(mark) "
        if let flow = finding.flowID { head += code(flow) + ": " }
        head += escape(finding.messageText)
        var lines = [head]
        for text in marks { lines.append("  - " + text) }
        lines.append("  - rule: \(code(finding.rule.location.description)) \(code(finding.rule.text))")
        for part in finding.blockedBy.dropFirst().prefix(FindingLimits.listedRules) {
            lines.append("  - also: \(code(part.rule.location.description)) \(code(part.rule.text)) (\(part.leg.rawValue))")
        }
        if let more = FindingLimits.unlistedRules(finding) { lines.append("  - also: … and \(more) more rules") }
        let space = finding.space
        var spaceText = "\(space.protocolsText) \(space.sourcesText) -> \(space.destinationsText)"
        if space.destinationPortsText != "-" { spaceText += " dport \(space.destinationPortsText)" }
        if space.sourcePortsText != "-" && space.sourcePortsText != "any" { spaceText += " sport \(space.sourcePortsText)" }
        if let types = space.icmpTypesText { spaceText += " " + types }
        var packets = "  - \(finding.kind == .missing ? "blocked" : "accepted"): \(code(spaceText))"
        if let leg = finding.blockedBy.first?.leg { packets += " (\(leg.rawValue))" }
        lines.append(packets)
        if !finding.translatedBy.isEmpty { lines.append("  - translated: \(escape(AssumptionText.translations(finding.translatedBy)))") }
        var example = "  - example: \(code(finding.witness.shown.description))"
        if finding.witness.leg != .new { example += " (\(finding.witness.leg.rawValue))" }
        if !finding.witness.confirmed { example += " **not confirmed by the interpreter**" }
        lines.append(example)
        for unknown in finding.unknowns {
            lines.append("  - depends on: \(code(unknown.location.description)) \(code(unknown.text)): \(escape(unknown.reason))")
        }
        for note in finding.notes { lines.append("  - note: \(escape(note.text))") }
        lines.append("  - fingerprint: \(code(finding.fingerprint))")
        return lines
    }

    static func title(_ kind: FindingKind) -> String {
        switch kind {
        case .missing: "Missing"
        case .extra: "Extra"
        case .wrongDirection: "Wrong direction"
        }
    }

    static func icon(_ status: FlowStatus) -> String {
        switch status {
        case .allowed: "✅"
        case .partial: "⚠️"
        case .blocked: "❌"
        case .notAudited: "⚠️"
        case .notApplicable: "➖"
        }
    }

    /// `Diagnostics: 3 (1 warning, 2 notes); see them with fwaudit dump.`
    static func diagnosticsLine(_ diagnostics: [Diagnostic]) -> String {
        if diagnostics.isEmpty { return "Diagnostics: none." }
        let counts = Diagnostic.Severity.allCases.reversed().compactMap { severity -> String? in
            let count = diagnostics.filter { $0.severity == severity }.count
            return count == 0 ? nil : "\(count) \(severity.rawValue)\(count == 1 ? "" : "s")"
        }
        return "Diagnostics: \(diagnostics.count) (\(counts.joined(separator: ", "))); the text report and `fwaudit dump` list them."
    }

    // MARK: Markdown syntax

    /// Text that Markdown must not read as markup.
    public static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "<", ">", "|", "~", "#":
                result += "\\" + String(character)
            case "\n", "\r", "\r\n":
                result += " "
            default:
                result += visible(character)
            }
        }
        return result
    }

    /// Control characters, which Markdown would show as nothing, as U+FFFD; a tab as a space.
    static func visible(_ character: Character) -> String {
        if character == "\t" { return " " }
        return character.unicodeScalars.contains { $0.properties.generalCategory == .control } ? "\u{FFFD}" : String(character)
    }

    /// A code span that holds `text` whatever backticks it contains.
    public static func code(_ text: String) -> String {
        let flat = text.replacing("\r\n", with: " ").replacing("\n", with: " ").replacing("\r", with: " ").map(visible).joined()
        var longest = 0, run = 0
        for character in flat {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let padding = flat.hasPrefix("`") || flat.hasSuffix("`") ? " " : ""
        return fence + padding + flat + padding + fence
    }

    /// A table cell: `|` escaped, also inside code spans, as GitHub's tables require.
    public static func cell(_ text: String) -> String {
        var result = ""
        var previous: Character?
        for character in text {
            if character == "|" && previous != "\\" { result += "\\|" } else { result.append(character) }
            previous = character
        }
        return result
    }
}
