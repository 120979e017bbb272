import Synchronization
import FirewallModel

/// The packet-space engine: follows whole sets of packets through hooks, base chains and rules.
///
/// Each box of packets is split wherever a rule matches part of it, so every resulting box is
/// decided by one sequence of rules. Unknown conditions split boxes on their answer.
public struct PathEngine: Sendable {
    public let index: RulesetIndex
    public let context: AnalysisContext
    private let matchSpace: MatchSpaceBox
    private let runCache = RunCache()
    private let chainEndings: ChainEndings

    /// A diagnostic the engine raised while running (a jump loop, a missing chain).
    public private(set) var diagnostics: [Diagnostic] = []

    /// When runs of rules are split among by `FirstMatchPartition` rather than rule by rule.
    public let runPolicy: RunPolicy

    public init(index: RulesetIndex, context: AnalysisContext, runPolicy: RunPolicy = .standard) {
        self.index = index
        self.context = context
        self.runPolicy = runPolicy
        let matchSpace = MatchSpaceBox(MatchSpace(context: context, index: index))
        self.matchSpace = matchSpace
        chainEndings = ChainEndings(index: index, context: context, matchSpace: matchSpace)
    }

    /// Packets entering the host from a network (`.input`/`.forward` decided by routing) or created by it (`.output`).
    public enum Origin: Sendable { case network, host }

    /// Runs a space of packets through the host and returns what becomes of each part.
    public func run(_ space: PacketSpace, from origin: Origin) -> [Outcome] {
        let fragments = space.boxes.map { Fragment(box: $0, decisions: [], throttles: []) }
        var outcomes: [Outcome] = []
        switch origin {
        case .host:
            let output = runHook(.output, fragments)
            outcomes += output.dropped.map { outcome($0, path: .output) }
            // The kernel routes a translated packet again when it leaves the output hook: every
            // output chain still sees the first route's interface, postrouting the new one.
            let post = runHook(.postrouting, output.passed.flatMap(reroute))
            outcomes += post.dropped.map { outcome($0, path: .output) }
            outcomes += post.passed.map { outcome($0, path: .output, accepted: true) }
        case .network:
            let pre = runHook(.prerouting, fragments)
            for fragment in pre.dropped {
                for (part, path) in route(fragment) {
                    outcomes.append(outcome(part, path: path))
                }
            }
            var local: [Fragment] = [], forwarded: [Fragment] = []
            for fragment in pre.passed {
                for (part, path) in route(fragment) {
                    if path == .input { local.append(part) } else { forwarded.append(part) }
                }
            }
            let input = runHook(.input, local)
            outcomes += input.dropped.map { outcome($0, path: .input) }
            outcomes += input.passed.map { outcome($0, path: .input, accepted: true) }
            let forward = runHook(.forward, forwarded)
            outcomes += forward.dropped.map { outcome($0, path: .forward) }
            let post = runHook(.postrouting, forward.passed)
            outcomes += post.dropped.map { outcome($0, path: .forward) }
            outcomes += post.passed.map { outcome($0, path: .forward, accepted: true) }
        }
        return outcomes.map { outcome in
            guard outcome.decisions.isEmpty else { return outcome }
            var decided = outcome
            decided.decisions = [Decision.noChain(on: outcome.path)]
            return decided
        }
    }

    /// A fragment at the end of its path: accepted, or decided by its last (dropping) decision.
    private func outcome(_ fragment: Fragment, path: PathKind, accepted: Bool = false) -> Outcome {
        Outcome(box: fragment.box, verdict: accepted ? .accept : fragment.decisions.last!.verdict, path: path, decisions: fragment.decisions,
                throttles: fragment.throttles)
    }

