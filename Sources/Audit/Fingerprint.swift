import FirewallModel
import FlowAnalysis

/// Stable identities for findings, from a canonical, versioned encoding of what a finding is:
/// kind, flow, family, path, the deciding rule's identity, protocols, ports, zones, interfaces and,
/// for extra traffic, the accepted addresses. Never from lines, handles or printed text, so that
/// waivers and baselines survive edits elsewhere in a ruleset and changes to how reports print.
public enum Fingerprint {
    /// Changes whenever the encoding below changes; reports carry it as `fingerprintVersion`.
    public static let version = 2

    /// The fingerprint of a finding: 16 hexadecimal digits.
    static func of(_ finding: Finding) -> String { hash(identity(of: finding)) }

    /// The canonical identity text that is hashed: one `name=value` field per line.
    static func identity(of finding: Finding) -> String {
        let space = finding.space
        var fields: [(String, String)] = [
            ("fingerprint", String(version)),
            ("kind", finding.kind.rawValue),
            ("flow", finding.flowID.map(CanonicalForm.quoted) ?? "-"),
            ("family", finding.family.rawValue),
            ("path", finding.path.rawValue),
            ("rule", finding.rule.identity),
            ("from", finding.from.map(CanonicalForm.quoted) ?? "-"),
            ("to", finding.to.map(CanonicalForm.quoted) ?? "-"),
            ("in", canonical(space.inInterfaces)),
            ("out", canonical(space.outInterfaces)),
        ]
        switch finding.message {
        case .flowDropped, .mirrored:
            if let flow = finding.flow {
                fields.append(("protocol", flow.protocol.rawValue))
                fields.append(("ports", flow.ports?.canonicalForm ?? "-"))
                fields.append(("source-ports", flow.sourcePorts?.canonicalForm ?? "-"))
            }
            if let mirror = finding.mirror { fields.append(("mirror", mirror.rawValue)) }
        case .undocumentedTraffic:
            fields.append(("protocols", space.protocols.canonicalForm))
            fields.append(("ports", space.destinationPorts?.canonicalForm ?? "-"))
            fields.append(("sources", space.sources.canonicalForm))
            fields.append(("destinations", space.destinations.canonicalForm))
        }
        return fields.map { "\($0.0)=\($0.1)" }.joined(separator: "\n")
    }

    static func canonical(_ scope: InterfaceScope) -> String {
        switch scope {
        case .none: "none"
        case .any: "any"
        case .only(let names): names.map(CanonicalForm.quoted).joined(separator: ",")
        }
    }

    /// FNV-1a, 64 bits, as 16 hexadecimal digits: stable across runs, machines and Swift versions.
    static func hash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
