import FirewallModel
import NftablesBytecode
import NftablesSemantics

/// The shared condition builder and value printer applied to register values: masks and
/// operands are read the way the register holds them.
extension ConditionBuilder {
    /// "The register's value lies in `values`" as a condition; nil when a non-zero xor or the field makes it inexact.
    func condition(_ value: RegisterValue, in values: IntervalSet<UInt128>) -> Condition? {
        if let xor = value.xor, value.integer(xor) != 0 { return nil }
        return condition(value.field, length: value.length, mask: value.mask.map { value.integer($0) }, in: values)
    }
}

extension ValueText {
    static func render(_ value: RegisterValue, _ values: IntervalSet<UInt128>, condition: Condition?) -> String {
        render(value.field, length: value.length, values, condition: condition)
    }

    static func subject(_ value: RegisterValue) -> String {
        subject(value.field, mask: value.mask.map { value.integer($0) })
    }
}
