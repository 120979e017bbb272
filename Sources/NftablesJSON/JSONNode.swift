import FirewallModel
import JSONDocuments

/// A JSON value with the path that reached it, so every complaint names where it is.
///
/// `context` is the nftables object being read (`table inet filter chain input handle 12`); it
/// is carried to the values inside so that errors name both the object and the JSON path.
struct JSONNode: Sendable {
    let value: JSONValue
    /// A JSONPath-like address from the document root: `nftables[5].rule.expr[2].match.right`.
    let path: String
    let source: String
    var context: String?

    init(_ value: JSONValue, path: String, source: String, context: String? = nil) {
        self.value = value
        self.path = path
        self.source = source
        self.context = context
    }

    /// The same node seen from inside an nftables object.
    func within(_ context: String) -> JSONNode { JSONNode(value, path: path, source: source, context: context) }

    /// Where this node is, for errors and diagnostics.
    var location: SourceLocation {
        SourceLocation(source: source, detail: context.map { "\($0) (\(path))" } ?? path)
    }

    func error(_ message: String) -> NftablesJSONError { NftablesJSONError(location: location, message: message) }

    // MARK: Members

    subscript(key: String) -> JSONNode? {
        guard let member = value[key] else { return nil }
        return JSONNode(member, path: "\(path).\(key)", source: source, context: context)
    }

    /// A member that must be present.
    func member(_ key: String) throws(NftablesJSONError) -> JSONNode {
        guard case .object = value else { throw error("expected an object, found \(value.kindName)") }
        guard let member = self[key] else { throw error("missing member '\(key)'") }
        return member
    }

    /// For `{"name": body}` objects, the one key and its body; nil for other shapes.
    var tagged: (key: String, body: JSONNode)? {
        guard case .object(let members) = value, members.count == 1, let (key, _) = members.first else { return nil }
        return (key, self[key]!)
    }

    var isNull: Bool { value == .null }

    // MARK: Scalars

    var string: String? { if case .string(let text) = value { text } else { nil } }

    func requireString() throws(NftablesJSONError) -> String {
        guard let string else { throw error("expected a string, found \(value.kindName)") }
        return string
    }

    /// An unsigned integer written as a JSON number, or as a decimal or `0x` hex string.
    var unsigned: UInt64? {
        switch value {
        case .number(let text): return UInt64(text)
        case .string(let text):
            if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt64(text.dropFirst(2), radix: 16) }
            return UInt64(text)
        default: return nil
        }
    }

    /// A signed integer written as a JSON number (chain priorities may be negative).
    var integer: Int? {
        switch value {
        case .number(let text): return Int(text)
        case .string(let text): return Int(text)
        default: return nil
        }
    }

    // MARK: Arrays

    var items: [JSONNode]? {
        guard case .array(let values) = value else { return nil }
        return values.indices.map { JSONNode(values[$0], path: "\(path)[\($0)]", source: source, context: context) }
    }

    func requireItems() throws(NftablesJSONError) -> [JSONNode] {
        guard let items else { throw error("expected an array, found \(value.kindName)") }
        return items
    }

    /// An array, or a single value standing for a one-element array (older nft writes both).
    var itemsOrSingle: [JSONNode] { items ?? [self] }

    /// Compact JSON text of the value, for messages about constructs that are not modelled.
    var compactText: String { JSONNode.render(value) }

    static func render(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return "\"" + text.map { $0 == "\"" ? "\\\"" : String($0) }.joined() + "\""
        case .array(let values): return "[" + values.map(render).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.sorted { $0.0 < $1.0 }.map { "\"\($0.0)\":" + render($0.1) }.joined(separator: ",") + "}"
        }
    }
}
