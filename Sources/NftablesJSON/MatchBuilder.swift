import FirewallModel
import NftablesSemantics

/// The shared condition builder for one rule of an export, with the diagnostics the rule's
/// statements raise and the opaque matches they make.
struct MatchBuilder {
    let conditions: ConditionBuilder
    private(set) var diagnostics: [Diagnostic] = []
    /// Where warnings about opaque matches point (the rule being read).
    var location: SourceLocation

    init(tableFamily: TableFamily, location: SourceLocation) {
        self.conditions = ConditionBuilder(tableFamily: tableFamily)
        self.location = location
    }

    /// The header checks nft inserts before reading `field`.
    func dependencies(of field: Field) -> [Match] { conditions.dependencies(of: field) }

    /// The one match for "`selector` takes one of `elements`" (negated: none of them); nil when a value cannot be modelled.
    func condition(_ selector: Selector, _ elements: [FieldValue], negated: Bool,
                   comparison: ConditionBuilder.Comparison = .equal, text: String) -> Match? {
        conditions.condition(selector.field, elements, negated: negated, comparison: comparison, mask: selector.mask, text: text)
    }

    /// An opaque match with its warning.
    mutating func opaque(_ name: String, reason: String, text: String) -> Match {
        diagnostics.append(Diagnostic(.warning, "'\(text)': \(reason); treated as unknown", at: location))
        return Match(.opaque(OpaqueMatch(module: name, reason: reason)), text: text)
    }

    mutating func warn(_ message: String) {
        diagnostics.append(Diagnostic(.warning, message, at: location))
    }

    mutating func note(_ message: String) {
        diagnostics.append(Diagnostic(.note, message, at: location))
    }
}
