import FirewallModel

/// The options every rule understands, outside any match module or target.
enum TopLevelOption {
    case source, destination, `protocol`, inInterface, outInterface, fragment
    case match, jump, goto, setCounters, ipv4, ipv6
    /// A table command (`-A`, `-D`, …) where a rule option was expected.
    case command
    /// Another single-letter option: an error, but it still ends a module's options.
    case unknownLetter

    private static let names: [String: TopLevelOption] = {
        var names: [String: TopLevelOption] = [:]
        let spellings: [(TopLevelOption, [String])] = [
            (.source, ["-s", "--source", "--src"]), (.destination, ["-d", "--destination", "--dst"]),
            (.protocol, ["-p", "--protocol"]), (.inInterface, ["-i", "--in-interface"]),
            (.outInterface, ["-o", "--out-interface"]), (.fragment, ["-f", "--fragment"]),
            (.match, ["-m", "--match"]), (.jump, ["-j", "--jump"]), (.goto, ["-g", "--goto"]),
            (.setCounters, ["-c", "--set-counters"]), (.ipv4, ["-4", "--ipv4"]), (.ipv6, ["-6", "--ipv6"]),
            (.command, [
                "-A", "-C", "-D", "-E", "-F", "-I", "-L", "-N", "-P", "-R", "-S", "-X", "-Z",
                "--append", "--check", "--delete", "--rename-chain", "--flush", "--insert", "--list", "--new-chain",
                "--policy", "--replace", "--list-rules", "--delete-chain", "--zero",
            ]),
        ]
        for (option, words) in spellings { for word in words { names[word] = option } }
        return names
    }()

    init?(_ text: String) {
        guard text.utf8.count >= 2, text.utf8.first == UInt8(ascii: "-") else { return nil }
        if let option = TopLevelOption.names[text] {
            self = option
            return
        }
        // Extensions use long options only, so any other single letter is a typo.
        guard text.utf8.count == 2, let letter = text.last, letter.isASCII, letter.isLetter else { return nil }
        self = .unknownLetter
    }
}

/// Translates the words of one rule (after `-A CHAIN`) into matches and an action.
///
/// Options are read left to right as iptables' getopt loop does: top-level options, then the
/// options of the match module loaded last (`-m NAME`, or the one `-p PROTO` loads implicitly), then
/// the target's options after `-j`. Modules the model covers are translated option by option;
/// every other module becomes one opaque match spanning all its options.
struct RuleParser {
    let lineText: LineText
    let tokens: [Token]
    let family: AddressFamily
    let source: String
    let line: Int
    /// User chains declared in the table (jump and goto targets).
    let userChains: Set<String>
    /// The table's built-in chain names (never a jump target).
    let builtinChains: Set<String>
    /// Treat `-j`/`-g` to an undeclared chain as an unknown verdict instead of an error.
    var allowUndeclaredChains = false

    var index: Int
    private(set) var matches: [Match] = []
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var comments: [String] = []
    /// Set when the rule is for the other family only (`-6` in an IPv4 file): iptables skips it.
    private(set) var skipReason: String?

    private var protocolNumber: UInt8?
    private var protocolNegated = false
    /// Modelled modules in the order they were loaded (explicitly or implicitly).
    private var loadedModules: [String] = []
    private var context: Context = .none
    private var seenOptions: Set<String> = []
    private var target: (name: Token, isGoto: Bool)?
    private var targetArguments: [Token] = []

    private enum Context: Equatable {
        case none
        case module(String)
        case opaqueModule(String)
        case target
    }

    init(line text: LineText, tokens: [Token], startingAt index: Int, family: AddressFamily, source: String, line: Int,
         userChains: Set<String>, builtinChains: Set<String>) {
        self.lineText = text
        self.tokens = tokens
        self.index = index
        self.family = family
        self.source = source
        self.line = line
        self.userChains = userChains
        self.builtinChains = builtinChains
    }

    var ruleLocation: SourceLocation { SourceLocation(source: source, line: line) }

    // MARK: Reading

