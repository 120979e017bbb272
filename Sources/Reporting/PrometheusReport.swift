import Audit
import FirewallModel
import Gating

/// node_exporter textfile metrics, so fleets alert on audits through the monitoring they have.
public enum PrometheusReport {
    /// `timestamp` is the audit time in seconds since 1970 (the one non-deterministic figure).
    public static func render(_ report: GatedReport, timestamp: Int) -> String {
        let matrix = "matrix=\"\(escape(report.matrix.name))\""
        var lines: [String] = []
        func metric(_ name: String, _ help: String, _ samples: [(String, Int)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) gauge")
            for (labels, value) in samples {
                lines.append("\(name){\(matrix)\(labels.isEmpty ? "" : "," + labels)} \(value)")
            }
        }
        let summary = report.summary
        metric("fwaudit_compliant", "1 when the last audit found no active finding and audited every family the matrix needs.",
               [("", summary.compliant ? 1 : 0)])
        var findings: [(String, Int)] = []
        for kind in FindingKind.allCases {
            let ofKind = report.findings.filter { $0.kind == kind }
            findings.append(("kind=\"\(kind.rawValue)\",state=\"active\"", ofKind.filter(\.isActive).count))
            findings.append(("kind=\"\(kind.rawValue)\",state=\"waived\"", ofKind.filter { $0.waiver != nil }.count))
            findings.append(("kind=\"\(kind.rawValue)\",state=\"baselined\"", ofKind.filter { $0.waiver == nil && $0.inBaseline }.count))
        }
        metric("fwaudit_findings", "Findings of the last audit by kind and state.", findings)
        let statuses: [FlowStatus] = [.allowed, .partial, .blocked, .notAudited]
        metric("fwaudit_flows", "Documented flows by status.",
               statuses.map { status in ("status=\"\(status.rawValue)\"", report.flows.filter { $0.status == status }.count) })
        metric("fwaudit_flow_status", "1 for each documented flow's current status.",
               report.flows.map { ("flow=\"\(escape($0.flow.id))\",status=\"\($0.status.rawValue)\"", 1) })
        metric("fwaudit_diagnostics", "Diagnostics of the last audit by severity.",
               Diagnostic.Severity.allCases.map { severity in
                   ("severity=\"\(severity.rawValue)\"", report.diagnostics.filter { $0.severity == severity }.count)
               })
        metric("fwaudit_last_audit_timestamp_seconds", "When the last audit ran, in seconds since 1970.", [("", timestamp)])
        return lines.joined(separator: "\n") + "\n"
    }

    /// Label values escape backslash, double quote and newline.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            default: result.append(character)
            }
        }
        return result
    }
}
