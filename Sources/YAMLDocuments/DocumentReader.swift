import FirewallModel
import Yams

/// Typed, positioned access to a composed YAML document: every error names the line and column
/// of the offending node and the key path that leads to it.
///
/// Readers of our YAML formats (the port matrix, waivers) adopt this protocol and walk the
/// `Node` tree instead of decoding with `Codable`, which loses positions.
public protocol DocumentReader {
    /// The input's name as the user gave it, used in locations.
    var source: String { get }
}

/// A mapping's entries by key, after rejecting keys not in the allowed list.
public struct DocumentFields {
    public let node: Node
    public let path: String
    public let entries: [String: Node]
    let source: String

    public func optional(_ key: String) -> Node? { entries[key] }

    public func required(_ key: String) throws(DocumentError) -> Node {
        guard let value = entries[key] else {
            throw DocumentError(location: SourceLocation(source: source, line: node.mark?.line, column: node.mark?.column),
                                keyPath: path.isEmpty ? key : "\(path).\(key)", message: "required")
        }
        return value
    }
}

extension DocumentReader {


    public func fields(_ node: Node, path: String, allowed: [String]) throws(DocumentError) -> DocumentFields {
        guard case .mapping(let mapping) = node else {
            throw error(at: node, path, "expected a mapping, found \(kind(node))")
        }
        var entries: [String: Node] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else { throw error(at: key, path, "expected a key, found \(kind(key))") }
            let name = scalar.string
            guard allowed.contains(name) else {
                let hint = Suggestion.closest(to: name, in: allowed).map { ", did you mean '\($0)'?" } ?? ""
                throw error(at: key, child(path, name), "unknown key '\(name)'\(hint)")
            }
            entries[name] = value
        }
        return DocumentFields(node: node, path: path, entries: entries, source: source)
    }

    public func string(_ node: Node, _ path: String) throws(DocumentError) -> String {
        guard case .scalar(let scalar) = node, node.tagName != .null else {
            throw error(at: node, path, "expected a string, found \(kind(node))")
        }
        return scalar.string
    }

    public func nonEmptyString(_ node: Node, _ path: String) throws(DocumentError) -> String {
        let text = try string(node, path)
        if text.isEmpty { throw error(at: node, path, "must not be empty") }
        return text
    }

    public func bool(_ node: Node, _ path: String) throws(DocumentError) -> Bool {
        guard node.tagName == .bool, let value = node.bool else {
            throw error(at: node, path, "expected true or false, found \(kind(node))")
        }
        return value
    }

    /// The items of a list; a single scalar counts as a list of one.
    public func list(_ node: Node, _ path: String, of what: String) throws(DocumentError) -> [Node] {
        switch node {
        case .sequence(let sequence): return Array(sequence)
        case .scalar where node.tagName != .null: return [node]
        default: throw error(at: node, path, "expected a list of \(what), found \(kind(node))")
        }
    }

    public func kind(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            switch node.tagName {
            case .null: return "null"
            case .bool: return "a boolean '\(scalar.string)'"
            case .int, .float: return "a number '\(scalar.string)'"
            default: return "a string '\(scalar.string)'"
            }
        }
    }

    public func child(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func location(_ node: Node) -> SourceLocation {
        SourceLocation(source: source, line: node.mark?.line, column: node.mark?.column)
    }

    public func error(at node: Node, _ path: String, _ message: String) -> DocumentError {
        DocumentError(location: location(node), keyPath: path, message: message)
    }
}

/// Parsing a whole document into the node tree the readers walk.
public enum YAMLDocument {
    /// The composed root of `text`. A leading byte order mark is dropped (libyaml rejects it in a
    /// decoded string; editors do not count it); syntax errors and an empty document are located errors.
    public static func compose(_ text: String, source: String, emptyMessage: String) throws(DocumentError) -> Node {
        var text = text
        if text.unicodeScalars.first == "\u{FEFF}" { text = String(text.unicodeScalars.dropFirst()) }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw YAMLSyntax.error(error, text: text, source: source)
        }
        guard let root else {
            throw DocumentError(location: SourceLocation(source: source, line: 1, column: 1), keyPath: "", message: emptyMessage)
        }
        return root
    }
}