    /// Reads every remaining word; returns the rule's action.
    mutating func parse() throws(IptablesLoadingError) -> Action {
        while index < tokens.count {
            var negation: Token?
            var token = tokens[index]
            if token.isBang {
                negation = token
                index += 1
                guard index < tokens.count else { throw error("'!' at end of rule", at: token) }
                token = tokens[index]
                if token.isBang { throw error("double negation", at: token) }
            }
            index += 1
            if token.quoted { throw error("unexpected word '\(token.text)'", at: token) }
            if let option = TopLevelOption(token.text) {
                try topLevel(option, token, negation: negation)
            } else if token.text.hasPrefix("--") {
                try extensionOption(token, negation: negation)
            } else if token.text.hasPrefix("-") && token.text.count > 1 {
                throw error("unknown option '\(token.text)'", at: token)
            } else {
                throw error("unexpected word '\(token.text)'", at: token)
            }
        }
        return try resolveTarget()
    }

    private mutating func topLevel(_ option: TopLevelOption, _ token: Token, negation: Token?) throws(IptablesLoadingError) {
        var negated = negation != nil
        let start = negation ?? token
        switch option {
        case .source, .destination:
            let value = try argument(for: token, negated: &negated)
            try once(option == .source ? "-s" : "-d", token)
            if negated && value.text.contains(",") {
                throw error("'!' is not allowed with several addresses", at: value)
            }
            let set = try parse(value) { text throws(ValueError) in try Values.addresses(text, family: family) }
            matches.append(Match(.address(option == .source ? .source : .destination, set), negated: negated, text: slice(start, value)))
        case .protocol:
            let value = try argument(for: token, negated: &negated)
            try once("-p", token)
            let number = try parse(value) { text throws(ValueError) in try Values.protocolNumber(text) }
            protocolNumber = number
            protocolNegated = negated
            if number == 0 {
                if negated { throw error("'! -p \(value.text)' never matches", at: value) }
            } else {
                matches.append(Match(.layer4Protocol(ProtocolSet(value: number)), negated: negated, text: slice(start, value)))
            }
        case .inInterface, .outInterface:
            let value = try argument(for: token, negated: &negated)
            try once(option == .inInterface ? "-i" : "-o", token)
            guard !value.text.isEmpty, value.text.count <= 15, !value.text.contains(where: \.isWhitespace) else {
                throw error("invalid interface name '\(value.text)'", at: value)
            }
            let pattern = InterfacePattern(iptables: value.text)
            let condition: Condition = option == .inInterface ? .inInterface(pattern) : .outInterface(pattern)
            matches.append(Match(condition, negated: negated, text: slice(start, value)))
        case .fragment:
            try once("-f", token)
            addOpaque(module: "fragment", reason: "fragments are not modelled", negated: negated, text: slice(start, token),
                      message: "fragment match '-f' is not modelled; treated as unknown")
        case .match:
            if negated { throw error("'!' cannot precede -m", at: start) }
            let name = try argument(for: token, negated: &negated)
            if negated { throw error("'!' cannot follow -m", at: name) }
            try loadModule(name.text, from: token, nameToken: name)
        case .jump, .goto:
            if negated { throw error("'!' cannot precede \(token.text)", at: start) }
            let name = try argument(for: token, negated: &negated)
            if negated { throw error("'!' cannot follow \(token.text)", at: name) }
            if target != nil { throw error("more than one target", at: token) }
            target = (name, option == .goto)
            context = .target
            targetArguments += consumeUntilTopLevel(stopAtImplicit: false).tokens
        case .setCounters:
            for _ in 0..<2 {
                let value = try argument(for: token, negated: &negated)
                guard UInt64(value.text) != nil else { throw error("malformed counter '\(value.text)'", at: value) }
            }
            if negated { throw error("'!' cannot be used with \(token.text)", at: start) }
        case .ipv4, .ipv6:
            if negated { throw error("'!' cannot be used with \(token.text)", at: start) }
            let wanted: AddressFamily = option == .ipv4 ? .ipv4 : .ipv6
            if wanted != family { skipReason = "rule is for \(wanted.rawValue) only; skipped" }
        case .command:
            throw error("unexpected command '\(token.text)' inside a rule", at: token)
        case .unknownLetter:
            throw error("unknown option '\(token.text)'", at: token)
        }
    }

