import FirewallModel

/// A random ruleset kept as structure (tables, chains, rules, match fragments) so it can be
/// written as iptables-save text and shrunk piece by piece.
struct GeneratedRuleset: Sendable, Hashable {
    struct Rule: Sendable, Hashable {
        /// Independent pieces of the rule line (`-s 10.0.0.0/8`, `-p tcp`, `-m tcp --dport 22`).
        var matches: [String]
        /// `-j ACCEPT`, `-g u2`, … or nil for a rule that only counts.
        var target: String?
    }

    struct Chain: Sendable, Hashable {
        var name: String
        /// `ACCEPT`/`DROP` for a built-in chain, nil for a user chain.
        var policy: String?
        var rules: [Rule]
    }

    struct Table: Sendable, Hashable {
        var name: String
        var chains: [Chain]
    }

    var family: AddressFamily
    var tables: [Table]

    /// iptables-save text, with `header` lines written as `#` comments first.
    func text(header: [String] = []) -> String {
        var lines = header.map { "# " + $0 }
        for table in tables {
            lines.append("*\(table.name)")
            for chain in table.chains { lines.append(":\(chain.name) \(chain.policy ?? "-") [0:0]") }
            for chain in table.chains {
                for rule in chain.rules {
                    var words = ["-A", chain.name] + rule.matches
                    if let target = rule.target { words.append(target) }
                    lines.append(words.joined(separator: " "))
                }
            }
            lines.append("COMMIT")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Whether the ruleset translates addresses: probes may then end on another path than they began.
    var translates: Bool { tables.contains { $0.name == "nat" && $0.chains.contains { !$0.rules.isEmpty } } }

    var ruleCount: Int { tables.reduce(0) { $0 + $1.chains.reduce(0) { $0 + $1.rules.count } } }
    var matchCount: Int { tables.reduce(0) { $0 + $1.chains.reduce(0) { $0 + $1.rules.reduce(0) { $0 + $1.matches.count } } } }

    /// Smaller variants, most reducing first: whole tables, user chains, rules, single matches,
    /// policies set to ACCEPT. Some may be rejected by iptables-restore (a port match without its
    /// protocol); the shrinker discards those.
    func reductions() -> [GeneratedRuleset] {
        var result: [GeneratedRuleset] = []
        for t in tables.indices where tables.count > 1 {
            var copy = self
            copy.tables.remove(at: t)
            result.append(copy)
        }
        for t in tables.indices {
            for c in tables[t].chains.indices where tables[t].chains[c].policy == nil {
                let name = tables[t].chains[c].name
                let referenced = tables[t].chains.contains { $0.rules.contains { $0.target == "-j \(name)" || $0.target == "-g \(name)" } }
                if referenced { continue }
                var copy = self
                copy.tables[t].chains.remove(at: c)
                result.append(copy)
            }
        }
        for t in tables.indices {
            for c in tables[t].chains.indices {
                // Halves first, then single rules.
                let count = tables[t].chains[c].rules.count
                if count >= 4 {
                    var first = self, second = self
                    first.tables[t].chains[c].rules.removeFirst(count / 2)
                    second.tables[t].chains[c].rules.removeLast(count - count / 2)
                    result += [first, second]
                }
                for r in tables[t].chains[c].rules.indices {
                    var copy = self
                    copy.tables[t].chains[c].rules.remove(at: r)
                    result.append(copy)
                }
            }
        }
        for t in tables.indices {
            for c in tables[t].chains.indices {
                for r in tables[t].chains[c].rules.indices {
                    for m in tables[t].chains[c].rules[r].matches.indices {
                        var copy = self
                        copy.tables[t].chains[c].rules[r].matches.remove(at: m)
                        result.append(copy)
                    }
                    // A jump or goto whose callee is irrelevant: try the plain verdicts instead.
                    if let target = tables[t].chains[c].rules[r].target, target.hasPrefix("-j u") || target.hasPrefix("-g u") {
                        for replacement in ["-j ACCEPT", "-j DROP"] {
                            var copy = self
                            copy.tables[t].chains[c].rules[r].target = replacement
                            result.append(copy)
                        }
                    }
                }
                if tables[t].chains[c].policy == "DROP" {
                    var copy = self
                    copy.tables[t].chains[c].policy = "ACCEPT"
                    result.append(copy)
                }
            }
        }
        return result
    }
}

/// A small, fast, seedable generator (SplitMix64), so a seed names one ruleset forever.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The generator of ruleset `index` of a campaign with `seed`: independent of the other rulesets.
    static func forRuleset(seed: UInt64, index: Int) -> SplitMix64 {
        var mixer = SplitMix64(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        return SplitMix64(seed: mixer.next())
    }
}
