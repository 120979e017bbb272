import FirewallModel
import NftablesBytecode

/// Where an nft script writes each chain's rules, in the order `nft -f` adds them to the kernel.
///
/// Built by reading the script as nft would run it (table and chain blocks, `add`/`insert rule`,
/// `flush`, `delete`, `include`, `define`), without asking the kernel anything: the loader then
/// pairs each chain's kernel rules, in order, with these lines and checks the pairs by their text.
/// Commands whose effect on the order cannot be known here (`add rule … position`, `delete rule`,
/// `replace rule`) mark the chain unmappable instead of guessing.
public struct ScriptLayout: Sendable {
    /// A rule as the script writes it.
    struct RuleLine: Sendable {
        var file: String
        var line: Int
        /// The rule's tokens, variables replaced by their definitions.
        var tokens: [ScriptToken]
    }

    /// What the script does to one chain.
    struct ChainLayout: Sendable {
        var rules: [RuleLine] = []
        /// The line that sets the chain's policy, or that declares it.
        var declaration: (file: String, line: Int)?
        /// Why the lines cannot be paired with the kernel's rules, when they cannot.
        var problem: String?
    }

    /// Chains by `family table chain`.
    var chains: [String: ChainLayout] = [:]
    /// Table declarations by `family table`.
    var tables: [String: (file: String, line: Int)] = [:]
    /// Why nothing in the script can be paired (an include that could not be read), if so.
    var problem: String?

    /// An included file as the resolver found it.
    public struct IncludedFile: Sendable {
        public var path: String
        public var text: String

        public init(path: String, text: String) {
            self.path = path
            self.text = text
        }
    }

    /// A script that writes nothing.
    init() {}

    /// Reads a script. `include` asks for the files an `include "…"` names (nil: not found) given
    /// the name as written and the including file; the layout itself does no I/O.
    public init(_ text: String, file: String, include: @escaping (String, String) -> [IncludedFile]? = { _, _ in nil }) {
        var reader = LayoutReader(include: include)
        reader.read(text, file: file, depth: 0)
        self = reader.layout
    }

    static func key(_ family: String, _ table: String) -> String { "\(family) \(table)" }
    static func key(_ family: String, _ table: String, _ chain: String) -> String { "\(family) \(table) \(chain)" }

    /// The layout of a chain, nil when the script never names it.
    func chain(family: String, table: String, chain: String) -> ChainLayout? {
        chains[ScriptLayout.key(family, table, chain)]
    }
}

/// The reader behind `ScriptLayout.init`: a cursor over one file's tokens and the layout so far.
private struct LayoutReader {
    let include: (String, String) -> [ScriptLayout.IncludedFile]?
    var layout = ScriptLayout()
    var defines: [String: [ScriptToken]] = [:]

    static let families: Set<String> = ["ip", "ip6", "inet", "arp", "bridge", "netdev"]
    /// Words that start a chain property rather than a rule.
    static let chainProperties: Set<String> = ["type", "policy", "hook", "priority", "comment", "devices", "device", "flags"]

    init(include: @escaping (String, String) -> [ScriptLayout.IncludedFile]?) { self.include = include }

    mutating func read(_ text: String, file: String, depth: Int) {
        var cursor = Cursor(tokens: ScriptToken.scan(text), file: file)
        topLevel(&cursor, depth: depth)
    }

    // MARK: Statements

    /// Reads words up to a separator, an opening brace or a closing brace (not consumed).
    func header(_ cursor: inout Cursor) -> [ScriptToken] {
        var words: [ScriptToken] = []
        while let token = cursor.peek, token.kind != .separator, token.kind != .open, token.kind != .close {
            words.append(token)
            cursor.index += 1
        }
        return words
    }

    /// Reads the rest of a rule: braces nest (sets, maps) and newlines inside them do not end it.
    func ruleTail(_ cursor: inout Cursor, into words: inout [ScriptToken]) {
        var depth = 0
        while let token = cursor.peek {
            if token.kind == .separator, depth == 0 { return }
            if token.kind == .close, depth == 0 { return }
            cursor.index += 1
            if token.kind == .open { depth += 1 }
            if token.kind == .close { depth -= 1 }
            if token.kind != .separator { words.append(token) }
        }
    }

    /// Skips a block whose opening brace was just read, with whatever it nests.
    func skipBlock(_ cursor: inout Cursor) {
        var depth = 1
        while let token = cursor.next() {
            if token.kind == .open { depth += 1 }
            if token.kind == .close { depth -= 1; if depth == 0 { return } }
        }
    }

