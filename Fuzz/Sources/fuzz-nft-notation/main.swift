/// Fuzzes `NftablesLoader.load` (delinearising nf_tables bytecode into fwaudit rules) through the
/// `nft --debug=netlink` notation: `NotationParser.rules` reads the text, every table and chain the
/// rules name is declared (the first chain of each table as an input base chain), and the
/// snapshot is loaded. Both steps must throw or succeed, never trap. Seeds: `Fixtures/nft/**/*.nft`,
/// `Fixtures/netlink/sampler.nft`, the shared corpus's `nft-text/` (mostly rejected by the parser,
/// but rich in tokens), plus the notation in the recorded fixtures' `dump --stage bytecode` form
/// when present.
import FuzzDriver
import NftablesBytecode
import NftablesLoading

Fuzzer.runText { text in
    guard let rules = try? NotationParser.rules(text) else { return }
    var tables: [TableObject] = []
    var chains: [ChainObject] = []
    for rule in rules {
        if !tables.contains(where: { $0.family == rule.family && $0.name == rule.table }) {
            tables.append(TableObject(family: rule.family, name: rule.table))
            chains.append(ChainObject(family: rule.family, table: rule.table, name: rule.chain,
                                      hook: 1, priority: 0, policy: 0, type: "filter"))
        } else if !chains.contains(where: { $0.family == rule.family && $0.table == rule.table && $0.name == rule.chain }) {
            chains.append(ChainObject(family: rule.family, table: rule.table, name: rule.chain))
        }
    }
    _ = try? NftablesLoader.load(Snapshot(tables: tables, chains: chains, rules: rules), source: "fuzz.nft")
}