    /// An option starting with `--` that is not a top-level option: it belongs to the current
    /// module, an earlier modelled module, the implicit protocol module, or the target.
    private mutating func extensionOption(_ token: Token, negation: Token?) throws(IptablesLoadingError) {
        switch context {
        case .target:
            if let negation { targetArguments.append(negation) }
            targetArguments.append(token)
            targetArguments += consumeUntilTopLevel(stopAtImplicit: false).tokens
            return
        case .opaqueModule(let name):
            // Options of the implicit protocol match end an opaque module's run (see consumeUntilTopLevel).
            if name != "dccp", let implicit = implicitModule, MatchModules.isModelled(implicit),
               MatchModules.arity(of: token.text, in: implicit) != nil {
                break
            }
            let rest = consumeUntilTopLevel(stopAtImplicit: name != "dccp")
            let last = rest.tokens.last ?? token
            addOpaque(module: name, negated: negation != nil || rest.negated, text: slice(negation ?? token, last))
            return
        case .module, .none:
            break
        }
        var candidates: [String] = []
        if case .module(let current) = context { candidates.append(current) }
        candidates += loadedModules.reversed().filter { !candidates.contains($0) }
        if let owner = candidates.first(where: { MatchModules.arity(of: token.text, in: $0) != nil }) {
            try moduleOption(owner, token, negation: negation)
            return
        }
        if let implicit = implicitModule {
            if MatchModules.isModelled(implicit) {
                if MatchModules.arity(of: token.text, in: implicit) != nil {
                    loadedModules.append(implicit)
                    context = .module(implicit)
                    try moduleOption(implicit, token, negation: negation)
                    return
                }
            } else {
                // An implicit module fwaudit does not model (dccp, esp, ah): opaque, like `-m NAME`.
                context = .opaqueModule(implicit)
                let rest = consumeUntilTopLevel(stopAtImplicit: false)
                let last = rest.tokens.last ?? token
                addOpaque(module: implicit, negated: negation != nil || rest.negated, text: slice(negation ?? token, last))
                return
            }
        }
        if case .module(let current) = context {
            throw error("unknown option '\(token.text)' for match '\(current)'", at: token)
        }
        throw error("unknown option '\(token.text)'", at: token)
    }

    /// The module `-p PROTO` loads for options written without `-m` (not after `! -p`).
    private var implicitModule: String? {
        guard let protocolNumber, !protocolNegated else { return nil }
        return NameTables.implicitModule(forProtocol: protocolNumber, ipv6: family == .ipv6)
    }

    // MARK: Match modules

    private mutating func loadModule(_ name: String, from token: Token, nameToken: Token) throws(IptablesLoadingError) {
        if name == "icmp" && family == .ipv6 { throw error("match 'icmp' is for ipv4 rulesets; use icmp6", at: nameToken) }
        if name == "icmp6" && family == .ipv4 { throw error("match 'icmp6' is for ipv6 rulesets; use icmp", at: nameToken) }
        if MatchModules.isModelled(name) {
            loadedModules.append(name)
            context = .module(name)
            return
        }
        context = .opaqueModule(name)
        let rest = consumeUntilTopLevel(stopAtImplicit: name != "dccp")
        let text = slice(token, rest.tokens.last ?? nameToken)
        if ThrottleModules.isThrottle(name),
           let throttle = ThrottleModules.throttle(module: name, words: rest.tokens.filter { !$0.isBang }.map(\.text)) {
            matches.append(Match(.throttle(throttle), negated: rest.negated, text: text))
            return
        }
        if name == "statistic" {
            // Each connection takes one answer (random or every n-th): every answer happens.
            let choice = OpaqueMatch(module: name, reason: "picks connections at random or by count: each answer is followed", isChoice: true)
            matches.append(Match(.opaque(choice), negated: rest.negated, text: text))
            diagnostics.append(Diagnostic(.note, "match 'statistic' picks connections; both answers are followed, and each must pass", at: ruleLocation))
            return
        }
        addOpaque(module: name, negated: rest.negated, text: text)
    }

