import FirewallModel
import JSONDocuments
import NftablesSemantics

/// Reads `nft -j list ruleset` exports (nft 0.9 to 1.x) into the semantic model, offline.
///
/// Tables, chains, named sets and maps come first; rules are read once every object is known, so
/// set references and jump targets resolve wherever they are declared. Constructs the model
/// cannot express exactly become opaque matches or opaque verdicts with a warning.
public enum NftablesJSONLoader {
    /// Parses an export. `source` is the path as the user gave it (used in locations).
    public static func load(_ text: String, source: String) throws(NftablesJSONError) -> Ruleset {
        let value: JSONValue, positions: JSONPositions
        do {
            // Objects two levels down are the export's items (`{"rule": …}`): their lines locate rules.
            (value, positions) = try JSONParser.parse(text, recordingObjectsTo: 2)
        } catch {
            throw NftablesJSONError(location: SourceLocation(source: source, line: error.line, column: error.column), message: "not JSON: \(error.message)")
        }
        var reader = ExportReader(source: source, positions: positions)
        try reader.read(JSONNode(value, path: "$", source: source))
        return Ruleset(tables: reader.tables.map(\.table), diagnostics: reader.diagnostics)
    }
}

/// The two passes behind `NftablesJSONLoader.load`.
struct ExportReader {
    let source: String
    /// Where the parser found the export's items, for the lines of tables, chains and rules.
    let positions: JSONPositions
    var tables: [(table: Table, sets: [String: NamedSet])] = []
    var diagnostics: [Diagnostic] = []
    private var tableIndex: [String: Int] = [:]
    /// Tables with the `dormant` flag: the kernel has detached their base chains.
    private var dormantTables: Set<Int> = []
    /// Each table's chain names, for jump targets; built when its first rule is read (all chains come first).
    private var chainNames: [Int: Set<String>] = [:]

    init(source: String, positions: JSONPositions = JSONPositions()) {
        self.source = source
        self.positions = positions
    }

    /// The line of the export's item at `index` (the line of its `{`).
    private func line(_ index: Int) -> Int? { positions.line(of: [.member("nftables"), .item(index)]) }

    /// Objects that hold no filtering of their own (stateful objects referenced by rules, flowtables).
    private static let passiveObjects: Set<String> = [
        "counter", "quota", "limit", "ct helper", "ct timeout", "ct expectation", "secmark", "synproxy", "flowtable", "element",
    ]

    mutating func read(_ root: JSONNode) throws(NftablesJSONError) {
        guard case .object = root.value else { throw root.error("expected an object with an 'nftables' array, found \(root.value.kindName)") }
        let objects = try root.member("nftables").requireItems()
        var rules: [(node: JSONNode, body: JSONNode, line: Int?)] = []
        var updatedSets: Set<String> = []
        for (index, object) in objects.enumerated() {
            guard let (key, body) = object.tagged else { throw object.error("expected an object with one key, found \(object.compactText)") }
            switch key {
            case "metainfo":
                if let version = body["json_schema_version"]?.integer, version > 1 {
                    diagnostics.append(Diagnostic(.warning, "json_schema_version \(version) is newer than this reader knows (1)", at: body.location))
                }
            case "table":
                try addTable(body, line: line(index))
            case "chain":
                try addChain(body, line: line(index))
            case "set", "map":
                let (index, _) = try table(of: body)
                let set = try NamedSet.read(body, isMap: key == "map")
                tables[index].sets[set.name] = set
            case "rule":
                rules.append((object, body, line(index)))
                for statement in body["expr"]?.items ?? [] {
                    guard let (kind, update) = statement.tagged, kind == "set" || kind == "map",
                          let name = (update["set"] ?? update["map"])?.string, name.hasPrefix("@") else { continue }
                    updatedSets.insert("\(try table(of: body).index) \(name.dropFirst())")
                }
            case "add", "create", "insert", "replace", "delete", "destroy", "flush", "list", "reset", "rename":
                throw object.error("'\(key)' is an nft command (JSON input for nft -j -f), not part of an 'nft -j list ruleset' export")
            default:
                if !ExportReader.passiveObjects.contains(key) {
                    diagnostics.append(Diagnostic(.warning, "object '\(key)' is not modelled; ignored", at: object.location))
                }
            }
        }
        for index in tables.indices {
            for name in tables[index].sets.keys where updatedSets.contains("\(index) \(name)") {
                tables[index].sets[name]?.isDynamic = true
            }
        }
        var positions: [String: Int] = [:]
        for (_, body, line) in rules { try addRule(body, line: line, positions: &positions) }
        for entry in tables { try rejectLoops(entry.table) }
    }

    // MARK: Tables and chains

    private static func key(_ family: String, _ name: String) -> String { "\(family) \(name)" }

