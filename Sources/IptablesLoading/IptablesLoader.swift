import FirewallModel

/// Reads `iptables-save` / `ip6tables-save` output (iptables 1.4 to 1.8, legacy and nf_tables)
/// into the semantic model.
///
/// The file is a sequence of `*table` … `COMMIT` blocks. Inside a block, `:CHAIN POLICY [p:b]`
/// declares a chain and `[p:b] -A CHAIN options…` appends a rule. Built-in chains become base
/// chains at the priority iptables registers for the table; match modules and targets that the
/// model does not cover become opaque matches and opaque verdicts, each with a warning.
public enum IptablesLoader {
    /// How strictly to read a file.
    public struct Options: Sendable, Hashable {
        /// Accept `-j`/`-g` to chains the file does not declare (restore templates such as ufw's
        /// `before.rules`, loaded on top of chains created elsewhere); their verdict is unknown.
        public var allowUndeclaredChains: Bool

        public init(allowUndeclaredChains: Bool = false) {
            self.allowUndeclaredChains = allowUndeclaredChains
        }
    }

    /// Parses iptables-save / ip6tables-save text. `source` is the path as the user gave it (used in locations).
    public static func load(_ text: String, source: String, family: AddressFamily, options: Options = Options()) throws(IptablesLoadingError) -> Ruleset {
        var reader = SaveFileReader(source: source, family: family)
        reader.options = options
        try reader.read(text)
        return Ruleset(tables: reader.tables, diagnostics: reader.diagnostics)
    }
}

/// The line-by-line reader behind `IptablesLoader.load`.
struct SaveFileReader {
    let source: String
    let family: AddressFamily
    private(set) var tables: [Table] = []
    private(set) var diagnostics: [Diagnostic] = []
    var options = IptablesLoader.Options()
    private var block: TableBlock?

    init(source: String, family: AddressFamily) {
        self.source = source
        self.family = family
    }

    /// One `*table` … `COMMIT` block while it is read. Chains are declared as their lines come;
    /// rules wait for `COMMIT`, so that every declared chain is known when targets are resolved.
    private struct TableBlock {
        var name: String
        var known: IptablesTable?
        var line: Int
        var chains: [Chain] = []
        var chainIndex: [String: Int] = [:]
        var ruleLines: [RuleLine] = []
    }

    private struct RuleLine {
        var line: Int
        var text: LineText
        var tokens: [Token]
    }

    mutating func read(_ text: String) throws(IptablesLoadingError) {
        var lineNumber = 0
        // Lines are scanned as UTF-8 bytes; a CR before the LF (CRLF files) is dropped.
        let bytes = Array(text.utf8)
        var lineStart = 0
        while lineStart < bytes.count {
            var lineEnd = bytes[lineStart...].firstIndex(of: 0x0a) ?? bytes.count
            let next = lineEnd + 1
            if lineEnd > lineStart, bytes[lineEnd - 1] == 0x0d { lineEnd -= 1 }
            lineNumber += 1
            try readLine(LineText(bytes[lineStart..<lineEnd]), number: lineNumber)
            lineStart = next
        }
        if let block {
            throw IptablesLoadingError(location: location(block.line), message: "missing COMMIT for table '\(block.name)'")
        }
    }

