import FirewallModel

/// Identifies one rule of a ruleset by position.
public struct RulePosition: Sendable, Hashable, Comparable {
    public var table: Int
    public var chain: Int
    public var rule: Int
    public static func < (lhs: RulePosition, rhs: RulePosition) -> Bool {
        (lhs.table, lhs.chain, lhs.rule) < (rhs.table, rhs.chain, rhs.rule)
    }
}

/// A condition whose answer the analysis does not know, named for reports.
public struct UnknownCondition: Sendable, Hashable {
    public var id: Int
    public var location: SourceLocation
    public var ruleText: String
    /// The match or target as written (`-m limit --limit 5/min`, `-j NFQUEUE`).
    public var text: String
    public var reason: String
    /// A per-connection choice (`-m statistic`): every answer happens, none is a doubt.
    public var isChoice = false
}

/// The ruleset of one family with its chains resolved and its unknown conditions numbered.
///
/// Both the packet-space engine and the concrete interpreter read rules through this index,
/// so an unknown condition has the same id in both.
public struct RulesetIndex: Sendable {
    public let ruleset: Ruleset
    public let family: AddressFamily
    /// Per table, chain names to chain indices.
    private let chainNumbers: [[String: Int]]
    /// First unknown-condition id of each rule: match `i` has `base + i`, the verdict `base + matches.count`.
    private let unknownBase: [[[Int]]]
    /// The ids of unknown conditions that are per-connection choices (`OpaqueMatch.isChoice`).
    public let choiceIds: Set<Int>
    /// A warning per table whose jumps or gotos may enter a chain `EngineLimits.chainDepth` or
    /// more jumps below a base chain: the analysis takes such a jump's verdict as unknown.
    public let depthDiagnostics: [Diagnostic]

    public init(ruleset: Ruleset, family: AddressFamily) {
        self.ruleset = ruleset
        self.family = family
        var numbers: [[String: Int]] = []
        var bases: [[[Int]]] = []
        var next = 1
        var choices = Set<Int>()
        for table in ruleset.tables {
            var names: [String: Int] = [:]
            var tableBases: [[Int]] = []
            for (index, chain) in table.chains.enumerated() {
                names[chain.name] = index
                var chainBases: [Int] = []
                for rule in chain.rules {
                    chainBases.append(next)
                    for (index, match) in rule.matches.enumerated() {
                        if case .opaque(let opaque) = match.condition, opaque.isChoice { choices.insert(next + index) }
                    }
                    next += rule.matches.count + 1
                }
                tableBases.append(chainBases)
            }
            numbers.append(names)
            bases.append(tableBases)
        }
        chainNumbers = numbers
        unknownBase = bases
        choiceIds = choices
        depthDiagnostics = ruleset.tables.filter { $0.family.covers(family) }.flatMap(RulesetIndex.depthDiagnostics(of:))
    }

    /// One warning per table, at the first rule (chains and rules in table order) whose jump may go
    /// deeper than the analysis follows.
    private static func depthDiagnostics(of table: Table) -> [Diagnostic] {
        let deep = JumpGraph(chains: table.chains).jumps(fromDepth: EngineLimits.chainDepth - 1)
        guard let first = deep.first else { return [] }
        let others = deep.count > 1 ? " (and \(deep.count - 1) more rule\(deep.count > 2 ? "s" : ""))" : ""
        return [Diagnostic(.warning, "this rule\(others) may enter a chain \(EngineLimits.chainDepth) or more jumps below a base "
                           + "chain, deeper than the analysis follows: the verdict of such a jump is taken as unknown", at: first.location)]
    }

    public func chainIndex(table: Int, named name: String) -> Int? { chainNumbers[table][name] }

    /// Whether a box depends on no doubt: its only fixed answers are per-connection choices.
    public func isCertain(_ box: PacketBox) -> Bool { box.unknowns.allSatisfy { choiceIds.contains($0.id) } }

    public func rule(at position: RulePosition) -> Rule {
        ruleset.tables[position.table].chains[position.chain].rules[position.rule]
    }

    public func unknownId(at position: RulePosition, match: Int) -> Int {
        unknownBase[position.table][position.chain][position.rule] + match
    }

    public func verdictUnknownId(at position: RulePosition) -> Int {
        unknownBase[position.table][position.chain][position.rule] + rule(at: position).matches.count
    }

    /// Base chains of the family on `hook`, as (table index, chain index), in kernel order.
    public func baseChains(on hook: Hook) -> [(table: Int, chain: Int)] {
        var found: [(table: Int, chain: Int, priority: Int)] = []
        for (tableIndex, table) in ruleset.tables.enumerated() where table.family.covers(family) {
            for (chainIndex, chain) in table.chains.enumerated() {
                if let base = chain.base, base.hook == hook { found.append((tableIndex, chainIndex, base.priority)) }
            }
        }
        return found.enumerated()
            .sorted { ($0.element.priority, $0.offset) < ($1.element.priority, $1.offset) }
            .map { ($0.element.table, $0.element.chain) }
    }

    /// Describes an unknown condition id for reports.
    public func describeUnknown(_ id: Int) -> UnknownCondition? {
        for (t, table) in ruleset.tables.enumerated() {
            for (c, chain) in table.chains.enumerated() {
                for (r, rule) in chain.rules.enumerated() {
                    let base = unknownBase[t][c][r]
                    guard id >= base && id <= base + rule.matches.count else { continue }
                    let index = id - base
                    if index == rule.matches.count {
                        switch rule.action {
                        case .jump(let name), .goto(let name):
                            return UnknownCondition(id: id, location: rule.location, ruleText: rule.text, text: "verdict of chain \(name)",
                                                    reason: "nested \(EngineLimits.chainDepth) or more jumps below a base chain, deeper than the analysis follows")
                        default:
                            return UnknownCondition(id: id, location: rule.location, ruleText: rule.text, text: "verdict of \(targetText(rule))",
                                                    reason: "the verdict is taken outside the ruleset")
                        }
                    }
                    let match = rule.matches[index]
                    let reason: String
                    switch match.condition {
                    case .opaque(let opaque): reason = opaque.reason
                    case .throttle(let throttle):
                        reason = "\(throttle.construct.keyword) kept unknown on request (throttles unknown); ordinarily decided by its within-limits answer"
                    case .addressType: reason = "address type not decidable from the matrix"
                    case .packetMark, .connectionMark: reason = "mark mask too irregular to enumerate"
                    default: reason = "not modelled"
                    }
                    var described = UnknownCondition(id: id, location: rule.location, ruleText: rule.text, text: match.text, reason: reason)
                    described.isChoice = choiceIds.contains(id)
                    return described
                }
            }
        }
        return nil
    }

    private func targetText(_ rule: Rule) -> String {
        if case .opaqueVerdict(let name) = rule.action { return name }
        return "target"
    }
}
