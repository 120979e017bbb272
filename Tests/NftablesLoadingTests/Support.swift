import FirewallModel
import NftablesBytecode
import NftablesLoading

/// Builds a snapshot of one table around rules written in the bytecode notation: every chain the
/// rules name exists, the first as a base chain on `hook` (input unless told) with an accept policy.
func snapshot(_ notation: String, hook: UInt32? = 1, sets: [SetObject] = [], chains extra: [String] = []) throws -> Snapshot {
    let rules = try NotationParser.rules(notation)
    guard let first = rules.first else { return Snapshot() }
    var names: [String] = []
    for rule in rules where !names.contains(rule.chain) { names.append(rule.chain) }
    names += extra.filter { !names.contains($0) }
    let chains = names.enumerated().map { index, name in
        ChainObject(family: first.family, table: first.table, name: name, hook: index == 0 ? hook : nil,
                    priority: index == 0 ? 0 : nil, policy: index == 0 ? 1 : nil, type: "filter")
    }
    let sets = sets.map { set in
        var set = set
        set.family = first.family
        set.table = first.table
        return set
    }
    return Snapshot(tables: [TableObject(family: first.family, name: first.table)], chains: chains, rules: rules, sets: sets)
}

/// The rules of the first chain, delinearized.
func delinearize(_ notation: String, sets: [SetObject] = [], chains: [String] = [], interfaceNames: [UInt32: String] = [:]) throws -> (rules: [Rule], diagnostics: [Diagnostic]) {
    let ruleset = try NftablesLoader.load(try snapshot(notation, sets: sets, chains: chains), source: "test", interfaceNames: interfaceNames)
    return (ruleset.tables[0].chains[0].rules, ruleset.diagnostics)
}

/// The conditions of the only rule, with their negation.
func conditions(_ rule: Rule) -> [Condition] { rule.matches.map(\.condition) }

/// A set element from the notation's words (`0x0000000a`), `count` bytes long.
func element(_ words: String, count: Int = 4, end: Bool = false, keyEnd: String? = nil, data: ImmediateValue? = nil, catchAll: Bool = false) -> SetElement {
    SetElement(key: Bytes(words: words, count: count) ?? Bytes([]), keyEnd: keyEnd.flatMap { Bytes(words: $0, count: count) },
               flags: (end ? 1 : 0) | (catchAll ? 2 : 0), data: data)
}

func addresses(_ text: String) -> AddressSet { AddressPrefix(text)!.addresses }
func ports(_ ranges: ClosedRange<UInt16>...) -> PortSet { PortSet(ranges: ranges) }
func protocols(_ values: UInt8...) -> ProtocolSet { ProtocolSet(ranges: values.map { $0...$0 }) }

/// Bytes of a little-endian (host order) integer, as the kernel's info structures hold them.
func host<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}

/// Bytes of a network-order integer.
func network<T: FixedWidthInteger>(_ value: T) -> [UInt8] { host(value.bigEndian) }

/// A fixed-size NUL-padded C string.
func cString(_ text: String, size: Int) -> [UInt8] {
    let bytes = Array(text.utf8.prefix(size - 1))
    return bytes + Array(repeating: 0, count: size - bytes.count)
}

/// Bytes from a hex string (`0a000001`), as the info structures were captured.
func hexBytes(_ text: String) -> Bytes {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return Bytes(bytes)
}

/// A one-rule iptables-nft program: the rule's native expressions, then xt matches and a target.
func iptablesRule(_ native: [Expression] = [], matches: [(String, UInt32, Bytes)] = [], target: (String, UInt32, Bytes)? = nil,
                  verdict: VerdictCode? = nil, table: String = "filter", family: NetfilterFamily = .ip) throws -> (rule: Rule, diagnostics: [Diagnostic]) {
    var expressions = native + matches.map { Expression.match(name: $0.0, revision: $0.1, info: $0.2) }
    expressions.append(.counter(packets: 0, bytes: 0))
    if let target { expressions.append(.target(name: target.0, revision: target.1, info: target.2)) }
    if let verdict { expressions.append(.immediate(destination: .verdict, value: .verdict(verdict, chain: nil))) }
    let snapshot = Snapshot(tables: [TableObject(family: family, name: table)],
                            chains: [ChainObject(family: family, table: table, name: "INPUT", hook: 1, priority: 0, policy: 1, type: "filter")],
                            rules: [RuleObject(family: family, table: table, chain: "INPUT", handle: 2, expressions: expressions)])
    let ruleset = try NftablesLoader.load(snapshot, source: "test")
    let rules = ruleset.tables[0].chains[0].rules
    return (rules[0], ruleset.diagnostics)
}