    /// `$name` words replaced by their definitions, recursively (bounded, as a definition cannot refer to itself).
    func substituted(_ tokens: [ScriptToken], depth: Int = 0) -> [ScriptToken] {
        guard depth < 16 else { return tokens }
        var result: [ScriptToken] = []
        for token in tokens {
            if token.kind == .word, token.text.hasPrefix("$"), let value = defines[String(token.text.dropFirst())] {
                result += substituted(value, depth: depth + 1).map { ScriptToken(kind: $0.kind, text: $0.text, line: token.line) }
            } else {
                result.append(token)
            }
        }
        return result
    }

    // MARK: Top level

    mutating func topLevel(_ cursor: inout Cursor, depth: Int) {
        while cursor.peek != nil {
            var words = header(&cursor)
            let opensBlock = cursor.peek?.kind == .open
            if cursor.peek?.kind == .close { cursor.index += 1; continue }
            let names = words.map(\.text)
            guard let first = names.first else { cursor.index += 1; continue }
            var verb = "add", rest = names[...]
            if ["add", "create", "insert", "replace", "delete", "destroy", "flush", "list", "reset", "rename"].contains(first) {
                verb = first
                rest = names.dropFirst()
            }
            let object = rest.first ?? ""
            let arguments = Array(rest.dropFirst())
            switch (verb, object) {
            case (_, "define"), (_, "redefine"):
                define(&cursor, words: words, opensBlock: opensBlock)
                continue
            case (_, "undefine"):
                if let name = arguments.first { defines[name] = nil }
            case (_, "include"):
                if let name = words.dropFirst().first(where: { $0.kind == .string })?.text {
                    includeFiles(name, from: cursor.file, depth: depth)
                }
            case ("add", "table"), ("create", "table"):
                let (family, name) = Self.split(arguments, names: 1)
                if let name = name.first {
                    let key = ScriptLayout.key(family, name)
                    if layout.tables[key] == nil { layout.tables[key] = (cursor.file, words[0].line) }
                    if opensBlock { cursor.index += 1; tableBlock(&cursor, family: family, table: name) }
                    continue
                }
            case ("add", "chain"), ("create", "chain"):
                let (family, parts) = Self.split(arguments, names: 2)
                if parts.count == 2 {
                    if opensBlock {
                        cursor.index += 1
                        chainBlock(&cursor, family: family, table: parts[0], chain: parts[1], line: words[0].line)
                    } else {
                        declare(family: family, table: parts[0], chain: parts[1], line: words[0].line, file: cursor.file)
                    }
                    continue
                }
            case ("add", "rule"), ("insert", "rule"):
                if opensBlock { ruleTail(&cursor, into: &words) }
                addRule(words.dropFirst(verb == first ? 2 : 1), prepend: verb == "insert", file: cursor.file)
                continue
            case ("replace", "rule"), ("delete", "rule"), ("destroy", "rule"):
                let (family, parts) = Self.split(arguments, names: 2)
                if parts.count == 2 {
                    mark(family: family, table: parts[0], chain: parts[1], "the script runs '\(verb) rule'")
                }
            case ("flush", "ruleset"):
                layout.chains = [:]
                layout.tables = [:]
            case ("flush", "table"), ("delete", "table"), ("destroy", "table"):
                let (family, parts) = Self.split(arguments, names: 1)
                if let table = parts.first {
                    let prefix = ScriptLayout.key(family, table) + " "
                    for key in Array(layout.chains.keys) where key.hasPrefix(prefix) {
                        if verb == "flush" { layout.chains[key]?.rules = [] } else { layout.chains[key] = nil }
                    }
                    if verb != "flush" { layout.tables[ScriptLayout.key(family, table)] = nil }
                } else if arguments.contains("handle") {
                    layout.problem = "the script deletes a table by handle"
                }
            case ("flush", "chain"), ("delete", "chain"), ("destroy", "chain"):
                let (family, parts) = Self.split(arguments, names: 2)
                if parts.count == 2, !parts.contains("handle") {
                    let key = ScriptLayout.key(family, parts[0], parts[1])
                    if verb == "flush" { layout.chains[key]?.rules = [] } else { layout.chains[key] = nil }
                } else if parts.count >= 1 {
                    markTable(family: family, table: parts[0], "the script deletes a chain by handle")
                }
            case ("rename", "chain"):
                let (family, parts) = Self.split(arguments, names: 1)
                if let table = parts.first { markTable(family: family, table: table, "the script renames a chain") }
            default:
                break
            }
            if opensBlock { cursor.index += 1; skipBlock(&cursor) }
        }
    }

