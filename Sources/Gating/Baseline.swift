import Audit
import FirewallModel
import JSONDocuments
import Reporting
import YAMLDocuments
import Yams

/// Findings accepted as they are today, so that a gate fails only on what is new.
///
/// Stored as JSON: `{"baselineVersion": 1, "findings": [{"fingerprint": "…", "kind": "missing", "message": "…"}]}`.
public struct Baseline: Sendable, Hashable {
    public var findings: [FixedFinding]

    public init(findings: [FixedFinding]) { self.findings = findings }

    /// Today's findings of a report.
    public init(_ report: AuditReport) {
        var seen = Set<String>()
        findings = report.findings.compactMap { finding in
            guard seen.insert(finding.fingerprint).inserted else { return nil }
            return FixedFinding(fingerprint: finding.fingerprint, kind: finding.kind, message: finding.message)
        }
    }

    public func render() -> String {
        JSONValue.object([
            ("baselineVersion", .int(1)),
            ("tool", .string("fwaudit")),
            ("findings", .array(findings.map { finding in
                .object([("fingerprint", .string(finding.fingerprint)), ("kind", .string(finding.kind.rawValue)),
                         ("message", .string(finding.message))])
            })),
        ]).rendered() + "\n"
    }

    public static func load(_ text: String, source: String) throws(DocumentError) -> Baseline {
        let root = try YAMLDocument.compose(text, source: source, emptyMessage: "empty baseline file")
        return try BaselineReader(source: source).baseline(root)
    }
}

struct BaselineReader: DocumentReader {
    let source: String

    func baseline(_ root: Node) throws(DocumentError) -> Baseline {
        let fields = try self.fields(root, path: "", allowed: ["baselineVersion", "tool", "findings"])
        let version = try fields.required("baselineVersion")
        guard version.int == 1 else { throw error(at: version, "baselineVersion", "unsupported version, expected 1") }
        var findings: [FixedFinding] = []
        if let list = fields.optional("findings") {
            for (index, item) in try self.list(list, "findings", of: "findings").enumerated() {
                let path = "findings[\(index)]"
                let entry = try self.fields(item, path: path, allowed: ["fingerprint", "kind", "message"])
                let kindNode = try entry.required("kind")
                let kindText = try string(kindNode, child(path, "kind"))
                guard let kind = FindingKind(rawValue: kindText) else { throw error(at: kindNode, child(path, "kind"), "unknown kind '\(kindText)'") }
                findings.append(FixedFinding(
                    fingerprint: try nonEmptyString(try entry.required("fingerprint"), child(path, "fingerprint")),
                    kind: kind,
                    message: try entry.optional("message").map { node throws(DocumentError) in try string(node, child(path, "message")) } ?? ""))
            }
        }
        return Baseline(findings: findings)
    }
}
