import FirewallModel
import NftablesBytecode
import NftablesSemantics

/// `cmp` and `range`: comparisons of a register with constants become conditions on its field.
extension RuleDelinearizer {
    mutating func compare(_ state: inout RuleState, op: CompareOperator, source: Register, data: Bytes,
                          expression: Expression) throws(NftablesLoadingError) {
        var value = try read(source, state)
        if data.count < value.length {
            // A shorter compare tests the first bytes only: an interface-name prefix, an address prefix.
            if value.readsPrefixes {
                value.length = data.count
                value.mask = value.mask.map { Bytes(Array($0.bytes.prefix(data.count))) }
                value.xor = value.xor.map { Bytes(Array($0.bytes.prefix(data.count))) }
            } else {
                value = RegisterValue(field: .opaque("\(value.field.name) (first \(data.count) bytes)"), length: data.count)
            }
        } else if data.count > value.length, case .opaque = value.field, value.constant == nil {
            value.length = data.count
        } else if data.count > value.length {
            throw error("comparison of \(data.count) bytes with a \(value.length)-byte value")
        }
        if case .composite(let parts) = value.field, op == .eq || op == .neq, value.mask == nil, data.count == value.length {
            try compareMerged(&state, parts: parts, data: data, negated: op == .neq, expression: expression)
            return
        }
        let raw = value.integer(data)
        let values: IntervalSet<UInt128>
        switch op {
        case .eq, .neq: values = IntervalSet(value: raw)
        case .lt: values = raw == 0 ? IntervalSet() : IntervalSet(0...(raw - 1))
        case .lte: values = IntervalSet(0...raw)
        case .gt: values = raw == value.maximum ? IntervalSet() : IntervalSet((raw + 1)...value.maximum)
        case .gte: values = IntervalSet(raw...value.maximum)
        }
        constrain(&state, value, values, negated: op == .neq, expression: expression)
    }

    /// A compare of a merged load: each field equals its slice of the data (or, for `neq`, not all of them do).
    private mutating func compareMerged(_ state: inout RuleState, parts: [Field.Part], data: Bytes, negated: Bool,
                                        expression: Expression) throws(NftablesLoadingError) {
        var offset = 0
        var pieces: [(RegisterValue, IntervalSet<UInt128>)] = []
        for part in parts {
            let value = RegisterValue(field: part.field, length: part.length)
            pieces.append((value, IntervalSet(value: value.integer(Bytes(Array(data.bytes[offset..<(offset + part.length)]))))))
            offset += part.length
        }
        if !negated {
            for (value, values) in pieces { constrain(&state, value, values, negated: false, expression: expression) }
            return
        }
        var conjunction: [Match] = []
        for (value, values) in pieces {
            let condition = builder.condition(value, in: values)
            let text = "\(ValueText.subject(value)) \(ValueText.render(value, values, condition: condition))"
            conjunction.append(Match(condition ?? .opaque(OpaqueMatch(module: value.field.name, reason: "merged field is not modelled")), text: text))
        }
        if conjunction.contains(where: \.isOpaque) { warn("part of '\(conjunction.map(\.text).joined(separator: " "))' is not modelled; treated as unknown: \(expression)") }
        state.append(Match(.oneOf([conjunction]), negated: true, text: "!= (" + conjunction.map(\.text).joined(separator: " ") + ")"))
    }

    /// Adds "the value lies in `values`" (or not), merging with a preceding positive test of the same value.
    mutating func constrain(_ state: inout RuleState, _ value: RegisterValue, _ values: IntervalSet<UInt128>, negated: Bool,
                            expression: Expression, rendered: String? = nil) {
        var values = values
        if !negated, let last = state.matches.indices.last, let previous = state.matches[last].compared, previous.value == value,
           !state.matches[last].match.negated, case .match(last)? = state.pieces.last {
            values = previous.values.intersection(values)
            state.matches.removeLast()
            state.pieces.removeLast()
        }
        var condition = builder.condition(value, in: values)
        let requested = negated
        var negated = negated
        if case .connectionState(let states)? = condition, negated {
            // A connection has exactly one state, so a negated state test is the other states.
            condition = .connectionState(ConnectionStates.all.subtracting(states))
            negated = false
        }
        let subject = ValueText.subject(value)
        let shown = rendered ?? ValueText.render(value, values, condition: condition)
        // A set's name keeps the rule's own negation in the text; rendered states already include it.
        let text = "\(subject) \((rendered != nil ? requested : negated) ? "!= " : "")\(shown)"
        guard let condition else {
            if case .numgen = value.field {
                appendChoice(&state, field: value.field, text: text, negated: negated)
                return
            }
            appendOpaque(&state, module: value.field.name, text: text, negated: negated, expression: expression)
            return
        }
        state.append(Match(condition, negated: negated, text: text), compared: negated ? nil : (value, values))
        // A positive test of one protocol or family is context for the loads that follow.
        if !negated, values.ranges.count == 1, values.ranges[0].lowerBound == values.ranges[0].upperBound, value.mask == nil {
            let single = values.ranges[0].lowerBound
            switch (value.field, condition) {
            case (.layer4Protocol, _):
                state.context.layer4 = UInt8(truncatingIfNeeded: single)
                state.context.layer4Match = state.matches.count - 1
            case (.netfilterFamily, .addressFamily(let family)), (.ethertype, .addressFamily(let family)):
                state.context.family = family
                state.context.familyMatch = state.matches.count - 1
            default:
                break
            }
        }
    }

    /// An opaque match with a warning naming the expression in the bytecode notation.
    /// A test on a number `numgen` picks per connection: every answer happens, so the analysis
    /// follows each as a per-connection choice rather than a doubt.
    mutating func appendChoice(_ state: inout RuleState, field: Field, text: String, negated: Bool = false) {
        let choice = OpaqueMatch(module: "numgen", reason: "\(field.name) picks per connection: each answer is followed", isChoice: true)
        state.append(Match(.opaque(choice), negated: negated, text: text))
    }

    mutating func appendOpaque(_ state: inout RuleState, module: String, text: String, negated: Bool = false, expression: Expression) {
        let reason = "\(expression.name) on \(module) is not modelled"
        state.append(Match(.opaque(OpaqueMatch(module: module, reason: reason)), negated: negated, text: text))
        warn("'\(text)' is not modelled; treated as unknown: \(expression)")
    }
}

extension RegisterValue {
    /// Whether a shorter compare tests the first bytes of the value (an interface-name or address
    /// prefix, or bytes of an unknown field); constants are compared whole.
    var readsPrefixes: Bool {
        switch field {
        case .interfaceName, .address: true
        case .opaque: constant == nil
        default: false
        }
    }
}
