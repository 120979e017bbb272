import Audit
import Gating
import JSONDocuments

/// The baseline file `fwaudit baseline create` writes and `Baseline.load` reads: today's findings
/// by fingerprint, with their kind and message for people reading the file.
public enum BaselineReport {
    public static func render(_ report: AuditReport) -> String {
        var seen = Set<String>()
        let findings = report.findings.filter { seen.insert($0.fingerprint).inserted }
        return JSONValue.object([
            ("baselineVersion", .int(Baseline.formatVersion)),
            ("fingerprintVersion", .int(Fingerprint.version)),
            ("tool", .string("fwaudit")),
            ("findings", .array(findings.map { finding in
                .object([("fingerprint", .string(finding.fingerprint)), ("kind", .string(finding.kind.rawValue)),
                         ("message", .string(finding.messageText))])
            })),
        ]).rendered() + "\n"
    }
}