    /// `define name = value`: the value runs to the end of the statement, braces included.
    mutating func define(_ cursor: inout Cursor, words: [ScriptToken], opensBlock: Bool) {
        var value = words
        if opensBlock { ruleTail(&cursor, into: &value) }
        guard value.count >= 2 else { return }
        let name = value[1].text
        let start = value.count > 2 && value[2].text == "=" ? 3 : 2
        defines[name] = substituted(Array(value.dropFirst(start)))
    }

    mutating func includeFiles(_ name: String, from file: String, depth: Int) {
        guard depth < 16 else { layout.problem = "includes nest deeper than 16 files"; return }
        guard let files = include(name, file) else {
            layout.problem = "could not read the included file '\(name)'"
            return
        }
        for included in files {
            var cursor = Cursor(tokens: ScriptToken.scan(included.text), file: included.path)
            topLevel(&cursor, depth: depth + 1)
        }
    }

    /// Family and the next `names` words of an object reference; the family is `ip` when not written.
    static func split(_ arguments: [String], names: Int) -> (family: String, names: [String]) {
        if let first = arguments.first, families.contains(first), arguments.count > names {
            return (first, Array(arguments.dropFirst().prefix(names)))
        }
        return ("ip", Array(arguments.prefix(names)))
    }

    // MARK: Blocks

    mutating func tableBlock(_ cursor: inout Cursor, family: String, table: String) {
        while let token = cursor.peek {
            if token.kind == .close { cursor.index += 1; return }
            let words = header(&cursor)
            let opensBlock = cursor.peek?.kind == .open
            if opensBlock { cursor.index += 1 } else if cursor.peek?.kind == .separator { cursor.index += 1 }
            guard opensBlock else { continue }
            if words.count == 2, words[0].text == "chain" {
                chainBlock(&cursor, family: family, table: table, chain: words[1].text, line: words[0].line)
            } else {
                skipBlock(&cursor)
            }
        }
    }

    mutating func chainBlock(_ cursor: inout Cursor, family: String, table: String, chain: String, line: Int) {
        declare(family: family, table: table, chain: chain, line: line, file: cursor.file)
        let key = ScriptLayout.key(family, table, chain)
        var policyLine: Int?
        while let token = cursor.peek {
            if token.kind == .close { cursor.index += 1; break }
            if token.kind == .separator { cursor.index += 1; continue }
            var words: [ScriptToken] = []
            ruleTail(&cursor, into: &words)
            guard let first = words.first else { continue }
            if first.kind == .word, LayoutReader.chainProperties.contains(first.text) {
                if words.contains(where: { $0.text == "policy" }) || (first.text == "type" && policyLine == nil) { policyLine = first.line }
                continue
            }
            let rule = ScriptLayout.RuleLine(file: cursor.file, line: first.line, tokens: substituted(words))
            layout.chains[key]?.rules.append(rule)
        }
        if let policyLine { layout.chains[key]?.declaration = (cursor.file, policyLine) }
    }

    mutating func declare(family: String, table: String, chain: String, line: Int, file: String) {
        let key = ScriptLayout.key(family, table, chain)
        if layout.chains[key] == nil { layout.chains[key] = ScriptLayout.ChainLayout(declaration: (file, line)) }
        let tableKey = ScriptLayout.key(family, table)
        if layout.tables[tableKey] == nil { layout.tables[tableKey] = (file, line) }
    }

    /// `add rule [family] table chain statements` (or `insert rule`, or a bare `rule`).
    mutating func addRule(_ words: ArraySlice<ScriptToken>, prepend: Bool, file: String) {
        let names = words.map(\.text)
        var family = "ip", start = words.startIndex
        if let first = names.first, LayoutReader.families.contains(first), names.count > 3 {
            family = first
            start += 1
        }
        guard start + 2 < words.endIndex else { return }
        let table = words[start].text, chain = words[start + 1].text
        let statements = Array(words[(start + 2)...])
        let key = ScriptLayout.key(family, table, chain)
        if layout.chains[key] == nil { layout.chains[key] = ScriptLayout.ChainLayout() }
        if let position = statements.first?.text, ["position", "handle", "index"].contains(position) {
            mark(family: family, table: table, chain: chain, "the script places a rule by \(position)")
            return
        }
        let rule = ScriptLayout.RuleLine(file: file, line: words[words.startIndex].line, tokens: substituted(statements))
        if prepend { layout.chains[key]?.rules.insert(rule, at: 0) } else { layout.chains[key]?.rules.append(rule) }
    }