    /// Splits a fragment by whether its destination is the host. A destination a nat rule
    /// rewrote is routed again: the out interface is where the route for the new destination leads.
    private func route(_ fragment: Fragment) -> [(Fragment, PathKind)] {
        if fragment.box.isDestinationTranslated {
            return context.routes(fragment.box.destination, local: context.interfaces.none).map { route in
                var part = fragment
                part.box.destination = route.destinations
                part.box.outInterface = route.interfaces
                return (part, route.isLocal ? .input : .forward)
            }
        }
        var result: [(Fragment, PathKind)] = []
        let local = fragment.box.destination.intersection(context.localAddresses)
        let remote = fragment.box.destination.subtracting(context.localAddresses)
        if !local.isEmpty {
            var part = fragment
            part.box.destination = local
            part.box.outInterface = part.box.outInterface.intersection(context.interfaces.none)
            if !part.box.outInterface.isEmpty { result.append((part, .input)) }
        }
        if !remote.isEmpty {
            var part = fragment
            part.box.destination = remote
            part.box.outInterface = part.box.outInterface.subtracting(context.interfaces.none)
            if !part.box.outInterface.isEmpty { result.append((part, .forward)) }
        }
        return result
    }

    /// The host's own packets whose destination a nat rule in output rewrote, routed again:
    /// to one of its own addresses through `lo`, elsewhere where the route leads.
    private func reroute(_ fragment: Fragment) -> [Fragment] {
        guard fragment.box.isDestinationTranslated else { return [fragment] }
        var fragment = fragment
        fragment.box.originalOutInterface = fragment.box.originalOutInterface ?? fragment.box.outInterface
        return context.routes(fragment.box.destination, local: context.interfaces.loopback).map { route in
            var part = fragment
            part.box.destination = route.destinations
            part.box.outInterface = route.interfaces
            return part
        }
    }

    /// Later packets of a translated connection take the connection's destination where the
    /// destination nat chains run; they never run those chains.
    private static func applyConnectionTranslation(_ fragment: Fragment) -> Fragment {
        guard fragment.box.connectionDestination != nil || fragment.box.connectionDestinationPort != nil else { return fragment }
        var changed = fragment
        if let address = fragment.box.connectionDestination {
            changed.box.originalDestination = fragment.box.destination
            changed.box.destination = address
        }
        if let ports = fragment.box.connectionDestinationPort {
            changed.box.originalDestinationPort = fragment.box.destinationPort
            changed.box.destinationPort = ports
        }
        changed.box.connectionDestination = nil
        changed.box.connectionDestinationPort = nil
        return changed
    }

    struct Fragment: Hashable {
        var box: PacketBox
        var decisions: [Decision]
        /// Throttles met so far whose answer decided whether their rule applied, in path order.
        var throttles: [DecidedThrottle]

        /// The same history with other packets.
        func with(_ box: PacketBox) -> Fragment { Fragment(box: box, decisions: decisions, throttles: throttles) }

        /// The same packets with one more decision.
        func adding(_ decision: Decision) -> Fragment { Fragment(box: box, decisions: decisions + [decision], throttles: throttles) }
    }

    struct HookResult {
        var passed: [Fragment] = []
        var dropped: [Fragment] = []
    }

    private func runHook(_ hook: Hook, _ fragments: [Fragment]) -> HookResult {
        var current = fragments
        var dropped: [Fragment] = []
        var translated = !PathEngine.translatesDestinations(on: hook)
        for (tableIndex, chainIndex) in index.baseChains(on: hook) {
            if current.isEmpty { break }
            let table = index.ruleset.tables[tableIndex]
            let chain = table.chains[chainIndex]
            let base = chain.base!
            if !translated && base.priority >= PathEngine.destinationNatPriority {
                current = current.map(PathEngine.applyConnectionTranslation)
                translated = true
            }
            var entering = current
            var bypass: [Fragment] = []
            if base.isNat {
                // Only the first packet of a connection passes nat chains.
                entering = []
                for fragment in current {
                    var first = fragment, later = fragment
                    first.box.state = fragment.box.state.intersection(.new)
                    later.box.state = fragment.box.state.subtracting(.new)
                    if !first.box.state.isEmpty { entering.append(first) }
                    if !later.box.state.isEmpty { bypass.append(later) }
                }
            }
            var frame = Frame(hook: hook, table: tableIndex, baseChain: chain.name, baseLocation: chain.location, isNat: base.isNat,
                              beforeConntrack: base.priority < PathEngine.conntrackPriority)
            let result = runChain(chainIndex, entering, frame: &frame, depth: 0)
            let policy = Decision(hook: hook, table: table.name, baseChain: chain.name, chain: chain.name, rule: nil, position: nil,
                                  verdict: base.policy, chainLocation: chain.location, isNatTable: base.isNat)
            var passed = result.accepted + bypass
            let fallen = result.returned.map { $0.adding(policy) }
            if base.policy == .accept { passed += fallen } else { dropped += fallen }
            dropped += result.dropped.count > EngineLimits.decidedBeforeMerge ? PathEngine.coalesce(result.dropped) : result.dropped
            current = PathEngine.coalesce(passed)
        }
        if !translated { current = current.map(PathEngine.applyConnectionTranslation) }
        return HookResult(passed: current, dropped: dropped)
    }

