import FirewallModel
import NftablesBytecode

/// iptables-nft's `match` expressions: xt match extensions with their kernel info structures.
extension RuleDelinearizer {
    mutating func xtMatch(_ state: inout RuleState, name: String, revision: UInt32, info: Bytes, expression: Expression) {
        appendOpaque(&state, module: name, text: "-m \(name)", expression: expression)
    }
}
