import FirewallModel
import NftablesBytecode
import NftablesSemantics

/// Turns one rule's register program into model rules, expression by expression, keeping a
/// symbolic register file as nft's `netlink_delinearize.c` does.
///
/// A verdict map or data map splits the rule into one path per key (a packet matches at most one
/// key), so one program can give several model rules.
struct RuleDelinearizer {
    let rule: RuleObject
    let tableFamily: NetfilterFamily
    /// The sets of the rule's table, by name.
    let sets: [String: SetObject]
    /// Sets that rules update at run time (`dynset`): their contents now say nothing about later packets.
    let dynamicSets: Set<String>
    let chains: Set<String>
    let builder: ConditionBuilder
    let location: SourceLocation
    var diagnostics: [Diagnostic] = []

    init(rule: RuleObject, sets: [String: SetObject], dynamicSets: Set<String>, chains: Set<String>,
         interfaceNames: [UInt32: String], source: String) {
        self.rule = rule
        self.tableFamily = rule.family
        self.sets = sets
        self.dynamicSets = dynamicSets
        self.chains = chains
        self.builder = ConditionBuilder(tableFamily: NftablesLoader.tableFamily(rule.family), interfaceNames: interfaceNames)
        self.location = SourceLocation(source: source, detail: "table \(rule.family) \(rule.table) chain \(rule.chain) handle \(rule.handle)")
    }

    func error(_ message: String) -> NftablesLoadingError { NftablesLoadingError(location: location, message: message) }

    mutating func warn(_ message: String) { diagnostics.append(Diagnostic(.warning, message, at: location)) }
    mutating func note(_ message: String) { diagnostics.append(Diagnostic(.note, message, at: location)) }

    /// The model rules of the program, in order.
    mutating func rules() throws(NftablesLoadingError) -> [Rule] {
        var context = ProtocolContext()
        if tableFamily == .ip { context.family = .ipv4 }
        if tableFamily == .ip6 { context.family = .ipv6 }
        let paths = try run(0, RuleState(context: context))
        var result: [Rule] = []
        for path in paths { result += finish(path) }
        return result
    }

    /// Assembles a path's rules: one per effect, then the verdict, all sharing the matches.
    private mutating func finish(_ state: RuleState) -> [Rule] {
        let matches = state.matches.map(\.match)
        var actions = state.effects
        if let verdict = state.verdict { actions.append(verdict) }
        if actions.isEmpty { actions = [state.logs ? .continue("log") : .none] }
        if actions.count > 1 {
            let testsMarks = matches.contains { match in
                switch match.condition { case .packetMark, .connectionMark: true; default: false }
            }
            if testsMarks {
                warn("rule sets a mark and tests one; modelled as \(actions.count) rules that each test the mark again")
            }
        }
        // The rule's own comment (from userdata) is printed after it, as nft lists it; an
        // iptables-nft comment match is already part of the text.
        let text = state.text + (rule.comment.map { " comment \"\($0)\"" } ?? "")
        return actions.map { Rule(location: location, matches: matches, action: $0, text: text,
                           comment: rule.comment ?? (state.comments.isEmpty ? nil : state.comments.joined(separator: " "))) }
    }

    /// Runs the program from `index`, returning every path (more than one after a map lookup).
    mutating func run(_ start: Int, _ initial: RuleState) throws(NftablesLoadingError) -> [RuleState] {
        var state = initial
        var index = start
        let program = rule.expressions
        while index < program.count {
            let expression = program[index]
            index += 1
            switch expression {
            case .payload(let base, let offset, let length, let destination):
                let (field, dependency) = FieldResolution.payload(base: base, offset: Int(offset), length: Int(length), context: state.context)
                hideDependencies(of: field, dependency, &state)
                state.store(RegisterValue(field: field, length: Int(length), dependency: dependency), at: destination)
            case .meta(let key, let destination):
                state.store(RegisterValue(field: FieldResolution.meta(key), length: NotationParser.metaWidth(key)), at: destination)
            case .ct(let key, let direction, let destination):
                state.store(RegisterValue(field: FieldResolution.conntrack(key, direction: direction), length: NotationParser.conntrackWidth(key)), at: destination)
            case .fib(let flags, let result, let destination):
                state.store(RegisterValue(field: FieldResolution.fib(flags: flags, result: result), length: result == 2 ? 16 : 4), at: destination)
            case .numgen(let destination, let modulus, _, let offset):
                state.store(RegisterValue(field: .numgen(modulus: modulus, offset: offset), length: 4), at: destination)
            case .socket(let key, _, let destination):
                state.store(RegisterValue(field: .opaque(notation(expression)), length: [1, 4, 1, 8][Int(min(key, 3))]), at: destination)
            case .exthdr(_, _, let length, let destination?, nil, _, _):
                state.store(RegisterValue(field: .opaque(notation(expression)), length: Int(length)), at: destination)
            case .immediate(let destination, .data(let bytes)):
                state.store(RegisterValue(constant: bytes), at: destination)
            case .immediate(_, .verdict(let code, let chain)):
                state.verdict = try verdict(code, chain: chain)
                state.pieces.append(.text(verdictText(code, chain: chain)))
            case .bitwise(let source, let destination, _, let op, let mask, let xor, _):
                var value = try read(source, state)
                if op == .maskXor, value.mask == nil, value.xor == nil {
                    value.mask = mask
                    value.xor = xor
                } else {
                    value = RegisterValue(field: .opaque("(\(value.field.name)) \(notation(expression))"), length: value.length)
                }
                state.store(value, at: destination)
            case .byteorder(let source, let destination, _, _, _):
                var value = try read(source, state)
                value.swapped.toggle()
                state.store(value, at: destination)
            case .cmp(let op, let source, let data):
                try compare(&state, op: op, source: source, data: data, expression: expression)
            case .range(let op, let source, let from, let to):
                let value = try read(source, state)
                let low = value.integer(from), high = value.integer(to)
                guard low <= high else { throw error("range \(from) > \(to)") }
                constrain(&state, value, IntervalSet(low...high), negated: op == .neq, expression: expression)
            case .lookup(let source, let destination, let name, _, let inverted):
                return try lookup(state, source: source, destination: destination, name: name, inverted: inverted,
                                  expression: expression, next: index)
            default:
                try statement(&state, expression)
            }
        }
        return [state]
    }

    /// Leaves out of the rule text the protocol checks nft inserted for a load, as nft's listing
    /// does: for ICMP, the family check and `meta l4proto` (an `ip protocol` or `ip6 nexthdr` the
    /// rule wrote in an inet table stays, as nft prints it).
    private func hideDependencies(of field: Field, _ dependency: Int?, _ state: inout RuleState) {
        guard let dependency else { return }
        guard field.icmpFamily != nil else {
            state.matches[dependency].hidden = true
            return
        }
        let fromHeader = state.matches[dependency].compared.map { $0.value.field != .layer4Protocol(nil) } ?? false
        if !(fromHeader && tableFamily != .ip && tableFamily != .ip6) { state.matches[dependency].hidden = true }
        if let family = state.context.familyMatch, family < dependency { state.matches[family].hidden = true }
    }

    func read(_ register: Register, _ state: RuleState) throws(NftablesLoadingError) -> RegisterValue {
        if let value = state.registers[register.word] { return value }
        // An expression the IR does not know may have written it; otherwise the program is malformed.
        if state.sawUnknownExpression { return RegisterValue(field: .opaque(Field.unknownResult), length: 16) }
        throw error("program reads \(register) before writing it")
    }

    func notation(_ expression: Expression) -> String {
        String(expression.description.dropFirst(2).dropLast(2))
    }
}
