import Synchronization
import FirewallModel

/// Whether a chain keeps every packet a jump sends it: the question that lets a jump join a run
/// of rules split in one pass.
///
/// A chain that ends with a rule taking every packet that reaches it (a verdict, a translation, a
/// jump or goto to a chain that does the same), and has no return or goto before it, ends every
/// packet it is given: the jump acts as a verdict for the rules after it. That is the shape of
/// kube-proxy's service chains and of zone chains that end with `reject`. Rules before the last may
/// rewrite marks and connection state (a jump to KUBE-MARK-MASQ), so the last rule must take those
/// packets whatever their mark.
///
/// The answer only chooses the engine's path, never its result: whatever a jump in a run brings
/// back still meets the run's later rules (`PathEngine.runRun`). So "no" is always safe.
final class ChainEndings: Sendable {
    private let index: RulesetIndex
    private let context: AnalysisContext
    private let matchSpace: MatchSpaceBox
    private let shapes = Mutex<[ChainKey: Shape]>([:])

    init(index: RulesetIndex, context: AnalysisContext, matchSpace: MatchSpaceBox) {
        self.index = index
        self.context = context
        self.matchSpace = matchSpace
    }

    private struct ChainKey: Hashable {
        var table: Int
        var chain: Int
    }

    /// What the answer needs from a chain's rules, read once per chain.
    private struct Shape {
        /// The last rule that does anything.
        var last: Int?
        /// A rule before it returns or goes to another chain: packets may come back from the chain.
        var mayReturnEarlier: Bool
        /// A rule before it rewrites marks or connection state, or jumps to a chain that may.
        var rewritesEarlier: Bool
    }

    /// Whether every packet of `box` that enters chain `chainIndex` of `table` ends there.
    func endsEveryPacket(chain chainIndex: Int, of box: PacketBox, table: Int, hook: Hook, beforeConntrack: Bool) -> Bool {
        ends(chainIndex, box, table: table, hook: hook, beforeConntrack: beforeConntrack, depth: 0)
    }

    private func ends(_ chainIndex: Int, _ box: PacketBox, table: Int, hook: Hook, beforeConntrack: Bool, depth: Int) -> Bool {
        guard depth < EngineLimits.chainDepth else { return false }
        let shape = self.shape(table: table, chain: chainIndex)
        guard let last = shape.last, !shape.mayReturnEarlier else { return false }
        let rule = index.ruleset.tables[table].chains[chainIndex].rules[last]
        let position = RulePosition(table: table, chain: chainIndex, rule: last)
        var envelope = box
        if shape.rewritesEarlier {
            envelope.mark = .full
            envelope.connectionMark = .full
            envelope.state.formUnion(.untracked)
            envelope.translation = TranslationStatus.all
        }
        guard DecidedThrottle.of(rule, at: position, hook: hook, context: context).isEmpty else { return false }
        let ruleBoxes = matchSpace.boxes(for: rule, at: position, hook: hook, beforeConntrack: beforeConntrack)
        guard ruleBoxes.contains(where: { $0.unknowns.isEmpty && !$0.widened && envelope.subtracting($0).isEmpty }) else { return false }
        switch rule.action {
        case .verdict, .opaqueVerdict:
            return true
        case .nat(let action):
            // A translation to no address of this family does not apply: the packets go on.
            return !NatTarget(action, hook: hook, context: context).isEmpty
        case .jump(let name), .goto(let name):
            // A missing chain drops what is sent to it.
            guard let next = index.chainIndex(table: table, named: name) else { return true }
            return ends(next, envelope, table: table, hook: hook, beforeConntrack: beforeConntrack, depth: depth + 1)
        case .return, .setMark, .connectionMark, .notrack, .continue, .none:
            return false
        }
    }

    private func shape(table: Int, chain: Int) -> Shape {
        let key = ChainKey(table: table, chain: chain)
        if let known = shapes.withLock({ $0[key] }) { return known }
        let rules = index.ruleset.tables[table].chains[chain].rules
        let last = rules.lastIndex { rule in
            switch rule.action {
            case .continue, .none: false
            default: true
            }
        }
        var shape = Shape(last: last, mayReturnEarlier: false, rewritesEarlier: false)
        for rule in rules.prefix(last ?? 0) {
            switch rule.action {
            case .return, .goto: shape.mayReturnEarlier = true
            case .jump, .setMark, .connectionMark, .notrack: shape.rewritesEarlier = true
            case .verdict, .nat, .opaqueVerdict, .continue, .none: break
            }
        }
        shapes.withLock { $0[key] = shape }
        return shape
    }
}