    private mutating func readLine(_ line: LineText, number: Int) throws(IptablesLoadingError) {
        guard let first = line.bytes.firstIndex(where: { !LineText.isBlank($0) }) else { return }
        let content = line.text(first..<line.bytes.count).trimmingTrailingWhitespace
        switch line.bytes[first] {
        case UInt8(ascii: "#"):
            return
        case UInt8(ascii: "*"):
            if let block {
                throw IptablesLoadingError(location: location(number), message: "missing COMMIT for table '\(block.name)' (line \(block.line)) before '\(content)'")
            }
            let name = String(content.dropFirst())
            guard !name.isEmpty, !name.contains(where: \.isWhitespace) else {
                throw IptablesLoadingError(location: location(number, column: first + 1), message: "malformed table line '\(content)'")
            }
            let known = IptablesTable(rawValue: name)
            if known == nil {
                // The kernel has no other tables: iptables-restore refuses such a file too.
                throw IptablesLoadingError(location: location(number, column: first + 2),
                                           message: "unknown table '\(name)' (expected raw, mangle, nat, filter or security)")
            }
            block = TableBlock(name: name, known: known, line: number)
        case UInt8(ascii: ":"):
            guard block != nil else { throw IptablesLoadingError(location: location(number), message: "chain declaration outside a table") }
            try declareChain(line, from: first, number: number)
        default:
            if content == "COMMIT" {
                guard let finished = block else { throw IptablesLoadingError(location: location(number), message: "COMMIT outside a table") }
                block = nil
                try commit(finished)
            } else if line.bytes[first] == UInt8(ascii: "-") || line.bytes[first] == UInt8(ascii: "[") {
                guard block != nil else { throw IptablesLoadingError(location: location(number), message: "rule outside a table") }
                try readCommand(line, from: first, number: number)
            } else if block == nil {
                // Prose around a pasted dump (a mail or blog header) carries no rules; say so and go on.
                diagnostics.append(Diagnostic(.warning, "text outside a table is ignored: '\(content)'", at: location(number)))
            } else {
                throw IptablesLoadingError(location: location(number, column: first + 1), message: "unexpected line '\(content)'")
            }
        }
    }

    // MARK: Chains

    /// `:NAME POLICY [packets:bytes]`.
    private mutating func declareChain(_ line: LineText, from first: Int, number: Int) throws(IptablesLoadingError) {
        let words = try Tokenizer.split(line, startingAt: first + 1) { self.location(number, column: line.column(at: $0)) }
        guard let nameToken = words.first, nameToken.start == first + 1, !nameToken.text.isEmpty else {
            throw IptablesLoadingError(location: location(number, column: first + 1), message: "missing chain name")
        }
        guard words.count >= 2 else {
            throw IptablesLoadingError(location: location(number, column: line.column(at: nameToken.end)), message: "missing policy for chain '\(nameToken.text)'")
        }
        if words.count > 3 || (words.count == 3 && !Self.isCounters(words[2].text)) {
            let extra = words.count == 3 ? words[2] : words[3]
            throw IptablesLoadingError(location: location(number, column: extra.column), message: "unexpected '\(extra.text)' in chain declaration")
        }
        try addChain(nameToken, policy: words[1], number: number)
    }

    private mutating func addChain(_ nameToken: Token, policy: Token?, number: Int) throws(IptablesLoadingError) {
        // Only the block's name and kind are copied out: holding a copy of the block while appending
        // would copy every chain on each declaration.
        guard let tableName = block?.name, let count = block?.chains.count else { return }
        let known = block?.known
        let name = nameToken.text
        if block?.chainIndex[name] != nil {
            throw IptablesLoadingError(location: location(number, column: nameToken.column), message: "chain '\(name)' declared twice")
        }
        var base: BaseChain?
        if let table = known {
            if let hook = Hook(iptablesChainName: name) {
                guard let priority = table.priority(on: hook) else {
                    throw IptablesLoadingError(location: location(number, column: nameToken.column), message: "table '\(tableName)' has no built-in chain '\(name)'")
                }
                guard let policy else {
                    throw IptablesLoadingError(location: location(number, column: nameToken.column), message: "built-in chain '\(name)' cannot be created with -N")
                }
                let verdict: Verdict
                switch policy.text {
                case "ACCEPT": verdict = .accept
                case "DROP": verdict = .drop
                default:
                    throw IptablesLoadingError(location: location(number, column: policy.column), message: "invalid policy '\(policy.text)' for built-in chain '\(name)'")
                }
                base = BaseChain(hook: hook, priority: priority, policy: verdict, isNat: table == .nat)
            } else if let policy, policy.text != "-" {
                throw IptablesLoadingError(location: location(number, column: policy.column), message: "user chain '\(name)' cannot have policy '\(policy.text)'")
            }
        }
        let chain = Chain(name: name, base: base, location: location(number))
        block?.chainIndex[name] = count
        block?.chains.append(chain)
    }