    /// The translation status after a nat rule sets `bits` on the connection.
    static func marking(_ status: IntervalSet<UInt8>, with bits: UInt8) -> IntervalSet<UInt8> {
        IntervalSet(ranges: (0...3).filter { status.contains(UInt8($0)) }.map { UInt8($0) | bits }.map { $0...$0 })
    }

    /// Whether conntrack rewrites destinations on `hook` (prerouting, and output for the host's own packets).
    static func translatesDestinations(on hook: Hook) -> Bool { hook == .prerouting || hook == .output }

    struct Frame {
        var hook: Hook
        var table: Int
        var baseChain: String
        var baseLocation: SourceLocation
        var isNat: Bool
        /// The chain runs before connection tracking (priority below -200: iptables' raw table).
        var beforeConntrack: Bool
    }

    /// Connection tracking's own priority on prerouting and output.
    static let conntrackPriority = -200
    /// The destination nat hook's priority on prerouting and output (`NF_IP_PRI_NAT_DST`): where
    /// conntrack translates later packets of a connection whose opening packet a nat rule rewrote.
    static let destinationNatPriority = -100

    struct ChainResult {
        var accepted: [Fragment] = []
        var dropped: [Fragment] = []
        var returned: [Fragment] = []
    }

    private func runChain(_ chainIndex: Int, _ fragments: [Fragment], frame: inout Frame, depth: Int) -> ChainResult {
        var result = ChainResult()
        let table = index.ruleset.tables[frame.table]
        let chain = table.chains[chainIndex]
        var pending = fragments
        var lastCoalesced = pending.count
        let runs = ruleRuns(chainIndex, frame: frame)
        var ruleIndex = 0
        while ruleIndex < chain.rules.count {
            if pending.isEmpty { break }
            if let run = runs[ruleIndex], pending.count * run.partition.boxes.count >= runPolicy.minimumWork {
                pending = runRun(run, chainIndex: chainIndex, pending, frame: &frame, depth: depth, result: &result)
                ruleIndex = run.end
                if pending.count > EngineLimits.pendingBeforeMerge && pending.count > 2 * lastCoalesced {
                    pending = PathEngine.coalesce(pending)
                    lastCoalesced = pending.count
                }
                continue
            }
            let rule = chain.rules[ruleIndex]
            defer { ruleIndex += 1 }
            switch rule.action {
            case .continue, .none: continue
            default: break
            }
            let position = RulePosition(table: frame.table, chain: chainIndex, rule: ruleIndex)
            let throttles = DecidedThrottle.of(rule, at: position, hook: frame.hook, context: context)
            if !throttles.isEmpty {
                pending = noteThrottles(throttles, of: rule, at: position, frame: frame, pending)
            }
            let ruleBoxes = matchSpace.boxes(for: rule, at: position, hook: frame.hook, beforeConntrack: frame.beforeConntrack)
            if ruleBoxes.isEmpty { continue }
            let (matched, rest) = PathEngine.split(pending, by: ruleBoxes)
            if matched.isEmpty { continue }
            if let continuing = perform(rule, at: position, matched, frame: &frame, depth: depth, result: &result) {
                pending = rest + continuing
            }
            if pending.count > EngineLimits.pendingBeforeMerge && pending.count > 2 * lastCoalesced {
                pending = PathEngine.coalesce(pending)
                lastCoalesced = pending.count
            }
        }
        // Decided fragments are merged once, by the hook: merging them here too would merge the same
        // fragments again at every chain they pass on the way back to the base chain.
        result.returned += pending
        return result
    }