    private mutating func moduleOption(_ module: String, _ option: Token, negation: Token?) throws(IptablesLoadingError) {
        var negated = negation != nil
        let start = negation ?? option
        let arity = MatchModules.arity(of: option.text, in: module) ?? 0
        var values: [Token] = []
        if arity > 0 {
            values.append(try argument(for: option, negated: &negated))
            for _ in 1..<max(arity, 1) {
                guard index < tokens.count, !startsTopLevel(at: index) else {
                    throw error("option '\(option.text)' needs \(arity) values", at: option)
                }
                values.append(tokens[index])
                index += 1
            }
        }
        let text = slice(start, values.last ?? option)
        let first = values.first ?? option
        func value<T>(_ parse: (String) throws(ValueError) -> T) throws(IptablesLoadingError) -> T {
            try self.parse(first, parse)
        }
        let condition: Condition
        switch (module, option.text) {
        case (_, "--sport"), (_, "--source-port"), (_, "--dport"), (_, "--destination-port"):
            let side: PacketSide = option.text.hasPrefix("--s") ? .source : .destination
            condition = .port(side, PortSet(try value { text throws(ValueError) in try Values.portRange(text) }))
        case ("tcp", "--tcp-flags"):
            let mask = try value { text throws(ValueError) in try Values.tcpFlags(text) }
            let compare = try parse(values[1]) { text throws(ValueError) in try Values.tcpFlags(text) }
            condition = .tcpFlags(mask: mask, compare: compare)
        case ("tcp", "--syn"):
            condition = .tcpFlags(mask: 0x17, compare: 0x02)
        case ("multiport", "--dports"), ("multiport", "--destination-ports"):
            condition = .port(.destination, try value { text throws(ValueError) in try Values.portList(text) })
        case ("multiport", "--sports"), ("multiport", "--source-ports"):
            condition = .port(.source, try value { text throws(ValueError) in try Values.portList(text) })
        case ("multiport", "--ports"):
            condition = .eitherPort(try value { text throws(ValueError) in try Values.portList(text) })
        case ("conntrack", "--ctstate"), ("state", "--state"):
            let (states, translated) = try value { text throws(ValueError) in try Values.connectionStates(text) }
            if translated != 0 && module == "state" { throw error("the state match knows no SNAT or DNAT state (use -m conntrack --ctstate)", at: first) }
            condition = Condition.connectionState(states, translated: translated)
        case ("iprange", "--src-range"), ("iprange", "--dst-range"):
            let set = try value { text throws(ValueError) in try Values.addressRange(text, family: family) }
            condition = .address(option.text == "--src-range" ? .source : .destination, set)
        case ("icmp", "--icmp-type"), ("icmp6", "--icmpv6-type"):
            condition = .icmpType(try value { text throws(ValueError) in try Values.icmpType(text, ipv6: module == "icmp6") })
        case ("addrtype", "--src-type"), ("addrtype", "--dst-type"):
            let types = try value { text throws(ValueError) in try Values.addressTypes(text) }
            condition = .addressType(option.text == "--src-type" ? .source : .destination, types)
        case ("comment", "--comment"):
            if negated { throw error("'--comment' cannot be negated", at: start) }
            comments.append(first.text)
            condition = .comment(first.text)
        case ("mark", "--mark"), ("connmark", "--mark"):
            let mark = try value { text throws(ValueError) in try Values.markAndMask(text) }
            condition = module == "mark"
                ? .packetMark(value: mark.value, mask: mark.mask)
                : .connectionMark(value: mark.value, mask: mark.mask)
            matches.append(Match(condition, negated: negated, text: "-m \(module) " + text))
            return
        default:
            // Options of modelled modules that the model has no condition for (--tcp-option,
            // --ctproto, --limit-iface-in, --chunk-types, …).
            addOpaque(module: module, reason: "option \(option.text) is not modelled", negated: negated, text: text,
                      message: "match '\(module) \(option.text)' is not modelled; treated as unknown")
            return
        }
        matches.append(Match(condition, negated: negated, text: text))
    }

    private mutating func addOpaque(module: String, reason: String? = nil, negated: Bool, text: String, message: String? = nil) {
        let reason = reason ?? "match module '\(module)' is not modelled"
        matches.append(Match(.opaque(OpaqueMatch(module: module, reason: reason)), negated: negated, text: text))
        diagnostics.append(Diagnostic(.warning, message ?? "match '\(module)' is not modelled; treated as unknown", at: ruleLocation))
    }

    // MARK: Targets