    // MARK: Rules and commands

    /// `[p:b] -A CHAIN …`, `-I CHAIN [n] …`, `-N CHAIN`, `-P CHAIN POLICY`.
    private mutating func readCommand(_ line: LineText, from first: Int, number: Int) throws(IptablesLoadingError) {
        var start = first
        if line.bytes[first] == UInt8(ascii: "[") {
            guard let close = line.bytes[first...].firstIndex(of: UInt8(ascii: "]")), Self.isCounters(line.text(first..<close + 1)) else {
                throw IptablesLoadingError(location: location(number, column: first + 1), message: "malformed counters")
            }
            start = close + 1
        }
        var tokens = try Tokenizer.split(line, startingAt: start) { self.location(number, column: line.column(at: $0)) }
        tokens = Self.splittingAssignments(tokens, line: line)
        guard let command = tokens.first else {
            throw IptablesLoadingError(location: location(number, column: first + 1), message: "counters without a rule")
        }
        switch command.quoted ? "" : command.text {
        case "-A", "--append", "-I", "--insert":
            guard tokens.count >= 2, !tokens[1].text.isEmpty else {
                throw IptablesLoadingError(location: location(number, column: command.column), message: "\(command.text) needs a chain name")
            }
            block?.ruleLines.append(RuleLine(line: number, text: line, tokens: tokens))
        case "-N", "--new-chain":
            guard tokens.count == 2 else {
                throw IptablesLoadingError(location: location(number, column: command.column), message: "\(command.text) takes one chain name")
            }
            try addChain(tokens[1], policy: nil, number: number)
        case "-P", "--policy":
            guard tokens.count == 3 || (tokens.count == 4 && Self.isCounters(tokens[3].text)) else {
                throw IptablesLoadingError(location: location(number, column: command.column), message: "\(command.text) takes a chain and a policy")
            }
            try setPolicy(tokens[1], tokens[2], number: number)
        default:
            throw IptablesLoadingError(location: location(number, column: command.column), message: "unsupported command '\(command.text)'")
        }
    }

    /// `-P CHAIN POLICY`: sets a declared built-in chain's policy, declaring the chain if needed.
    private mutating func setPolicy(_ nameToken: Token, _ policy: Token, number: Int) throws(IptablesLoadingError) {
        guard let current = block else { return }
        guard let table = current.known, let hook = Hook(iptablesChainName: nameToken.text), let priority = table.priority(on: hook) else {
            throw IptablesLoadingError(location: location(number, column: nameToken.column), message: "-P needs a built-in chain of table '\(current.name)', not '\(nameToken.text)'")
        }
        guard let index = current.chainIndex[nameToken.text] else {
            try addChain(nameToken, policy: policy, number: number)
            return
        }
        let verdict: Verdict
        switch policy.text {
        case "ACCEPT": verdict = .accept
        case "DROP": verdict = .drop
        default:
            throw IptablesLoadingError(location: location(number, column: policy.column), message: "invalid policy '\(policy.text)' for built-in chain '\(nameToken.text)'")
        }
        block?.chains[index].base = BaseChain(hook: hook, priority: priority, policy: verdict, isNat: table == .nat)
    }

