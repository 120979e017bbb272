import Audit
import FirewallModel
import YAMLDocuments
import Yams

/// Findings accepted as they are today, so that a gate fails only on what is new.
///
/// Stored as JSON (written by `BaselineReport`): `{"baselineVersion": 2, "fingerprintVersion": 2,
/// "findings": [{"fingerprint": "…", "kind": "missing", "message": "…"}]}`.
public struct Baseline: Sendable, Hashable {
    public var findings: [FixedFinding]

    public init(findings: [FixedFinding]) { self.findings = findings }

    /// The format version `BaselineReport` writes and `load` reads.
    public static let formatVersion = 2

    public static func load(_ text: String, source: String) throws(DocumentError) -> Baseline {
        let root = try YAMLDocument.compose(text, source: source, emptyMessage: "empty baseline file")
        return try BaselineReader(source: source).baseline(root)
    }
}

struct BaselineReader: DocumentReader {
    let source: String

    func baseline(_ root: Node) throws(DocumentError) -> Baseline {
        let fields = try self.fields(root, path: "", allowed: ["baselineVersion", "fingerprintVersion", "tool", "findings"])
        let version = try fields.required("baselineVersion")
        if version.int == 1 {
            throw error(at: version, "baselineVersion", "a version-1 baseline holds version-1 fingerprints, which this fwaudit no longer computes: re-create it with 'fwaudit baseline create'")
        }
        guard version.int == Baseline.formatVersion else { throw error(at: version, "baselineVersion", "unsupported version, expected \(Baseline.formatVersion)") }
        let fingerprintVersion = try fields.required("fingerprintVersion")
        guard fingerprintVersion.int == Fingerprint.version else {
            throw error(at: fingerprintVersion, "fingerprintVersion", "unsupported fingerprint version, expected \(Fingerprint.version): re-create the baseline with 'fwaudit baseline create'")
        }
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
