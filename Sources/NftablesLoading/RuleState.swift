import FirewallModel
import NftablesBytecode

/// The delinearizer's view of one path through a rule's program: the symbolic register file,
/// the protocol context, the matches so far and the rule's effects.
struct RuleState: Sendable {
    /// A match and whether the rule text leaves it out (a protocol check a later field implies).
    struct Pending: Sendable {
        var match: Match
        var hidden = false
        /// The register value and positive values compared, so that `gte` then `lte` merge into one range.
        var compared: (value: RegisterValue, values: IntervalSet<UInt128>)?
    }

    enum Piece: Sendable {
        case match(Int)
        case text(String)
    }

    /// Register values by 4-byte word.
    var registers: [Int: RegisterValue] = [:]
    var context: ProtocolContext
    var matches: [Pending] = []
    var pieces: [Piece] = []
    /// Effects that do not end the rule (marks, notrack, logging), in program order.
    var effects: [Action] = []
    var verdict: Action?
    var logs = false
    /// An expression the IR has no case for ran: it may have written registers.
    var sawUnknownExpression = false
    /// Comments carried by iptables-nft's `comment` match.
    var comments: [String] = []

    init(context: ProtocolContext) { self.context = context }

    /// Stores a value, clearing every word it overwrites and any value it cuts into.
    mutating func store(_ value: RegisterValue, at register: Register) {
        let first = register.word
        let words = max(1, (value.length + 3) / 4)
        for (word, held) in registers {
            let heldEnd = word + max(1, (held.length + 3) / 4)
            if word < first + words && heldEnd > first { registers[word] = nil }
        }
        registers[first] = value
    }

    mutating func append(_ match: Match, hidden: Bool = false, compared: (RegisterValue, IntervalSet<UInt128>)? = nil) {
        matches.append(Pending(match: match, hidden: hidden, compared: compared))
        pieces.append(.match(matches.count - 1))
    }

    /// The rule text: visible matches and statements in program order.
    var text: String {
        pieces.compactMap { piece -> String? in
            switch piece {
            case .match(let index): matches[index].hidden ? nil : matches[index].match.text
            case .text(let text): text
            }
        }.filter { !$0.isEmpty }.joined(separator: " ")
    }
}