    /// Resolves the block's rules now that all its chains are declared, and adds the table.
    private mutating func commit(_ block: TableBlock) throws(IptablesLoadingError) {
        var chains = block.chains
        // In tables iptables does not know, every chain is an ordinary chain.
        let userChains = Set(chains.filter { block.known == nil || Hook(iptablesChainName: $0.name) == nil }.map(\.name))
        let builtinChains: Set<String> = block.known == nil ? [] : Set(Hook.allCases.map(\.iptablesChainName))
        for ruleLine in block.ruleLines {
            let tokens = ruleLine.tokens
            let command = tokens[0], chainToken = tokens[1]
            guard let chainIndex = block.chainIndex[chainToken.text] else {
                throw IptablesLoadingError(location: location(ruleLine.line, column: chainToken.column), message: "unknown chain '\(chainToken.text)' in \(command.text)")
            }
            var next = 2
            var position: Int?
            if command.text == "-I" || command.text == "--insert" {
                position = 1
                if next < tokens.count, !tokens[next].quoted, tokens[next].text.allSatisfy({ $0.isASCII && $0.isNumber }) {
                    guard let requested = Int(tokens[next].text), requested >= 1, requested <= chains[chainIndex].rules.count + 1 else {
                        throw IptablesLoadingError(location: location(ruleLine.line, column: tokens[next].column), message: "insert position \(tokens[next].text) is out of range")
                    }
                    position = requested
                    next += 1
                }
            }
            var parser = RuleParser(line: ruleLine.text, tokens: tokens, startingAt: next, family: family, source: source,
                                    line: ruleLine.line, userChains: userChains, builtinChains: builtinChains)
            parser.allowUndeclaredChains = options.allowUndeclaredChains
            let action = try parser.parse()
            diagnostics += parser.diagnostics
            if let reason = parser.skipReason {
                diagnostics.append(Diagnostic(.note, reason, at: parser.ruleLocation))
                continue
            }
            let text = ruleLine.text.text(command.start..<tokens[tokens.count - 1].end)
            let rule = Rule(location: parser.ruleLocation, matches: parser.matches, action: action, text: text,
                            comment: parser.comments.isEmpty ? nil : parser.comments.joined(separator: "; "))
            if let position {
                chains[chainIndex].rules.insert(rule, at: position - 1)
            } else {
                chains[chainIndex].rules.append(rule)
            }
        }
        // The kernel refuses loops: the error is at the rule that closes the first one.
        if let loop = JumpGraph(chains: chains).firstLoop() {
            throw IptablesLoadingError(location: loop.rule.location, message: loop.message)
        }
        let table = Table(name: block.name, family: family == .ipv4 ? .ip : .ip6, chains: chains, location: location(block.line))
        if let earlier = tables.firstIndex(where: { $0.name == block.name }) {
            diagnostics.append(Diagnostic(.warning, "table '\(block.name)' appears again; it replaces the block at line \(tables[earlier].location.line ?? 0), as iptables-restore does", at: location(block.line)))
            tables.remove(at: earlier)
        }
        tables.append(table)
    }

    // MARK: Helpers

    private func location(_ line: Int, column: Int? = nil) -> SourceLocation {
        SourceLocation(source: source, line: line, column: column)
    }

    /// `[packets:bytes]`.
    static func isCounters(_ text: String) -> Bool {
        guard text.hasPrefix("["), text.hasSuffix("]") else { return false }
        let parts = text.dropFirst().dropLast().split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    /// getopt's `--option=value` as two words.
    static func splittingAssignments(_ tokens: [Token], line: LineText) -> [Token] {
        var result: [Token] = []
        for token in tokens {
            let raw = line.bytes[token.start..<token.end]
            guard raw.starts(with: [0x2d, 0x2d]), let equals = raw.firstIndex(of: UInt8(ascii: "=")),
                  !raw[..<equals].contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "\\") }) else {
                result.append(token)
                continue
            }
            let optionText = line.text(token.start..<equals)
            let valueText = String(token.text.dropFirst(optionText.count + 1))
            result.append(Token(text: optionText, start: token.start, end: equals, column: token.column, quoted: false))
            result.append(Token(text: valueText, start: equals + 1, end: token.end, column: line.column(at: equals + 1), quoted: token.quoted))
        }
        return result
    }
}

extension String {
    var trimmingTrailingWhitespace: String {
        var text = self
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}

