/// A stable text of what a model value means, for identities that must outlive how reports print
/// things (finding fingerprints).
///
/// Numbers are written in hexadecimal and sets as their sorted ranges, so the form depends on the
/// value alone: not on the input syntax, on address notation or on the order rules were read in.
/// Changing any form here changes users' fingerprints: bump the fingerprint version when you do.
public protocol CanonicallyFormed {
    var canonicalForm: String { get }
}

extension IntervalSet: CanonicallyFormed {
    /// `6` or `0-ff,1bb`: each range as `low-high` (or one value), in order.
    public var canonicalForm: String {
        ranges.map { range in
            let low = String(range.lowerBound, radix: 16)
            return range.lowerBound == range.upperBound ? low : low + "-" + String(range.upperBound, radix: 16)
        }.joined(separator: ",")
    }
}

extension InterfacePattern: CanonicallyFormed {
    public var canonicalForm: String { CanonicalForm.quoted(name) + (isWildcard ? "+" : "") }
}

extension Condition: CanonicallyFormed {
    public var canonicalForm: String {
        switch self {
        case .layer4Protocol(let set): "proto(\(set.canonicalForm))"
        case .address(let side, let set): "\(side.rawValue)-address(\(set.canonicalForm))"
        case .port(let side, let set): "\(side.rawValue)-port(\(set.canonicalForm))"
        case .eitherPort(let set): "either-port(\(set.canonicalForm))"
        case .inInterface(let pattern): "in(\(pattern.canonicalForm))"
        case .outInterface(let pattern): "out(\(pattern.canonicalForm))"
        case .connectionState(let states): "ct-state(\(String(states.rawValue, radix: 16)))"
        case .translationStatus(let values): "ct-nat(\(TranslationStatus.describe(values)))"
        case .connectionTranslationStatus(let values): "ct-status-nat(\(TranslationStatus.describe(values)))"
        case .tcpFlags(let mask, let compare): "tcp-flags(\(String(mask, radix: 16))/\(String(compare, radix: 16)))"
        case .icmpType(let set): "icmp(\(set.canonicalForm))"
        case .addressType(let side, let types): "\(side.rawValue)-type(\(types.map(\.rawValue).sorted().joined(separator: ",")))"
        case .packetMark(let value, let mask): "mark(\(String(value, radix: 16))/\(String(mask, radix: 16)))"
        case .connectionMark(let value, let mask): "ct-mark(\(String(value, radix: 16))/\(String(mask, radix: 16)))"
        case .comment(let text): "comment(\(CanonicalForm.quoted(text)))"
        // What is not modelled is identified by its module here and by its text in `Match`.
        case .opaque(let opaque): "opaque(\(CanonicalForm.quoted(opaque.module)))"
        case .throttle(let throttle): "throttle(\(throttle.construct.rawValue),\(throttle.withinLimits ? 1 : 0))"
        case .oneOf(let alternatives):
            "one-of(" + alternatives.map { "[" + $0.map(\.canonicalForm).joined(separator: ";") + "]" }.joined(separator: "|") + ")"
        case .addressFamily(let family): "family(\(family.rawValue))"
        }
    }
}

extension Match: CanonicallyFormed {
    /// The parameters of an opaque match or a throttle are known only as the input wrote them, so
    /// its text (blanks collapsed) is part of its form: `--ctproto 6` and `--ctproto 17`, or
    /// `--limit 5/min` and `--limit 50/min`, are different rules.
    public var canonicalForm: String {
        let form = (negated ? "!" : "") + condition.canonicalForm
        guard isOpaque || throttle != nil else { return form }
        return form + "[" + CanonicalForm.quoted(text.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")) + "]"
    }
}

extension Action: CanonicallyFormed {
    public var canonicalForm: String {
        func optional<Value: CanonicallyFormed>(_ value: Value?) -> String { value?.canonicalForm ?? "keep" }
        switch self {
        case .verdict(let verdict): return verdict.rawValue
        case .jump(let chain): return "jump(\(CanonicalForm.quoted(chain)))"
        case .goto(let chain): return "goto(\(CanonicalForm.quoted(chain)))"
        case .return: return "return"
        case .continue(let target): return "continue(\(CanonicalForm.quoted(target)))"
        case .setMark(let value, let mask): return "set-mark(\(String(value, radix: 16))/\(String(mask, radix: 16)))"
        case .connectionMark(.set(let value, let mask)): return "set-ct-mark(\(String(value, radix: 16))/\(String(mask, radix: 16)))"
        case .connectionMark(.save): return "save-mark"
        case .connectionMark(.restore): return "restore-mark"
        case .nat(.destination(let address, let ports)): return "dnat(\(optional(address)):\(optional(ports)))"
        case .nat(.redirect(let ports)): return "redirect(\(optional(ports)))"
        case .nat(.source(let address, let ports)): return "snat(\(optional(address)):\(optional(ports)))"
        case .nat(.masquerade): return "masquerade"
        case .opaqueVerdict(let name): return "opaque-verdict(\(CanonicalForm.quoted(name)))"
        case .notrack: return "notrack"
        case .none: return "none"
        }
    }
}

extension Rule: CanonicallyFormed {
    /// The rule's conditions in the order written, then its action; not its location or text.
    public var canonicalForm: String { matches.map(\.canonicalForm).joined(separator: " ") + " => " + action.canonicalForm }
}

/// Helpers of the canonical form.
public enum CanonicalForm {
    /// A name or text, quoted so that no content can be mistaken for structure.
    public static func quoted(_ text: String) -> String {
        var result = "\""
        for character in text {
            if character == "\\" || character == "\"" { result.append("\\") }
            result.append(character)
        }
        return result + "\""
    }
}