    /// Which runs of rules the engine splits among in one pass. The answers are the same either way
    /// (the tests compare them); only the cost differs.
    public struct RunPolicy: Sendable {
        /// Runs matching fewer boxes go rule by rule, where they cost no more. One rule can be a run
        /// of its own: a set of ten thousand address and port pairs matches ten thousand boxes.
        public var minimumRun: Int
        /// Below this many fragment-and-box pairs a run goes rule by rule too.
        public var minimumWork: Int
        /// Every jump joins runs, even to a chain that may give packets back: for tests of what a
        /// jump in a run brings back. Otherwise only jumps to chains that end every packet do.
        public var everyJump = false

        public static let standard = RunPolicy(minimumRun: EngineLimits.partitionedRun, minimumWork: EngineLimits.partitionedWork)
        /// Every run of two boxes or more: for tests that compare both ways.
        public static let everyRun = RunPolicy(minimumRun: 2, minimumWork: 0)
        /// Every run of two boxes or more, jumps of every kind included: for tests.
        public static let everyRunAndJump = RunPolicy(minimumRun: 2, minimumWork: 0, everyJump: true)
        public static let ruleByRule = RunPolicy(minimumRun: Int.max, minimumWork: Int.max)
    }

    /// A run of consecutive rules that `FirstMatchPartition` splits among in one pass: rules that
    /// accept, drop, return, go to a chain or jump to one that ends every packet it is given (or
    /// only log and count), decided without unknown answers or throttles.
    struct RuleRun: Sendable {
        /// The rule after the run.
        var end: Int
        var partition: FirstMatchPartition
    }

    /// Runs of rules matching at least `runPolicy.minimumRun` boxes, by first rule.
    private func ruleRuns(_ chainIndex: Int, frame: Frame) -> [Int: RuleRun] {
        let key = RunCache.Key(table: frame.table, chain: chainIndex, hook: frame.hook, beforeConntrack: frame.beforeConntrack)
        if let known = runCache.runs(key) { return known }
        let rules = index.ruleset.tables[frame.table].chains[chainIndex].rules
        var runs: [Int: RuleRun] = [:]
        var start = 0
        while start < rules.count {
            var end = start
            var boxes: [PacketBox] = [], owners: [Int] = []
            scan: while end < rules.count {
                let rule = rules[end]
                let position = RulePosition(table: frame.table, chain: chainIndex, rule: end)
                switch rule.action {
                case .continue, .none:
                    end += 1
                    continue scan
                case .verdict, .return, .goto, .jump:
                    break
                default:
                    break scan
                }
                guard DecidedThrottle.of(rule, at: position, hook: frame.hook, context: context).isEmpty else { break scan }
                let ruleBoxes = matchSpace.boxes(for: rule, at: position, hook: frame.hook, beforeConntrack: frame.beforeConntrack)
                guard ruleBoxes.allSatisfy({ $0.unknowns.isEmpty && !$0.widened }) else { break scan }
                if case .jump(let name) = rule.action, !runPolicy.everyJump {
                    // A jump that may bring packets back to the later rules ends the run; one whose
                    // chain ends every packet it is given acts as a verdict.
                    guard let target = index.chainIndex(table: frame.table, named: name),
                          ruleBoxes.allSatisfy({ chainEndings.endsEveryPacket(chain: target, of: $0, table: frame.table, hook: frame.hook,
                                                                              beforeConntrack: frame.beforeConntrack) })
                    else { break scan }
                }
                boxes += ruleBoxes
                owners += Array(repeating: end, count: ruleBoxes.count)
                end += 1
            }
            if boxes.count >= runPolicy.minimumRun {
                runs[start] = RuleRun(end: end, partition: FirstMatchPartition(boxes: boxes, owners: owners))
            }
            start = Swift.max(end, start + 1)
        }
        runCache.store(runs, for: key)
        return runs
    }

