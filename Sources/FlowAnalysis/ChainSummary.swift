import DecisionDiagram
import FirewallModel

/// What a chain does with every packet, as one decision diagram, built once per chain, hook and
/// conntrack position, and reused from every jump to it.
///
/// Each leaf is how a packet leaves the chain: a verdict and the rule that took it, a `return`,
/// or (the background) falling off the chain's end, where a base chain's policy applies and a
/// user chain returns. Consecutive rules that decide or return are one run, built from the top
/// (`RunDiagramBuilder`); runs and jumps are combined by first match. A jump's rule is the
/// target's diagram within the rule's packets, with the
/// target's returns turned into "go on with the next rule"; a goto's is the target's diagram,
/// with its end turned into a return. Unknown conditions are levels of the diagram.
///
/// The summary covers chains whose rules only decide, jump, go to and return (the filtering
/// most hosts run): a chain where a rule rewrites packets (marks, translation, notrack), takes
/// a verdict the analysis does not model, or carries a throttle has none, and neither has a
/// chain that reaches one.
final class ChainSummaries {
    /// How a packet leaves a chain.
    enum Ending: Hashable {
        /// A verdict taken by the rule at `position`, in this chain or one it jumped to.
        case verdict(Verdict, RulePosition)
        /// A `return` rule of this chain (a goto's target falling off its end counts as one). In a
        /// base chain, as falling off its end, the policy applies.
        case returned
    }

    let diagram: PacketDiagram
    private let index: RulesetIndex
    private let context: AnalysisContext
    private let matchSpace: MatchSpaceBox

    /// Every ending met, by leaf value less one (leaf 0 is the background: the chain's end).
    private(set) var endings: [Ending] = []
    private var leafOfEnding: [Ending: Int32] = [:]
    private var known: [Key: DecisionDiagram.Node?] = [:]
    private let firstMatch = DecisionDiagram.Operation.firstMatch()
    private let restriction = DecisionDiagram.Operation.restriction()

    private struct Key: Hashable {
        var table: Int
        var chain: Int
        var hook: Hook
        var beforeConntrack: Bool
    }

    init(index: RulesetIndex, context: AnalysisContext, matchSpace: MatchSpaceBox) {
        self.index = index
        self.context = context
        self.matchSpace = matchSpace
        diagram = PacketDiagram(family: index.family, interfaces: context.interfaces)
    }

    /// How packets that reach a leaf of value `value` leave the chain; nil for the chain's end.
    func ending(ofLeaf value: Int32) -> Ending? { value == DecisionDiagram.background.leafValue ? nil : endings[Int(value) - 1] }

    func leaf(of ending: Ending) -> DecisionDiagram.Node {
        if let known = leafOfEnding[ending] { return .leaf(known) }
        endings.append(ending)
        let value = Int32(endings.count)
        leafOfEnding[ending] = value
        return .leaf(value)
    }

    /// The chain's diagram as reached on `hook`, or nil when the chain, or one it reaches, does
    /// something the summary does not model.
    func summary(table: Int, chain: Int, hook: Hook, beforeConntrack: Bool) -> DecisionDiagram.Node? {
        summary(Key(table: table, chain: chain, hook: hook, beforeConntrack: beforeConntrack), depth: 0)
    }

    /// Whether a summary being built reached a chain at the depth limit.
    private var reachedDepthLimit = false

    /// Summaries are kept per chain, not per depth: a chain first reached less deep is reused
    /// deeper. Only a chain nested `EngineLimits.chainDepth` deep without a loop could tell.
    private func summary(_ key: Key, depth: Int) -> DecisionDiagram.Node? {
        if let done = known[key] { return done }
        // Jumps nested this deep are a loop (the engine drops the packets): not summarised, and
        // no chain on the way is marked as unsummarisable for calls from less deep.
        guard depth < EngineLimits.chainDepth else {
            reachedDepthLimit = true
            return nil
        }
        let outer = reachedDepthLimit
        reachedDepthLimit = false
        let result = build(key, depth: depth)
        if result != nil || !reachedDepthLimit { known[key] = result }
        reachedDepthLimit = outer || reachedDepthLimit
        return result
    }

    private func build(_ key: Key, depth: Int) -> DecisionDiagram.Node? {
        let rules = index.ruleset.tables[key.table].chains[key.chain].rules
        var parts: [DecisionDiagram.Node] = []
        // Consecutive rules that only decide or return are one run, built at once from the top.
        var runBoxes: [PacketBox] = [], runLeaves: [DecisionDiagram.Node] = []
        func closeRun() {
            if runBoxes.isEmpty { return }
            parts.append(diagram.firstMatch(of: runBoxes, leaves: runLeaves, otherwise: DecisionDiagram.background))
            runBoxes = []
            runLeaves = []
        }
        for (number, rule) in rules.enumerated() {
            let position = RulePosition(table: key.table, chain: key.chain, rule: number)
            switch rule.action {
            case .continue, .none: continue
            case .verdict, .return, .jump, .goto: break
            default: return nil
            }
            guard DecidedThrottle.of(rule, at: position, hook: key.hook, context: context).isEmpty else { return nil }
            let boxes = matchSpace.boxes(for: rule, at: position, hook: key.hook, beforeConntrack: key.beforeConntrack)
            guard !boxes.contains(where: \.widened) else { return nil }
            if boxes.isEmpty { continue }
            func addToRun(_ ending: Ending) {
                let leaf = leaf(of: ending)
                runBoxes += boxes
                runLeaves += Array(repeating: leaf, count: boxes.count)
            }
            switch rule.action {
            case .verdict(let verdict):
                addToRun(.verdict(verdict, position))
            case .return:
                addToRun(.returned)
            case .jump(let name), .goto(let name):
                guard let target = index.chainIndex(table: key.table, named: name) else {
                    // A jump to a chain that does not exist drops (as the engine has it).
                    addToRun(.verdict(.drop, position))
                    continue
                }
                var targetKey = key
                targetKey.chain = target
                guard let inner = summary(targetKey, depth: depth + 1) else { return nil }
                closeRun()
                let returned = leaf(of: .returned).leafValue
                let isGoto: Bool = if case .goto = rule.action { true } else { false }
                // After a jump, a return goes on with the next rule (the background); after a goto,
                // the target's end is a return from this chain.
                let end = DecisionDiagram.background.leafValue
                let ended = isGoto ? diagram.store.mapLeaves(inner) { $0 == end ? returned : $0 }
                    : diagram.store.mapLeaves(inner) { $0 == returned ? end : $0 }
                let matching = diagram.firstMatch(of: boxes, leaves: boxes.map { _ in .leaf(1) }, otherwise: DecisionDiagram.background)
                parts.append(diagram.store.apply(restriction, ended, matching))
            default:
                return nil
            }
        }
        closeRun()
        return diagram.store.reduce(parts, by: firstMatch)
    }
}
