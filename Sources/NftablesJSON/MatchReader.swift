import FirewallModel
import NftablesSemantics

/// Reads `match` expressions (`{"op", "left", "right"}`) into model matches, resolving set references.
struct MatchReader {
    var builder: MatchBuilder
    let selectors: SelectorReader
    let sets: [String: NamedSet]

    /// The right-hand side as a list of elements, and whether it was a set (lookup) rather than a value.
    private func elements(_ right: JSONNode) throws(NftablesJSONError) -> (elements: JSONNodeItems, isSet: Bool, dynamic: String?) {
        if let text = right.string, text.hasPrefix("@") {
            let name = String(text.dropFirst())
            guard let set = sets[name] else { throw right.error("unknown set '\(name)'") }
            return (set.keys, true, set.isDynamic ? name : nil)
        }
        if let (key, body) = right.tagged, key == "set" {
            return (body.itemsOrSingle, true, nil)
        }
        return ([right], false, nil)
    }

    /// The matches for one `match` expression: its dependencies, then the condition.
    mutating func read(_ body: JSONNode) throws(NftablesJSONError) -> [Match] {
        let op = body["op"]?.string ?? "in"
        let left = try selectors.read(try body.member("left"))
        let right = try body.member("right")
        let (items, isSet, dynamic) = try elements(right)
        let text = left.text + (op == "==" || op == "in" ? " " : " \(op) ") + ExpressionText.render(right)
        switch left {
        case .single(let selector):
            let dependencies = builder.dependencies(of: selector.field)
            if case .opaque(let name) = selector.field {
                return dependencies + [builder.opaque(name, reason: selector.unmodelledReason ?? "", text: text)]
            }
            if let dynamic {
                return dependencies + [builder.opaque("@" + dynamic, reason: "set '\(dynamic)' changes at run time", text: text)]
            }
            guard let condition = condition(selector, items: items, op: op, isSet: isSet, text: text) else {
                return dependencies + [builder.opaque(selector.text, reason: "value '\(ExpressionText.render(right))' is not modelled", text: text)]
            }
            noteTransportHeader([selector], text: text)
            return dependencies + [condition]
        case .concatenation(let parts):
            var dependencies: [Match] = []
            for part in parts {
                for dependency in builder.dependencies(of: part.field) where !dependencies.contains(dependency) { dependencies.append(dependency) }
            }
            if let dynamic {
                return dependencies + [builder.opaque("@" + dynamic, reason: "set '\(dynamic)' changes at run time", text: text)]
            }
            guard op == "==" || op == "!=" || op == "in" else {
                return dependencies + [builder.opaque(left.text, reason: "operator '\(op)' on a concatenation is not modelled", text: text)]
            }
            for part in parts {
                if case .opaque = part.field { builder.warn("'\(text)': component '\(part.text)': \(part.unmodelledReason ?? ""); treated as unknown") }
            }
            noteTransportHeader(parts, text: text)
            var conjunctions: [[Match]] = []
            for item in items {
                guard let conjunction = concatenated(parts, item, text: text) else {
                    return dependencies + [builder.opaque(left.text, reason: "element '\(ExpressionText.render(item))' is not modelled", text: text)]
                }
                conjunctions.append(conjunction)
            }
            return dependencies + [Match(.oneOf(conjunctions), negated: op == "!=", text: text)]
        }
    }

    /// `th` ports are exact for tcp, udp, sctp and udplite; for other protocols the bytes are unknown.
    mutating func noteTransportHeader(_ parts: [Selector], text: String) {
        guard parts.contains(where: { if case .port(_, nil) = $0.field { true } else { false } }) else { return }
        builder.note("'\(text)': th ports are exact for tcp, udp, sctp and udplite; for other protocols the same bytes are unknown")
    }

    /// The condition for a single selector, or nil when the values cannot be modelled.
    func condition(_ selector: Selector, items: JSONNodeItems, op: String, isSet: Bool, text: String) -> Match? {
        var values: [FieldValue] = []
        if case .address(_, let family) = selector.field, op == "==" || op == "in" || op == "!=" {
            guard let value = MatchReader.addresses(items, family: family) else { return nil }
            values = [value]
        } else {
            for item in items {
                guard let value = ElementReader.read(item, for: selector.field) else { return nil }
                values.append(value)
            }
        }
        switch op {
        case "==", "in":
            let comparison: ConditionBuilder.Comparison = op == "in" && !isSet ? .bitTest : .equal
            return builder.condition(selector, values, negated: false, comparison: comparison, text: text)
        case "!=":
            return builder.condition(selector, values, negated: true, text: text)
        case "<", ">", "<=", ">=", "lt", "gt", "le", "ge":
            guard !isSet, values.count == 1, case .numbers(let set) = values[0], let domain = selector.field.numericDomain,
                  set.ranges.count == 1, set.ranges[0].lowerBound == set.ranges[0].upperBound else { return nil }
            let value = set.ranges[0].lowerBound
            let range: ClosedRange<UInt128>?
            switch op {
            case "<", "lt": range = value == domain.lowerBound ? nil : domain.lowerBound...(value - 1)
            case ">", "gt": range = value >= domain.upperBound ? nil : (value + 1)...domain.upperBound
            case "<=", "le": range = domain.lowerBound...min(value, domain.upperBound)
            default: range = value > domain.upperBound ? nil : value...domain.upperBound
            }
            return builder.condition(selector, [.numbers(range.map { IntervalSet($0) } ?? IntervalSet())], negated: false, text: text)
        default:
            return nil
        }
    }

    /// Address elements as one value: the condition unites its values anyway, so a blocklist of a
    /// million addresses is handed on as one set of ranges, sorted once, instead of a million
    /// values. `*` among them is every address; nil when an element is not an address of `family`.
    static func addresses(_ items: JSONNodeItems, family: AddressFamily) -> FieldValue? {
        var ranges: [ClosedRange<UInt128>] = []
        ranges.reserveCapacity(items.count)
        var anything = false
        for index in items.indices {
            // Most elements are plain strings: read without making their nodes.
            let element = if case .string(let text) = items.value(at: index) {
                ElementReader.address(text, family: family)
            } else {
                ElementReader.address(items[index], family: family)
            }
            switch element {
            case nil: return nil
            case .anything: anything = true
            case .range(let range): ranges.append(range)
            case .addresses(let set): ranges += set.ranges
            }
        }
        return anything ? .anything : .numbers(AddressSet(ranges: ranges))
    }

    /// One element of a concatenated set as a conjunction of component conditions.
    func concatenated(_ parts: [Selector], _ raw: JSONNode, text: String) -> [Match]? {
        let item = ElementReader.unwrap(raw)
        if item.string == "*" { return [] }
        guard let (key, body) = item.tagged, key == "concat", let components = body.items, components.count == parts.count else { return nil }
        var conjunction: [Match] = []
        for (part, component) in zip(parts, components) {
            if case .opaque(let name) = part.field {
                conjunction.append(Match(.opaque(OpaqueMatch(module: name, reason: part.unmodelledReason ?? "")), text: part.text))
                continue
            }
            guard let value = ElementReader.read(component, for: part.field),
                  let match = builder.condition(part, [value], negated: false, text: "\(part.text) \(ExpressionText.render(component))") else { return nil }
            conjunction.append(match)
        }
        return conjunction
    }
}
