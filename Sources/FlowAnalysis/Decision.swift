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
///
/// Every fragment of packets carries the decisions of its path, and fragments are copied by the
/// hundred thousand: the fields live in one shared, immutable object, so a copy is one reference.
public struct Decision: Sendable, Hashable {
    private final class Fields: Sendable {
        let hook: Hook
        let table: String
        let baseChain: String
        let chain: String
        let rule: Rule?
        let position: RulePosition?
        let verdict: Verdict
        let chainLocation: SourceLocation
        let isNatTable: Bool
        /// Where the verdict was taken, hashed once.
        let placeHash: Int

        init(hook: Hook, table: String, baseChain: String, chain: String, rule: Rule?, position: RulePosition?, verdict: Verdict,
             chainLocation: SourceLocation, isNatTable: Bool) {
            self.hook = hook
            self.table = table
            self.baseChain = baseChain
            self.chain = chain
            self.rule = rule
            self.position = position
            self.verdict = verdict
            self.chainLocation = chainLocation
            self.isNatTable = isNatTable
            var hasher = Hasher()
            hasher.combine(hook)
            hasher.combine(table)
            hasher.combine(baseChain)
            hasher.combine(position)
            hasher.combine(verdict)
            placeHash = hasher.finalize()
        }
    }

    private let fields: Fields

    public init(hook: Hook, table: String, baseChain: String, chain: String, rule: Rule?, position: RulePosition?, verdict: Verdict,
                chainLocation: SourceLocation, isNatTable: Bool) {
        fields = Fields(hook: hook, table: table, baseChain: baseChain, chain: chain, rule: rule, position: position, verdict: verdict,
                        chainLocation: chainLocation, isNatTable: isNatTable)
    }

    public var hook: Hook { fields.hook }
    public var table: String { fields.table }
    /// The base chain where the verdict took effect.
    public var baseChain: String { fields.baseChain }
    /// The chain holding the deciding rule (a user chain when reached by a jump).
    public var chain: String { fields.chain }
    /// Nil when the chain policy decided.
    public var rule: Rule? { fields.rule }
    public var position: RulePosition? { fields.position }
    public var verdict: Verdict { fields.verdict }
    /// Where the base chain was declared, for policy decisions.
    public var chainLocation: SourceLocation { fields.chainLocation }
    public var isNatTable: Bool { fields.isNatTable }

    public static func == (lhs: Decision, rhs: Decision) -> Bool {
        if lhs.fields === rhs.fields { return true }
        return lhs.hook == rhs.hook && lhs.table == rhs.table && lhs.baseChain == rhs.baseChain && lhs.chain == rhs.chain
            && lhs.position == rhs.position && lhs.verdict == rhs.verdict && lhs.isNatTable == rhs.isNatTable
            && lhs.chainLocation == rhs.chainLocation && lhs.rule == rhs.rule
    }

    /// Hashes where the verdict was taken (hashed once per decision), not the rule's whole text:
    /// histories of thousands of fragments are grouped by their decisions. Equal decisions still hash alike.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(fields.placeHash)
    }

    /// What decides a packet whose path has no base chain at all: the kernel accepts it.
    public static func noChain(on path: PathKind) -> Decision {
        Decision(hook: path.hooks.last!, table: "", baseChain: "", chain: "", rule: nil, position: nil, verdict: .accept,
                 chainLocation: SourceLocation(source: "ruleset", detail: "no base chain on the \(path.rawValue) path accepts by default"),
                 isNatTable: false)
    }

    /// `edge.rules:12` for a rule; `edge.rules:4: chain INPUT policy DROP` for a policy.
    public var location: SourceLocation {
        if let rule { return rule.location }
        if baseChain.isEmpty { return chainLocation }
        // The line where the chain and its policy are declared, so a reader and a pull request
        // annotation land on it: `edge.v4:5: chain INPUT policy DROP`.
        var location = chainLocation
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

/// A throttle rule that packets met with every other condition of the rule holding, so the
/// throttle's within-limits answer decided whether the rule applied: the `recent --update … DROP`
/// that ordinary traffic passes, the `limit … ACCEPT` that accepts it ("allowed, rate-limited by …").
///
/// Other unknown conditions of the rule are taken as possibly holding. Rules that only log or
/// count are not recorded: whether they apply changes nothing.
public struct DecidedThrottle: Sendable, Hashable {
    /// The rule and which of its matches is the throttle.
    public var position: RulePosition
    public var matchIndex: Int
    /// The hook whose chain held the rule.
    public var hook: Hook
    /// Where the rule was written (`FILE:LINE`, or table/chain/handle).
    public var location: SourceLocation
    public var ruleText: String
    /// The throttle match as written (`-m recent --update --seconds 60 --hitcount 4 --name SSH`).
    public var text: String
    public var throttle: Throttle
    /// The answer the match took, negation included: true when the rule applied to these packets.
    public var holds: Bool

    public init(position: RulePosition, matchIndex: Int, hook: Hook, location: SourceLocation, ruleText: String, text: String,
                throttle: Throttle, holds: Bool) {
        self.position = position
        self.matchIndex = matchIndex
        self.hook = hook
        self.location = location
        self.ruleText = ruleText
        self.text = text
        self.throttle = throttle
        self.holds = holds
    }

    /// The throttles of `rule` as decided in `context`; empty when throttles are kept unknown or the
    /// rule's action cannot change a packet's fate.
    static func of(_ rule: Rule, at position: RulePosition, hook: Hook, context: AnalysisContext) -> [DecidedThrottle] {
        switch rule.action {
        case .continue, .none: return []
        default: break
        }
        return rule.matches.enumerated().compactMap { index, match in
            guard let throttle = match.throttle, let holds = context.throttleAnswer(throttle, negated: match.negated) else { return nil }
            return DecidedThrottle(position: position, matchIndex: index, hook: hook, location: rule.location, ruleText: rule.text,
                                   text: match.text, throttle: throttle, holds: holds)
        }
    }

    /// Whether `list` already holds this throttle (the same match of the same rule).
    func isIn(_ list: [DecidedThrottle]) -> Bool {
        list.contains { $0.position == position && $0.matchIndex == matchIndex }
    }
}

/// What happened to a box of packets on its path.
public struct Outcome: Sendable, Hashable {
    public var box: PacketBox
    public var verdict: Verdict
    public var path: PathKind
    public var decisions: [Decision]
    /// The throttles these packets met whose answer decided whether their rule applied, in path
    /// order, each once (empty when throttles are kept unknown).
    public var throttles: [DecidedThrottle] = []

    /// The decision a person should be shown: the drop, or the accept of the filtering table.
    public var deciding: Decision? {
        if verdict != .accept { return decisions.last }
        let filtering = decisions.filter { !$0.isNatTable && $0.table != "raw" && $0.table != "mangle" }
        return filtering.last { $0.rule != nil } ?? filtering.last ?? decisions.last
    }
}