    /// Passes fragments through a run of rules: one partition per fragment, then each rule's action
    /// on its part, in rule order. What a jump brings back still meets the run's later rules.
    private func runRun(_ run: RuleRun, chainIndex: Int, _ fragments: [Fragment], frame: inout Frame, depth: Int,
                        result: inout ChainResult) -> [Fragment] {
        var parts: [Int: [Fragment]] = [:]
        var rest: [Fragment] = []
        for fragment in fragments {
            let split = run.partition.split(fragment.box)
            for (owner, box) in split.matched { parts[owner, default: []].append(fragment.with(box)) }
            rest += split.rest.map { fragment.with($0) }
        }
        var unchanged = true
        var carried: [Fragment] = []
        let first = run.partition.owners.first ?? run.end
        for ruleIndex in first..<run.end {
            let rule = index.ruleset.tables[frame.table].chains[chainIndex].rules[ruleIndex]
            let position = RulePosition(table: frame.table, chain: chainIndex, rule: ruleIndex)
            var matched = parts[ruleIndex] ?? []
            if !carried.isEmpty {
                let ruleBoxes = matchSpace.boxes(for: rule, at: position, hook: frame.hook, beforeConntrack: frame.beforeConntrack)
                let split = PathEngine.split(carried, by: ruleBoxes)
                matched += split.matched
                carried = split.rest
            }
            if matched.isEmpty { continue }
            unchanged = false
            // Every action of a run continues with nothing (verdict, return, goto) or what a jump brought
            // back; a rule that only logs or counts lets what it matched go on.
            carried += perform(rule, at: position, matched, frame: &frame, depth: depth, result: &result) ?? matched
        }
        return unchanged ? fragments : rest + carried
    }

    /// Splits fragments into the parts that `ruleBoxes` match and the rest, box by box.
    static func split(_ fragments: [Fragment], by ruleBoxes: [PacketBox]) -> (matched: [Fragment], rest: [Fragment]) {
        var matched: [Fragment] = []
        var rest: [Fragment] = []
        for fragment in fragments {
            var remaining = [fragment.box]
            for ruleBox in ruleBoxes {
                var next: [PacketBox] = []
                for box in remaining {
                    if let inside = box.intersection(ruleBox) {
                        matched.append(fragment.with(inside))
                        next += box.subtracting(ruleBox)
                    } else {
                        next.append(box)
                    }
                }
                remaining = next
            }
            rest += remaining.map { fragment.with($0) }
        }
        return (matched, rest)
    }