    mutating func mark(family: String, table: String, chain: String, _ problem: String) {
        let key = ScriptLayout.key(family, table, chain)
        if layout.chains[key] == nil { layout.chains[key] = ScriptLayout.ChainLayout() }
        if layout.chains[key]?.problem == nil { layout.chains[key]?.problem = problem }
    }

    mutating func markTable(family: String, table: String, _ problem: String) {
        let prefix = ScriptLayout.key(family, table) + " "
        for key in Array(layout.chains.keys) where key.hasPrefix(prefix) && layout.chains[key]?.problem == nil {
            layout.chains[key]?.problem = problem
        }
    }
}

/// A position in one file's tokens.
private struct Cursor {
    let tokens: [ScriptToken]
    let file: String
    var index = 0

    init(tokens: [ScriptToken], file: String) {
        self.tokens = tokens
        self.file = file
    }

    var peek: ScriptToken? { index < tokens.count ? tokens[index] : nil }

    mutating func next() -> ScriptToken? {
        defer { index += 1 }
        return peek
    }
}

extension ScriptLayout {
    /// Gives a chain's kernel rules (in kernel order, with the model rules each became) the file and
    /// line of their rule in the script, and the chain the line of its declaration.
    ///
    /// The kernel's rules of a chain, in order, are the script's rules of that chain in order; a pair
    /// is claimed only when the two texts agree. Returns what could not be paired, as notes: the
    /// rules keep their kernel location then.
    func place(_ kernelRules: inout [(object: RuleObject, rules: [Rule])], chain: inout Chain,
               family: String, table: String) -> [Diagnostic] {
        guard let layout = self.chain(family: family, table: table, chain: chain.name) else {
            return kernelRules.isEmpty ? [] : [Diagnostic(.note, "the script writes no rules of this chain; rules are located by kernel handle", at: chain.location)]
        }
        if let declaration = layout.declaration {
            chain.location = SourceLocation(source: declaration.file, line: declaration.line, detail: chain.location.detail)
        }
        if let problem = layout.problem {
            return [Diagnostic(.note, "rules are located by kernel handle, not by script line: \(problem)", at: chain.location)]
        }
        guard layout.rules.count == kernelRules.count else {
            return [Diagnostic(.note, "the kernel holds \(kernelRules.count) rule\(kernelRules.count == 1 ? "" : "s") in this chain, the script writes \(layout.rules.count); rules are located by kernel handle",
                               at: chain.location)]
        }
        var disagreements: [(location: SourceLocation, line: RuleLine)] = []
        for index in kernelRules.indices {
            let line = layout.rules[index]
            let kernel = kernelRules[index]
            let looksUpMap = kernel.object.expressions.contains { if case .lookup(_, .some, _, _, _) = $0 { true } else { false } }
            let agrees = RuleTextComparison.agree(script: line.tokens, kernelTexts: kernel.rules.map(\.text), kernelComment: kernel.object.comment,
                                                  looksUpMap: looksUpMap)
            guard agrees, let first = kernel.rules.first else {
                disagreements.append((kernel.rules.first?.location ?? chain.location, line))
                continue
            }
            let location = SourceLocation(source: line.file, line: line.line, detail: first.location.detail)
            for rule in kernelRules[index].rules.indices { kernelRules[index].rules[rule].location = location }
        }
        // One note per chain, at its first rule that does not read as its line.
        guard let (location, line) = disagreements.first else { return [] }
        let written = line.tokens.reduce(into: "") { text, token in
            if !text.isEmpty && token.kind != .comma { text += " " }
            text += token.kind == .string ? "\"\(token.text)\"" : token.text
        }
        let others = disagreements.count - 1
        let subject = others == 0 ? "it is" : "it and \(others) more rule\(others == 1 ? "" : "s") of this chain are"
        return [Diagnostic(.note, "the kernel's rule does not read as \(line.file):\(line.line) (\(written)); \(subject) located by kernel handle",
                           at: location)]
    }
}
