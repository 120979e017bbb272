import FirewallModel
import NftablesSemantics

/// Turns a rule's statement sequence into model rules, which have one action each.
///
/// nft runs statements in order: `meta mark set 1 accept` first marks, then accepts. A rule with
/// state-changing effects becomes one model rule per effect (each with the conditions written
/// before it) followed by the rule's verdict; a verdict map becomes one rule per element. A
/// condition whose field an earlier effect of the same rule rewrote is opaque in the later copies.
struct RuleAssembler {
    var location: SourceLocation
    var text: String
    var comment: String?

    func assemble(_ statements: [Statement], builder: inout MatchBuilder) -> [Rule] {
        var matches: [(match: Match, effectsBefore: Int)] = []
        var effects: [(action: Action, matchCount: Int)] = []
        var sideEffects: [String] = []
        var unknownName: String?
        var final: [(matches: [Match], action: Action)]?
        for statement in statements {
            if final != nil { break }
            switch statement {
            case .condition(let more):
                // Implied header checks repeat across statements (`ip saddr … ip daddr …`); one is enough.
                // Opaque matches and throttles are each their own test, however alike.
                for match in more where match.isOpaque || match.throttle != nil || !matches.contains(where: { $0.match == match }) {
                    matches.append((match, effects.count))
                }
            case .unknown(let match, let name):
                matches.append((match, effects.count))
                unknownName = unknownName ?? name
            case .effect(let action):
                effects.append((action, matches.count))
            case .sideEffect(let name):
                sideEffects.append(name)
            case .verdict(let action):
                final = [([], action)]
            case .verdictMap(let entries):
                final = entries
            }
        }

        /// The conditions before `count`, seen by the action after effect number `effectIndex`.
        func conditions(upTo count: Int, afterEffects effectIndex: Int, builder: inout MatchBuilder) -> [Match] {
            matches.prefix(count).map { entry in
                let rewriting = effects[entry.effectsBefore..<effectIndex].map(\.action)
                guard rewriting.contains(where: { RuleAssembler.rewrites($0, entry.match.condition) }) else { return entry.match }
                return builder.opaque("rewritten", reason: "an earlier statement of the rule changed this field", text: entry.match.text)
            }
        }

        var rules: [Rule] = []
        func add(_ matches: [Match], _ action: Action) {
            rules.append(Rule(location: location, matches: matches, action: action, text: text, comment: comment))
        }
        for (index, effect) in effects.enumerated() {
            add(conditions(upTo: effect.matchCount, afterEffects: index, builder: &builder), effect.action)
        }
        let all = conditions(upTo: matches.count, afterEffects: effects.count, builder: &builder)
        if let final {
            for entry in final { add(all + entry.matches.filter { $0.isOpaque || !all.contains($0) }, entry.action) }
        } else if let unknownName {
            // The unknown statement may have been a verdict.
            builder.warn("statement '\(unknownName)' may end the rule with a verdict; treated as unknown")
            add(all, .opaqueVerdict(unknownName))
        } else if effects.isEmpty {
            add(all, sideEffects.contains("log") ? .continue("log") : .none)
        }
        return rules
    }

    /// Whether `action` changes what `condition` reads.
    static func rewrites(_ action: Action, _ condition: Condition) -> Bool {
        switch condition {
        case .oneOf(let conjunctions):
            return conjunctions.contains { $0.contains { rewrites(action, $0.condition) } }
        case .packetMark:
            switch action {
            case .setMark, .connectionMark(.restore): return true
            default: return false
            }
        case .connectionMark:
            switch action {
            case .connectionMark(.set), .connectionMark(.save), .notrack: return true
            default: return false
            }
        case .connectionState:
            if case .notrack = action { return true }
            return false
        default:
            return false
        }
    }
}