    private mutating func addTable(_ body: JSONNode, line: Int?) throws(NftablesJSONError) {
        let familyName = try body.member("family").requireString()
        let name = try body.member("name").requireString()
        guard let family = TableFamily(rawValue: familyName) else { throw body.error("unknown table family '\(familyName)'") }
        let key = ExportReader.key(familyName, name)
        guard tableIndex[key] == nil else { throw body.error("table \(familyName) \(name) appears twice") }
        tableIndex[key] = tables.count
        let location = SourceLocation(source: source, line: line, detail: "table \(familyName) \(name)")
        tables.append((Table(name: name, family: family, location: location), [:]))
        let flags = (body["flags"]?.itemsOrSingle ?? []).compactMap(\.string)
        // nft 1.0.6 writes the dormant flag as "d".
        if flags.contains("dormant") || flags.contains("d") {
            dormantTables.insert(tables.count - 1)
            diagnostics.append(Diagnostic(.note, "table \(familyName) \(name) is dormant: its chains are not attached to any hook", at: location))
        }
        if family == .arp || family == .bridge || family == .netdev {
            diagnostics.append(Diagnostic(.note, "table \(familyName) \(name) does not filter on the IP paths; it is kept but not analysed", at: location))
        }
    }

    private func table(of body: JSONNode) throws(NftablesJSONError) -> (index: Int, description: String) {
        let family = try body.member("family").requireString()
        let name = try body.member("table").requireString()
        guard let index = tableIndex[ExportReader.key(family, name)] else { throw body.error("unknown table \(family) \(name)") }
        return (index, "table \(family) \(name)")
    }

    private mutating func addChain(_ body: JSONNode, line: Int?) throws(NftablesJSONError) {
        let (index, tableText) = try table(of: body)
        let name = try body.member("name").requireString()
        let detail = "\(tableText) chain \(name)"
        let location = SourceLocation(source: source, line: line, detail: detail)
        guard tables[index].table.chain(named: name) == nil else { throw body.error("chain '\(name)' appears twice in \(tableText)") }
        var base: BaseChain?
        if let hookName = body["hook"]?.string {
            let priority = try chainPriority(body)
            let policyName = body["policy"]?.string ?? "accept"
            let policy: Verdict
            switch policyName {
            case "accept": policy = .accept
            case "drop": policy = .drop
            default: throw body.error("invalid policy '\(policyName)' for chain '\(name)'")
            }
            if dormantTables.contains(index) {
                base = nil
            } else if let hook = Hook(rawValue: hookName) {
                base = BaseChain(hook: hook, priority: priority, policy: policy, isNat: body["type"]?.string == "nat")
                if body["type"]?.string == "route" {
                    diagnostics.append(Diagnostic(.note, "route chain: a changed mark or address re-routes the packet, which is not modelled", at: location))
                }
            } else {
                diagnostics.append(Diagnostic(.warning, "hook '\(hookName)' is not one of the IP hooks the analysis follows; chain '\(name)' (policy \(policyName)) is not analysed", at: location))
            }
        }
        tables[index].table.chains.append(Chain(name: name, base: base, location: location))
    }

    /// `prio` is a number in every nft version's output; standard names are accepted from hand-written files.
    private func chainPriority(_ body: JSONNode) throws(NftablesJSONError) -> Int {
        guard let node = body["prio"] else { return 0 }
        if let number = node.integer { return number }
        if let name = node.string, let value = SymbolTables.priorities[name] { return value }
        throw node.error("invalid chain priority \(node.compactText)")
    }

    // MARK: Rules

    private mutating func addRule(_ body: JSONNode, line: Int?, positions: inout [String: Int]) throws(NftablesJSONError) {
        let (index, tableText) = try table(of: body)
        let chainName = try body.member("chain").requireString()
        guard let chainIndex = tables[index].table.chains.firstIndex(where: { $0.name == chainName }) else {
            throw body.error("unknown chain '\(chainName)' in \(tableText)")
        }
        let positionKey = "\(index) \(chainName)"
        positions[positionKey, default: 0] += 1
        let detail: String
        if let handle = body["handle"]?.unsigned, handle > 0 {
            detail = "\(tableText) chain \(chainName) handle \(handle)"
        } else {
            detail = "\(tableText) chain \(chainName) rule \(positions[positionKey]!)"
        }
        let rule = body.within(detail)
        let location = SourceLocation(source: source, line: line, detail: detail)
        // Only these parts are copied out: holding the table while appending below would copy its rules each time.
        let family = tables[index].table.family
        if chainNames[index] == nil { chainNames[index] = Set(tables[index].table.chains.map(\.name)) }
        let builder = MatchBuilder(tableFamily: family, location: location)
        var reader = StatementReader(
            matches: MatchReader(builder: builder, selectors: SelectorReader(tableFamily: family), sets: tables[index].sets),
            chains: chainNames[index]!)
        let expressions = try rule.member("expr").requireItems()
        var statements: [Statement] = []
        for expression in expressions { statements.append(try reader.read(expression)) }
        let text = expressions.map(ExpressionText.statement).joined(separator: " ")
        var comment = body["comment"]?.string
        if comment?.isEmpty == true { comment = nil }
        // The comment is printed after the rule, as nft lists it.
        let assembler = RuleAssembler(location: location, text: text + (comment.map { " comment \"\($0)\"" } ?? ""), comment: comment)
        var finalBuilder = reader.builder
        let rules = assembler.assemble(statements, builder: &finalBuilder)
        diagnostics += finalBuilder.diagnostics
        tables[index].table.chains[chainIndex].rules += rules
    }

    /// The kernel refuses jump loops; a file with one was not exported by nft.
    private func rejectLoops(_ table: Table) throws(NftablesJSONError) {
        if let loop = JumpGraph(chains: table.chains).firstLoop() {
            throw NftablesJSONError(location: loop.rule.location, message: loop.message)
        }
    }
}
