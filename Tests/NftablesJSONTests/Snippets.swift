import FirewallModel
@testable import NftablesJSON

/// Small `nft -j` documents built around a few rule statements, for specification-style tests.
enum Snippet {
    /// A document with one table, a base input chain `input`, a user chain `other`, `sets`
    /// (JSON objects' bodies, e.g. `{"set": {...}}`) and one rule per entry of `rules`
    /// (each the JSON text of the rule's `expr` array).
    static func document(family: String = "inet", sets: [String] = [], rules: [String]) -> String {
        var objects = [
            #"{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}"#,
            #"{"table": {"family": "\#(family)", "name": "t", "handle": 1}}"#,
            #"{"chain": {"family": "\#(family)", "table": "t", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}"#,
            #"{"chain": {"family": "\#(family)", "table": "t", "name": "other", "handle": 2}}"#,
        ]
        objects += sets.map { $0.replacingFamily(family) }
        for (index, expr) in rules.enumerated() {
            objects.append(#"{"rule": {"family": "\#(family)", "table": "t", "chain": "input", "handle": \#(10 + index), "expr": \#(expr)}}"#)
        }
        return #"{"nftables": ["# + objects.joined(separator: ",\n") + "]}"
    }

    /// Loads a document and returns the rules of chain `input`.
    static func rules(family: String = "inet", sets: [String] = [], _ rules: String...) throws -> [Rule] {
        try load(family: family, sets: sets, rules).tables[0].chain(named: "input")!.rules
    }

    static func load(family: String = "inet", sets: [String] = [], _ rules: [String]) throws -> Ruleset {
        try NftablesJSONLoader.load(document(family: family, sets: sets, rules: rules), source: "test.json")
    }

    /// The conditions of a rule, without the texts.
    static func conditions(_ rule: Rule) -> [Condition] { rule.matches.map(\.condition) }
}

extension String {
    /// Sets in snippets say `FAMILY`; the document's family replaces it.
    func replacingFamily(_ family: String) -> String {
        split(separator: "FAMILY", omittingEmptySubsequences: false).joined(separator: family)
    }
}

/// Payload and meta expressions as JSON text.
enum Expr {
    static func payload(_ proto: String, _ field: String) -> String { #"{"payload": {"protocol": "\#(proto)", "field": "\#(field)"}}"# }
    static func meta(_ key: String) -> String { #"{"meta": {"key": "\#(key)"}}"# }
    static func ct(_ key: String) -> String { #"{"ct": {"key": "\#(key)"}}"# }
    static func match(_ left: String, _ right: String, op: String = "==") -> String {
        #"{"match": {"op": "\#(op)", "left": \#(left), "right": \#(right)}}"#
    }
}