    /// Takes `rule`'s action on the fragments it matched; returns the fragments that go on to the
    /// next rule (besides those it did not match), or nil when every pending fragment goes on unchanged.
    private func perform(_ rule: Rule, at position: RulePosition, _ matched: [Fragment], frame: inout Frame, depth: Int,
                         result: inout ChainResult) -> [Fragment]? {
        let table = index.ruleset.tables[frame.table]
        let chain = table.chains[position.chain]
        func decision(_ verdict: Verdict) -> Decision {
            Decision(hook: frame.hook, table: table.name, baseChain: frame.baseChain, chain: chain.name, rule: rule, position: position,
                     verdict: verdict, chainLocation: frame.baseLocation, isNatTable: frame.isNat)
        }
        switch rule.action {
        case .verdict(let verdict):
            let made = decision(verdict)
            let decided = matched.map { $0.adding(made) }
            if verdict == .accept { result.accepted += decided } else { result.dropped += decided }
            return []
        case .return:
            result.returned += matched
            return []
        case .jump(let name), .goto(let name):
            guard let target = index.chainIndex(table: frame.table, named: name) else {
                result.dropped += matched.map { $0.adding(decision(.drop)) }
                return []
            }
            guard depth + 1 < EngineLimits.chainDepth else {
                // Not followed further (`RulesetIndex.depthDiagnostics` names the rule): what the
                // chain would do is unknown, as for a verdict taken outside the ruleset.
                decideUnknown(matched, at: position, decision: decision, result: &result)
                return []
            }
            // The parts a rule matched may be split finer than the chain needs (the rest of a
            // blocklist, one box per address, cut down to one zone's sources): merged first.
            // Exactly: no unknown answer is loosened on the way in.
            let entering = matched.count > EngineLimits.pendingBeforeMerge ? PathEngine.coalesce(matched, widening: false) : matched
            let inner = runChain(target, entering, frame: &frame, depth: depth + 1)
            result.accepted += inner.accepted
            result.dropped += inner.dropped
            // What came back is merged only when the chain multiplied it: fragments that came back as they
            // went in (a chain that matched none of them) are merged already.
            let back = inner.returned.count > EngineLimits.returnedBeforeMerge && inner.returned.count > entering.count ? PathEngine.coalesce(inner.returned) : inner.returned
            if case .goto = rule.action {
                result.returned += back
                return []
            } else {
                return back
            }
        case .setMark(let value, let mask):
            return matched.map { fragment in
                var changed = fragment
                changed.box.mark = PathEngine.applyMark(fragment.box.mark, value: value, mask: mask)
                return changed
            }
        case .notrack:
            return matched.map { fragment in
                var changed = fragment
                changed.box.state = .untracked
                changed.box.translation = IntervalSet(value: 0)
                return changed
            }
        case .connectionMark(let action):
            if frame.beforeConntrack { return nil }
            // Only tracked packets have a connection mark to change.
            let untracked = matched.compactMap { fragment -> Fragment? in
                var part = fragment
                part.box.state = fragment.box.state.intersection(.untracked)
                return part.box.state.isEmpty ? nil : part
            }
            let tracked = matched.compactMap { fragment -> Fragment? in
                var part = fragment
                part.box.state = fragment.box.state.subtracting(.untracked)
                return part.box.state.isEmpty ? nil : part
            }
            return untracked + tracked.map { fragment in
                var changed = fragment
                switch action {
                case .set(let value, let mask): changed.box.connectionMark = PathEngine.applyMark(fragment.box.connectionMark, value: value, mask: mask)
                case .save: changed.box.connectionMark = fragment.box.mark
                case .restore: changed.box.mark = fragment.box.connectionMark
                }
                return changed
            }
        case .nat(let action):
            let made = decision(.accept)
            let target = NatTarget(action, hook: frame.hook, context: context)
            if target.isEmpty {
                // A translation to no address of this family (`dnat ip to …` seen by IPv6 packets) does not apply.
                return matched
            }
            // Each part of the matched packets with the addresses it is sent to: REDIRECT in
            // prerouting sends a packet to an address of the interface it came in on.
            var parts: [(fragment: Fragment, addresses: AddressSet?)] = matched.map { ($0, target.destinations) }
            if case .redirect = action, frame.hook == .prerouting {
                parts = matched.flatMap { fragment in
                    context.redirectGroups(fragment.box.inInterface).map { group in
                        var part = fragment
                        part.box.inInterface = group.interfaces
                        return (part, Optional(group.addresses))
                    }
                }
            }
            result.accepted += parts.map { fragment, addresses in
                var changed = fragment.adding(made)
                changed.box.translation = PathEngine.marking(fragment.box.translation, with: target.status)
                if let addresses {
                    changed.box.originalDestination = changed.box.originalDestination ?? fragment.box.destination
                    changed.box.destination = addresses
                }
                if let ports = target.ports {
                    changed.box.originalDestinationPort = changed.box.originalDestinationPort ?? fragment.box.destinationPort
                    changed.box.destinationPort = ports
                }
                return changed
            }
            return []
        case .opaqueVerdict:
            decideUnknown(matched, at: position, decision: decision, result: &result)
            return []
        case .continue, .none:
            return nil
        }
    }

    /// Takes the rule's verdict as unknown: each fragment is accepted on one answer of the rule's
    /// verdict condition and dropped on the other.
    private func decideUnknown(_ matched: [Fragment], at position: RulePosition, decision: (Verdict) -> Decision, result: inout ChainResult) {
        let id = index.verdictUnknownId(at: position)
        for fragment in matched {
            var accepted = fragment.box, dropped = fragment.box
            accepted.unknowns = (accepted.unknowns + [PacketBox.UnknownAnswer(id: id, holds: true)]).sorted()
            dropped.unknowns = (dropped.unknowns + [PacketBox.UnknownAnswer(id: id, holds: false)]).sorted()
            if fragment.box.answer(for: id) != false {
                result.accepted.append(fragment.with(accepted).adding(decision(.accept)))
            }
            if fragment.box.answer(for: id) != true {
                result.dropped.append(fragment.with(dropped).adding(decision(.drop)))
            }
        }
    }

