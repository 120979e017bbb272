import FirewallModel
import NftablesBytecode

/// iptables-nft's `target` expressions: xt target extensions with their kernel info structures.
extension RuleDelinearizer {
    mutating func xtTarget(_ state: inout RuleState, name: String, revision: UInt32, info: Bytes, expression: Expression) {
        state.verdict = .opaqueVerdict(name)
        state.pieces.append(.text("-j \(name)"))
        warn("target '\(name)' is not modelled; its verdict is treated as unknown: \(expression)")
    }
}
