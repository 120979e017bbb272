import FirewallModel
import PortMatrix
import YAMLDocuments
import Yams

/// What the user knows and the page does not: the addresses, interfaces and locality of each
/// role, read from a zones file (`--zones`):
///
/// ```yaml
/// zones:
///   access-edge:
///     roles: ["Edge Server Access interface", "Interfaccia di server perimetrale Access"]
///     local: true
///     addresses: [198.51.100.10, "2001:db8:e::10"]
///     interfaces: [eth0]
/// ```
///
/// A zone binds the roles it lists, and the role whose slug is its id.
public struct ZoneBindings: Sendable, Hashable {
    public struct Binding: Sendable, Hashable {
        public var id: String
        public var roles: [String]
        public var isLocal: Bool
        public var addresses: [String]
        public var interfaces: [String]
        public var line: Int?
    }

    public var bindings: [Binding]
    public var source: String

    public init(bindings: [Binding] = [], source: String = "") {
        self.bindings = bindings
        self.source = source
    }

    /// The binding for a role: by listed role text (spacing, case and accents ignored) or by slug.
    public func binding(for role: String) -> Binding? {
        let slug = RoleName.slug(role)
        return bindings.first { binding in binding.roles.contains { RoleName.slug($0) == slug } }
            ?? bindings.first { $0.id == slug }
    }

    public static func load(_ text: String, source: String) throws(DocumentError) -> ZoneBindings {
        let root = try YAMLDocument.compose(text, source: source, emptyMessage: "empty zones file, expected a mapping with 'zones'")
        return try BindingsReader(source: source).read(root)
    }
}

struct BindingsReader: DocumentReader {
    let source: String

    func read(_ root: Node) throws(DocumentError) -> ZoneBindings {
        let fields = try self.fields(root, path: "", allowed: ["zones"])
        let zonesNode = try fields.required("zones")
        guard case .mapping(let mapping) = zonesNode else {
            throw error(at: zonesNode, "zones", "expected a mapping of zone ids to bindings, found \(kind(zonesNode))")
        }
        var bindings: [ZoneBindings.Binding] = []
        for (key, value) in mapping {
            let id = try string(key, "zones")
            let path = "zones.\(id)"
            let zone = try self.fields(value, path: path, allowed: ["roles", "local", "addresses", "interfaces"])
            let roles = try zone.optional("roles").map { (node) throws(DocumentError) in try strings(node, "\(path).roles", of: "role names") } ?? []
            let isLocal = try zone.optional("local").map { (node) throws(DocumentError) in try bool(node, "\(path).local") } ?? false
            let addressNode = try zone.required("addresses")
            let addresses = try strings(addressNode, "\(path).addresses", of: "addresses")
            let interfaces = try zone.optional("interfaces").map { (node) throws(DocumentError) in try strings(node, "\(path).interfaces", of: "interface names") } ?? []
            // The matrix loader is the judge of ids, addresses and interfaces: try the zone on its own.
            let probe = MatrixEmitter.zoneProbe(id: id, isLocal: isLocal, addresses: addresses, interfaces: interfaces)
            do {
                _ = try PortMatrixLoader.load(probe, source: source)
            } catch {
                let detail = error.keyPath.replacingOccurrences(of: "zones.\(id)", with: path)
                throw DocumentError(location: location(key), keyPath: detail.isEmpty ? path : detail, message: error.message)
            }
            bindings.append(.init(id: id, roles: roles, isLocal: isLocal, addresses: addresses, interfaces: interfaces, line: key.mark?.line))
        }
        return ZoneBindings(bindings: bindings, source: source)
    }

    func strings(_ node: Node, _ path: String, of what: String) throws(DocumentError) -> [String] {
        var result: [String] = []
        for (index, item) in try list(node, path, of: what).enumerated() {
            result.append(try string(item, node.sequence == nil ? path : "\(path)[\(index)]"))
        }
        return result
    }
}

import Foundation
