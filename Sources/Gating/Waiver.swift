import Audit
import FirewallModel
import YAMLDocuments
import Yams

/// An accepted finding: named by fingerprint or by a pattern, with who accepted it, why, and until when.
public struct Waiver: Sendable, Hashable {
    public var fingerprint: String?
    public var kind: FindingKind?
    public var flow: String?
    public var `protocol`: String?
    public var ports: String?
    public var reason: String
    public var owner: String
    public var expires: CalendarDay
    public var location: SourceLocation

    /// Whether the waiver names this finding: every field it gives must agree.
    public func matches(_ finding: Finding) -> Bool {
        if let fingerprint, fingerprint.lowercased() != finding.fingerprint { return false }
        if let kind, kind != finding.kind { return false }
        if let flow, flow != finding.flowID { return false }
        if let proto = self.protocol, proto != finding.protocolText { return false }
        if let ports, ports != finding.portsText { return false }
        return true
    }
}

/// Reads a waivers file (YAML, format version 1):
///
/// ```yaml
/// version: 1
/// fingerprintVersion: 2                  # the fingerprints below are of this version
/// waivers:
///   - fingerprint: 8d1fa72f6ace764d      # or a pattern: kind, flow, protocol, ports
///     reason: partner range change pending (CHG-1234)
///     owner: netops@example.com
///     expires: 2026-12-31
/// ```
public enum WaiverLoader {
    public static let formatVersion = 1

    public static func load(_ text: String, source: String) throws(DocumentError) -> [Waiver] {
        let root = try YAMLDocument.compose(text, source: source, emptyMessage: "empty waivers file, expected a mapping starting with 'version: 1'")
        return try WaiverReader(source: source).waivers(root)
    }
}

struct WaiverReader: DocumentReader {
    let source: String

    func waivers(_ root: Node) throws(DocumentError) -> [Waiver] {
        let fields = try self.fields(root, path: "", allowed: ["version", "fingerprintVersion", "waivers"])
        let versionNode = try fields.required("version")
        guard versionNode.tagName == .int, versionNode.int == WaiverLoader.formatVersion else {
            throw error(at: versionNode, "version", "unsupported version, expected 1")
        }
        // Files written before fingerprints were versioned hold version-1 fingerprints.
        var fingerprintVersion = 1
        if let node = fields.optional("fingerprintVersion") {
            guard node.tagName == .int, let version = node.int, (1...Fingerprint.version).contains(version) else {
                throw error(at: node, "fingerprintVersion", "unsupported fingerprint version, expected \(Fingerprint.version)")
            }
            fingerprintVersion = version
        }
        guard let listNode = fields.optional("waivers") else { return [] }
        var result: [Waiver] = []
        for (index, item) in try list(listNode, "waivers", of: "waivers").enumerated() {
            let waiver = try waiver(item, path: "waivers[\(index)]")
            if waiver.fingerprint != nil && fingerprintVersion != Fingerprint.version {
                throw error(at: item, "waivers[\(index)].fingerprint",
                            "a version-\(fingerprintVersion) fingerprint, which this fwaudit no longer computes: replace it with the finding's fingerprint from a current report (fingerprintVersion \(Fingerprint.version)) and add 'fingerprintVersion: \(Fingerprint.version)' to the file")
            }
            result.append(waiver)
        }
        return result
    }

    func waiver(_ node: Node, path: String) throws(DocumentError) -> Waiver {
        let fields = try self.fields(node, path: path, allowed: ["fingerprint", "kind", "flow", "protocol", "ports", "reason", "owner", "expires"])
        func text(_ key: String) throws(DocumentError) -> String? {
            guard let value = fields.optional(key) else { return nil }
            return try nonEmptyString(value, child(path, key))
        }
        let fingerprint = try text("fingerprint")
        if let fingerprint, fingerprint.count != 16 || !fingerprint.allSatisfy(\.isHexDigit) {
            throw error(at: fields.optional("fingerprint")!, child(path, "fingerprint"), "a fingerprint is 16 hexadecimal digits")
        }
        var kind: FindingKind?
        if let kindText = try text("kind") {
            guard let parsed = FindingKind(rawValue: kindText) else {
                throw error(at: fields.optional("kind")!, child(path, "kind"), "unknown kind '\(kindText)' (expected missing, extra or wrong-direction)")
            }
            kind = parsed
        }
        let flow = try text("flow"), proto = try text("protocol"), ports = try text("ports")
        if fingerprint == nil && kind == nil && flow == nil {
            throw error(at: node, path, "name a fingerprint, or a kind or flow to match")
        }
        let reason = try nonEmptyString(try fields.required("reason"), child(path, "reason"))
        let owner = try nonEmptyString(try fields.required("owner"), child(path, "owner"))
        let expiresNode = try fields.required("expires")
        let expiresText = try string(expiresNode, child(path, "expires"))
        guard let expires = CalendarDay(expiresText) else {
            throw error(at: expiresNode, child(path, "expires"), "expected a date YYYY-MM-DD, found '\(expiresText)'")
        }
        return Waiver(fingerprint: fingerprint?.lowercased(), kind: kind, flow: flow, protocol: proto, ports: ports,
                      reason: reason, owner: owner, expires: expires, location: location(node))
    }
}
