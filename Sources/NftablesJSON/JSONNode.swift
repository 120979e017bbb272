import FirewallModel
import JSONDocuments

/// A JSON value with the path that reached it, so every complaint names where it is.
///
/// `context` is the nftables object being read (`table inet filter chain input handle 12`); it
/// is carried to the values inside so that errors name both the object and the JSON path.
struct JSONNode: Sendable {
    /// The last step of a path, written out only when the path is asked for.
    enum Step: Sendable {
        case member(String)
        case item(Int)
    }

    let value: JSONValue
    /// The path of the node this one was reached from (the whole path when `step` is nil).
    private let base: String
    private let step: Step?
    let source: String
    var context: String?

    init(_ value: JSONValue, path: String, source: String, context: String? = nil) {
        self.init(value, base: path, step: nil, source: source, context: context)
    }

    /// The node one `step` below the node at `base`.
    init(_ value: JSONValue, base: String, step: Step?, source: String, context: String?) {
        self.value = value
        self.base = base
        self.step = step
        self.source = source
        self.context = context
    }

    /// A JSONPath-like address from the document root: `nftables[5].rule.expr[2].match.right`.
    /// Written on demand: most nodes (a set's elements) are read without ever being named.
    var path: String {
        switch step {
        case nil: base
        case .member(let key): "\(base).\(key)"
        case .item(let index): "\(base)[\(index)]"
        }
    }

    /// The same node seen from inside an nftables object.
    func within(_ context: String) -> JSONNode { JSONNode(value, base: base, step: step, source: source, context: context) }

    /// Where this node is, for errors and diagnostics.
    var location: SourceLocation {
        SourceLocation(source: source, detail: context.map { "\($0) (\(path))" } ?? path)
    }

    func error(_ message: String) -> NftablesJSONError { NftablesJSONError(location: location, message: message) }

    // MARK: Members

    subscript(key: String) -> JSONNode? {
        guard let member = value[key] else { return nil }
        return JSONNode(member, base: path, step: .member(key), source: source, context: context)
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

    var items: JSONNodeItems? {
        guard case .array(let values) = value else { return nil }
        return JSONNodeItems(values, of: self)
    }

    func requireItems() throws(NftablesJSONError) -> JSONNodeItems {
        guard let items else { throw error("expected an array, found \(value.kindName)") }
        return items
    }

    /// An array, or a single value standing for a one-element array (older nft writes both).
    var itemsOrSingle: JSONNodeItems { items ?? [self] }

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

/// Nodes in order: an array's items, each made a node only when read, so that the million
/// elements of a set are walked without a million paths being written; or nodes already made.
struct JSONNodeItems: RandomAccessCollection, ExpressibleByArrayLiteral, Sendable {
    private enum Storage: Sendable {
        /// An array's values, with what each item's node shares: its parent's path, source and context.
        case items([JSONValue], parentPath: String, source: String, context: String?)
        case nodes([JSONNode])
    }

    private let storage: Storage

    /// The items of `array`, whose value is `values`.
    init(_ values: [JSONValue], of array: JSONNode) {
        storage = .items(values, parentPath: array.path, source: array.source, context: array.context)
    }

    init(_ nodes: [JSONNode]) { storage = .nodes(nodes) }

    init(arrayLiteral nodes: JSONNode...) { self.init(nodes) }

    var startIndex: Int { 0 }

    var endIndex: Int {
        switch storage {
        case .items(let values, _, _, _): values.count
        case .nodes(let nodes): nodes.count
        }
    }

    /// The value of the item at `index`, without making its node.
    func value(at index: Int) -> JSONValue {
        switch storage {
        case .items(let values, _, _, _): values[index]
        case .nodes(let nodes): nodes[index].value
        }
    }

    subscript(index: Int) -> JSONNode {
        switch storage {
        case .items(let values, let parentPath, let source, let context):
            JSONNode(values[index], base: parentPath, step: .item(index), source: source, context: context)
        case .nodes(let nodes):
            nodes[index]
        }
    }
}