    private mutating func resolveTarget() throws(IptablesLoadingError) -> Action {
        guard let (nameToken, isGoto) = target else { return .none }
        let name = nameToken.text
        if isGoto {
            try expectNoArguments(after: nameToken)
            if userChains.contains(name) { return .goto(name) }
            if builtinChains.contains(name) { throw error("cannot goto built-in chain '\(name)'", at: nameToken) }
            if allowUndeclaredChains { return undeclared(name) }
            throw error("unknown chain '\(name)' in -g", at: nameToken)
        }
        var targets = TargetParser(name: nameToken, arguments: targetArguments, family: family, source: source, line: line)
        if let action = try targets.standardAction() {
            diagnostics += targets.diagnostics
            return action
        }
        if userChains.contains(name) {
            try expectNoArguments(after: nameToken)
            return .jump(name)
        }
        if builtinChains.contains(name) { throw error("cannot jump to built-in chain '\(name)'", at: nameToken) }
        if let action = try targets.extensionAction() {
            diagnostics += targets.diagnostics
            return action
        }
        // Target extensions are named in upper-case letters and digits (LOG, NFQUEUE, TARPIT, IPV4OPTSSTRIP);
        // any other undeclared name (ufw-logging-deny, LOG_DROP) can only be a missing chain.
        guard let initial = name.first, initial.isASCII, initial.isUppercase,
              name.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
            if allowUndeclaredChains { return undeclared(name) }
            throw error("unknown chain '\(name)' in -j", at: nameToken)
        }
        diagnostics.append(Diagnostic(.warning, "target '\(name)' is not modelled; its verdict is treated as unknown", at: ruleLocation))
        return .opaqueVerdict(name)
    }

    /// A chain declared elsewhere: what it decides is unknown.
    private mutating func undeclared(_ name: String) -> Action {
        diagnostics.append(Diagnostic(.warning, "chain '\(name)' is not declared in this file; its verdict is treated as unknown", at: ruleLocation))
        return .opaqueVerdict(name)
    }

    private func expectNoArguments(after name: Token) throws(IptablesLoadingError) {
        if let extra = targetArguments.first {
            throw error("unexpected option '\(extra.text)' after \(target?.isGoto == true ? "-g" : "-j") \(name.text)", at: extra)
        }
    }

    // MARK: Words

    /// The value of `option`, accepting the old negation style (`-s ! 10.0.0.0/8`).
    private mutating func argument(for option: Token, negated: inout Bool) throws(IptablesLoadingError) -> Token {
        if index < tokens.count, tokens[index].isBang {
            if negated { throw error("double negation", at: tokens[index]) }
            negated = true
            index += 1
        }
        guard index < tokens.count, !(isTopLevel(tokens[index])) else {
            throw error("option '\(option.text)' needs a value", at: option)
        }
        index += 1
        return tokens[index - 1]
    }

    private mutating func once(_ name: String, _ token: Token) throws(IptablesLoadingError) {
        if !seenOptions.insert(name).inserted { throw error("option '\(name)' given twice", at: token) }
    }

    private func isTopLevel(_ token: Token) -> Bool {
        !token.quoted && TopLevelOption(token.text) != nil
    }

    /// Whether a top-level option (possibly negated) starts at `position`.
    private func startsTopLevel(at position: Int) -> Bool {
        if isTopLevel(tokens[position]) { return true }
        return tokens[position].isBang && position + 1 < tokens.count && isTopLevel(tokens[position + 1])
    }

    /// Consumes the words of an opaque module or a target, up to the next top-level option.
    /// With `stopAtImplicit`, an option of the implicit protocol match also ends the run
    /// (`-p tcp -m limit --limit 1/s --dport 22`: `--dport` is tcp's, as iptables reads it).
    private mutating func consumeUntilTopLevel(stopAtImplicit: Bool) -> (tokens: [Token], negated: Bool) {
        var consumed: [Token] = []
        var negated = false
        let implicit = stopAtImplicit ? implicitModule.flatMap { MatchModules.isModelled($0) ? $0 : nil } : nil
        while index < tokens.count, !startsTopLevel(at: index) {
            let token = tokens[index]
            if let implicit, !token.quoted, MatchModules.arity(of: token.text, in: implicit) != nil { break }
            if let implicit, token.isBang, index + 1 < tokens.count, !tokens[index + 1].quoted,
               MatchModules.arity(of: tokens[index + 1].text, in: implicit) != nil { break }
            if token.isBang { negated = true }
            consumed.append(token)
            index += 1
        }
        return (consumed, negated)
    }

    /// The rule text from `first` to `last`, as written.
    func slice(_ first: Token, _ last: Token) -> String {
        lineText.text(first.start..<max(first.start, last.end))
    }

    func parse<T>(_ token: Token, _ body: (String) throws(ValueError) -> T) throws(IptablesLoadingError) -> T {
        do {
            return try body(token.text)
        } catch {
            throw self.error(error.message, at: token)
        }
    }

    func error(_ message: String, at token: Token) -> IptablesLoadingError {
        IptablesLoadingError(location: SourceLocation(source: source, line: line, column: token.column), message: message)
    }
}

