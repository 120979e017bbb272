import FirewallModel

/// Which way packets cross the host.
public enum PathKind: String, Sendable, Hashable, CaseIterable, Comparable {
    /// To a local address: prerouting, input.
    case input
    /// Between two other hosts: prerouting, forward, postrouting.
    case forward
    /// From the host: output, postrouting.
    case output

    public var hooks: [Hook] {
        switch self {
        case .input: [.prerouting, .input]
        case .forward: [.prerouting, .forward, .postrouting]
        case .output: [.output, .postrouting]
        }
    }

    public static func < (lhs: PathKind, rhs: PathKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A verdict taken in one base chain: by a rule (possibly in a user chain it jumped to) or by the policy.
public struct Decision: Sendable, Hashable {
    public var hook: Hook
    public var table: String
    /// The base chain where the verdict took effect.
    public var baseChain: String
    /// The chain holding the deciding rule (a user chain when reached by a jump).
    public var chain: String
    /// Nil when the chain policy decided.
    public var rule: Rule?
    public var position: RulePosition?
    public var verdict: Verdict
    /// Where the base chain was declared, for policy decisions.
    public var chainLocation: SourceLocation
    public var isNatTable: Bool

    /// What decides a packet whose path has no base chain at all: the kernel accepts it.
    public static func noChain(on path: PathKind) -> Decision {
        Decision(hook: path.hooks.last!, table: "", baseChain: "", chain: "", rule: nil, position: nil, verdict: .accept,
                 chainLocation: SourceLocation(source: "ruleset", detail: "no base chain on the \(path.rawValue) path accepts by default"),
                 isNatTable: false)
    }

    /// `edge.rules:12` for a rule; `edge.rules: chain INPUT policy DROP` for a policy.
    public var location: SourceLocation {
        if let rule { return rule.location }
        if baseChain.isEmpty { return chainLocation }
        var location = chainLocation
        location.line = nil
        location.column = nil
        location.detail = "chain \(baseChain) policy \(verdict.rawValue.uppercased())"
        return location
    }

    /// The rule text, or `:INPUT DROP` for a policy.
    public var text: String {
        if baseChain.isEmpty { return "(no chain)" }
        return rule?.text ?? ":\(baseChain) \(verdict.rawValue.uppercased())"
    }
}

/// What happened to a box of packets on its path.
public struct Outcome: Sendable, Hashable {
    public var box: PacketBox
    public var verdict: Verdict
    public var path: PathKind
    public var decisions: [Decision]

    /// The decision a person should be shown: the drop, or the accept of the filtering table.
    public var deciding: Decision? {
        if verdict != .accept { return decisions.last }
        let filtering = decisions.filter { !$0.isNatTable && $0.table != "raw" && $0.table != "mangle" }
        return filtering.last { $0.rule != nil } ?? filtering.last ?? decisions.last
    }
}
