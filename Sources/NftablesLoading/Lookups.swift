import FirewallModel
import NftablesBytecode
import NftablesSemantics

/// `lookup`: set membership, verdict maps and data maps, over one field or a concatenation.
extension RuleDelinearizer {
    mutating func lookup(_ initial: RuleState, source: Register, destination: Register?, name: String, inverted: Bool,
                         expression: Expression, next: Int) throws(NftablesLoadingError) -> [RuleState] {
        var state = initial
        guard let set = sets[name] else { throw error("lookup in missing set '\(name)'") }
        let fields = try keyFields(set, source: source, state)
        let subject = fields.map { ValueText.subject($0) }.joined(separator: " . ")
        let reference = set.isAnonymous ? nil : "@\(name)"
        if dynamicSets.contains(name) || set.flags & 0x10 != 0 || fields.contains(where: { $0.field == .opaque(Field.unknownResult) }) {
            // Elements come and go at run time (the snapshot's contents say nothing about later packets), or the key is unknown.
            let text = "\(subject) \(inverted ? "!= " : "")@\(name)"
            appendOpaque(&state, module: "set", text: text, negated: inverted, expression: expression)
            if destination == .verdict {
                state.verdict = .opaqueVerdict("vmap @\(name)")
                warn("verdict map '\(name)' changes at run time; its verdict is treated as unknown")
            } else if let destination {
                state.store(RegisterValue(field: .opaque("map @\(name)"), length: Int(set.dataLength ?? 4)), at: destination)
            }
            return try run(next, state)
        }
        let contents: SetContents
        do { contents = try SetContents(set, fields: fields) } catch { throw self.error("set '\(name)': \(error.message)") }

        // A map keyed by `numgen` (kube-proxy's nftables endpoint pick): one path per key, each a
        // per-connection choice; when the keys cover every number numgen gives, the last key takes
        // what the others did not, so no packet falls through the map.
        if fields.count == 1, case .numgen(let modulus, let offset) = fields[0].field, let destination, modulus > 0 {
            var covered = IntervalSet<UInt128>()
            for entry in contents.entries { covered = covered.union(IntervalSet(entry.fields[0])) }
            let all = IntervalSet<UInt128>(UInt128(offset)...UInt128(offset) + UInt128(modulus) - 1)
            let exhaustive = contents.catchAll != nil || all.subtracting(covered).isEmpty
            var paths: [RuleState] = []
            for (position, entry) in contents.entries.enumerated() {
                var path = state
                if !(exhaustive && position == contents.entries.count - 1 && contents.catchAll == nil) {
                    let key = ValueText.list(IntervalSet(entry.fields[0])) { "\($0)" }
                    appendChoice(&path, field: fields[0].field, text: "\(subject) \(key) (\(reference ?? "map"))")
                }
                guard let data = entry.data else { throw error("map '\(name)' has an element without data") }
                try bind(&path, data, destination: destination, set: set)
                paths += try run(next, path)
            }
            if let catchAll = contents.catchAll, let data = catchAll {
                var path = state
                try bind(&path, data, destination: destination, set: set)
                paths += try run(next, path)
            }
            return paths
        }

        guard let destination else {
            try member(&state, fields: fields, contents: contents, negated: inverted, subject: subject, reference: reference, expression: expression)
            return try run(next, state)
        }
        // A map: one path per key, with the key's verdict or data; the catch-all takes what no key matched.
        var paths: [RuleState] = []
        for entry in contents.entries {
            var path = state
            for (field, range) in zip(fields, entry.fields) {
                constrain(&path, field, IntervalSet(range), negated: false, expression: expression)
            }
            guard let data = entry.data else { throw error("map '\(name)' has an element without data") }
            try bind(&path, data, destination: destination, set: set)
            paths += try run(next, path)
        }
        if let catchAll = contents.catchAll {
            var path = state
            var keys = contents
            keys.catchAll = nil
            if !contents.entries.isEmpty {
                try member(&path, fields: fields, contents: keys, negated: true, subject: subject, reference: reference ?? "@\(name)",
                           expression: expression)
            }
            guard let data = catchAll else { throw error("map '\(name)' has a catch-all element without data") }
            try bind(&path, data, destination: destination, set: set)
            paths += try run(next, path)
        }
        return paths
    }