    /// Splits fragments by whether they meet every condition of `rule` but its throttles (other
    /// unknown conditions taken as possibly holding); the part that does records `throttles`.
    private func noteThrottles(_ throttles: [DecidedThrottle], of rule: Rule, at position: RulePosition, frame: Frame,
                               _ fragments: [Fragment]) -> [Fragment] {
        let met = matchSpace.boxes(for: rule, at: position, hook: frame.hook, beforeConntrack: frame.beforeConntrack, withoutThrottles: true)
            .map(\.withoutUnknowns)
        if met.isEmpty { return fragments }
        var result: [Fragment] = []
        for fragment in fragments {
            let new = throttles.filter { !$0.isIn(fragment.throttles) }
            if new.isEmpty {
                result.append(fragment)
                continue
            }
            let parts = PathEngine.split([fragment], by: met)
            result += parts.matched.map { Fragment(box: $0.box, decisions: fragment.decisions, throttles: fragment.throttles + new) }
            result += parts.rest
        }
        return result
    }

    /// The mark after `mark = (mark & ~mask) ^ value`, exact for a single value and for a full mask.
    static func applyMark(_ current: IntervalSet<UInt32>, value: UInt32, mask: UInt32) -> IntervalSet<UInt32> {
        if mask == UInt32.max { return IntervalSet(value: value) }
        // A few values map one by one, exactly.
        if current.approximateCount <= Double(EngineLimits.markValues) {
            return IntervalSet(ranges: current.ranges.flatMap { $0.map { (($0 & ~mask) ^ value)...(($0 & ~mask) ^ value) } })
        }
        return .full
    }

    /// Merges fragments with the same history whose boxes differ in one field.
    ///
    /// Boxes with the same packets that differ only in their unknown answers are kept apart up
    /// to `answerVariants`; beyond that they are merged on the answers they share (widening),
    /// which keeps chains of hundreds of unmodelled matches linear instead of exponential.
    /// Without `widening`, only boxes with the same answers merge.
    static func coalesce(_ fragments: [Fragment], answerVariants: Int = EngineLimits.answerVariants, widening: Bool = true) -> [Fragment] {
        if fragments.count < 2 { return fragments }
        struct History: Hashable {
            var decisions: [Decision]
            var throttles: [DecidedThrottle]
        }
        // Each fragment's group, numbered in order of first appearance.
        var groupOf: [History: Int] = [:]
        groupOf.reserveCapacity(fragments.count)
        var group: [Int] = []
        group.reserveCapacity(fragments.count)
        var first: [Int] = []
        for (index, fragment) in fragments.enumerated() {
            let history = History(decisions: fragment.decisions, throttles: fragment.throttles)
            if let known = groupOf[history] {
                group.append(known)
            } else {
                groupOf[history] = first.count
                group.append(first.count)
                first.append(index)
            }
        }
        // Nothing to merge when every fragment has a history of its own (ten thousand bans).
        if first.count == fragments.count { return fragments }
        var membersOf = [[PacketBox]](repeating: [], count: first.count)
        for (index, fragment) in fragments.enumerated() { membersOf[group[index]].append(fragment.box) }
        return first.indices.flatMap { number -> [Fragment] in
            let members = membersOf[number]
            let history = fragments[first[number]]
            if members.count == 1 { return [history] }
            var boxes = widening ? widen(members, answerVariants: answerVariants).coalesced().boxes : PacketSpace(members).coalesced().boxes
            if widening && boxes.count > EngineLimits.boxesBeforeForgetting {
                // Still too many: forget every unknown answer, so boxes split only by them can merge.
                boxes = PacketSpace(boxes.map { box in
                    var loose = box.withoutUnknowns
                    loose.widened = true
                    return loose
                }).coalesced().boxes
            }
            return boxes.map { history.with($0) }
        }
    }