    /// The registers a lookup key spans: consecutive values, each in its own 4-byte slots.
    private func keyFields(_ set: SetObject, source: Register, _ state: RuleState) throws(NftablesLoadingError) -> [RegisterValue] {
        var fields: [RegisterValue] = []
        var word = source.word
        var covered = 0
        let keyLength = Int(set.keyLength)
        repeat {
            let value = try read(Register.verdict.advanced(byWords: word), state)
            var field = value
            if !set.fieldLengths.isEmpty, fields.count < set.fieldLengths.count, Int(set.fieldLengths[fields.count]) < field.length {
                field.length = Int(set.fieldLengths[fields.count])
            }
            // A zero-length field would never cover the key: loop forever, growing `fields` (found by fuzz-netlink).
            guard field.length > 0 else { throw error("set '\(set.name)': key field \(fields.count + 1) has no length") }
            fields.append(field)
            let slot = (field.length + 3) / 4
            word += slot
            covered += slot * 4
        } while covered < keyLength
        return fields
    }

    /// "The key is (not) in the set": one condition on the field, or one alternative per element of a concatenation.
    private mutating func member(_ state: inout RuleState, fields: [RegisterValue], contents: SetContents, negated: Bool,
                                 subject: String, reference: String?, expression: Expression) throws(NftablesLoadingError) {
        if contents.catchAll != nil && !negated {
            state.pieces.append(.text("\(subject) \(reference ?? "{ * }")"))
            return
        }
        if contents.catchAll != nil {
            state.append(Match(.oneOf([]), text: "\(subject) != \(reference ?? "{ * }")"))
            return
        }
        if fields.count == 1 {
            let values = contents.union
            var shown = reference ?? ValueText.render(fields[0], values, condition: builder.condition(fields[0], in: values))
            if reference == nil, fields[0].length == 1, fields[0].mask == nil, let (family, code) = fields[0].field.icmpFamily {
                // Element by element, so that `{ nd-router-advert, nd-neighbor-solicit }` is not printed as the range 134-135.
                let elements = contents.entries.compactMap(\.fields.first).sorted { $0.lowerBound < $1.lowerBound }
                shown = ValueText.icmpList(elements, family: family, code: code)
            }
            constrain(&state, fields[0], values, negated: negated, expression: expression, rendered: shown)
            return
        }
        var alternatives: [[Match]] = []
        for entry in contents.entries {
            var conjunction: [Match] = []
            for (field, range) in zip(fields, entry.fields) {
                let values = IntervalSet(range)
                let condition = builder.condition(field, in: values)
                let text = "\(ValueText.subject(field)) \(ValueText.render(field, values, condition: condition))"
                if let condition {
                    conjunction.append(Match(condition, text: text))
                } else {
                    conjunction.append(Match(.opaque(OpaqueMatch(module: field.field.name, reason: "set key field is not modelled")), text: text))
                }
            }
            alternatives.append(conjunction)
        }
        let opaque = alternatives.joined().filter(\.isOpaque)
        if let first = opaque.first {
            warn("'\(first.text)' in a concatenated lookup is not modelled; treated as unknown: \(expression)")
        }
        let shown = reference ?? "{ \(alternatives.prefix(16).map { $0.map(\.text).joined(separator: " . ") }.joined(separator: ", "))\(alternatives.count > 16 ? ", …" : "") }"
        state.append(Match(.oneOf(alternatives), negated: negated, text: "\(subject) \(negated ? "!= " : "")\(shown)"))
    }

    /// Puts a map element's value where the rule uses it: the verdict, or a data register.
    private mutating func bind(_ state: inout RuleState, _ data: ImmediateValue, destination: Register, set: SetObject) throws(NftablesLoadingError) {
        switch data {
        case .verdict(let code, let chain):
            guard destination == .verdict else { throw error("verdict from map '\(set.name)' stored in \(destination)") }
            state.verdict = try verdict(code, chain: chain)
            state.pieces.append(.text(verdictText(code, chain: chain)))
        case .data(let bytes):
            guard destination != .verdict else { throw error("data from map '\(set.name)' used as a verdict") }
            state.store(RegisterValue(constant: bytes), at: destination)
        }
    }
}