    /// Boxes with the same packets are grouped (in order of first appearance); a group of more than
    /// `answerVariants` distinct answer sets becomes one box with the answers they all share,
    /// marked widened. Boxes are grouped by index, without a collection per group; `keyHash`
    /// hashes their packets (tests give one that makes every group collide).
    static func widen(_ boxes: [PacketBox], answerVariants: Int, keyHash: (PacketBox) -> Int = { $0.hashValue }) -> PacketSpace {
        // Boxes that fix no answer and loosened none have no variants to merge (duplicates merge later, in order).
        if boxes.allSatisfy({ $0.unknowns.isEmpty && !$0.widened }) { return PacketSpace(boxes) }
        let keys = boxes.map(\.withoutUnknowns)
        var firstWithHash: [Int: Int] = [:]
        firstWithHash.reserveCapacity(boxes.count)
        // Per group: the box that opened it, the next group with the same hash, its distinct
        // variants chained from first to last, and how many there are.
        var opener: [Int] = [], nextWithHash: [Int] = [], firstVariant: [Int] = [], lastVariant: [Int] = [], variants: [Int] = []
        var nextVariant = [Int](repeating: -1, count: boxes.count)
        for index in boxes.indices {
            let hash = keyHash(keys[index])
            var group = firstWithHash[hash] ?? -1
            var previous = -1
            while group >= 0 && keys[opener[group]] != keys[index] {
                previous = group
                group = nextWithHash[group]
            }
            if group < 0 {
                group = opener.count
                opener.append(index)
                nextWithHash.append(-1)
                firstVariant.append(index)
                lastVariant.append(index)
                variants.append(1)
                if previous >= 0 { nextWithHash[previous] = group } else { firstWithHash[hash] = group }
                continue
            }
            // A box met twice is one variant, not two: duplicates never count towards widening.
            // Past the bound the group is merged anyway, and a duplicate changes no shared answer.
            var variant = variants[group] > answerVariants ? -1 : firstVariant[group], duplicate = false
            while variant >= 0 {
                if boxes[variant].unknowns == boxes[index].unknowns && boxes[variant].widened == boxes[index].widened {
                    duplicate = true
                    break
                }
                variant = nextVariant[variant]
            }
            if duplicate { continue }
            nextVariant[lastVariant[group]] = index
            lastVariant[group] = index
            variants[group] += 1
        }
        var result: [PacketBox] = []
        result.reserveCapacity(opener.count)
        for group in opener.indices {
            if variants[group] <= answerVariants {
                var variant = firstVariant[group]
                while variant >= 0 {
                    result.append(boxes[variant])
                    variant = nextVariant[variant]
                }
                continue
            }
            var merged = keys[opener[group]]
            var shared = Set(boxes[opener[group]].unknowns)
            var variant = nextVariant[firstVariant[group]]
            while variant >= 0 {
                shared.formIntersection(boxes[variant].unknowns)
                variant = nextVariant[variant]
            }
            merged.unknowns = shared.sorted()
            merged.widened = true
            result.append(merged)
        }
        return PacketSpace(result)
    }
}

/// Holds the match translator and the boxes of every rule it translated, per hook.
final class MatchSpaceBox: Sendable {
    let value: MatchSpace
    private let cache = Mutex<[CacheKey: [PacketBox]]>([:])

    struct CacheKey: Hashable {
        var position: RulePosition
        var hook: Hook
        var beforeConntrack: Bool
        var withoutThrottles: Bool
    }

    init(_ value: MatchSpace) { self.value = value }

    func boxes(for rule: Rule, at position: RulePosition, hook: Hook, beforeConntrack: Bool, withoutThrottles: Bool = false) -> [PacketBox] {
        let key = CacheKey(position: position, hook: hook, beforeConntrack: beforeConntrack, withoutThrottles: withoutThrottles)
        if let known = cache.withLock({ $0[key] }) { return known }
        let boxes = value.boxes(for: rule, at: position, hook: hook, beforeConntrack: beforeConntrack, withoutThrottles: withoutThrottles)
        cache.withLock { $0[key] = boxes }
        return boxes
    }
}

/// The rule runs of each chain, per hook and conntrack position, found once per engine.
final class RunCache: Sendable {
    struct Key: Hashable {
        var table: Int
        var chain: Int
        var hook: Hook
        var beforeConntrack: Bool
    }

    private let known = Mutex<[Key: [Int: PathEngine.RuleRun]]>([:])

    func runs(_ key: Key) -> [Int: PathEngine.RuleRun]? { known.withLock { $0[key] } }
    func store(_ runs: [Int: PathEngine.RuleRun], for key: Key) { known.withLock { $0[key] = runs } }
}
