import FirewallModel
import NftablesBytecode

/// Turns a kernel snapshot (the bytecode IR) into the semantic model, as nft's delinearizer
/// turns bytecode back into rules. Pure: the same snapshot always gives the same ruleset.
public enum NftablesLoader {
    /// - Parameters:
    ///   - source: the input's name for locations (`live`, a namespace, a file).
    ///   - interfaceNames: interface indexes to names, for `iif`/`oif`; unknown indexes stay opaque.
    ///   - script: for a snapshot of a loaded nft script, where the script writes each chain's rules:
    ///     rules and chains then carry their file and line besides their kernel handle.
    public static func load(_ snapshot: Snapshot, source: String, interfaceNames: [UInt32: String] = [:],
                            script: ScriptLayout? = nil) throws(NftablesLoadingError) -> Ruleset {
        if let problem = script?.problem {
            var ruleset = try load(snapshot, source: source, interfaceNames: interfaceNames)
            ruleset.diagnostics.append(Diagnostic(.note, "rules are located by kernel handle, not by script line: \(problem)",
                                                  at: SourceLocation(source: source)))
            return ruleset
        }
        var ruleset = Ruleset()
        for tableObject in snapshot.tables {
            let family = tableObject.family
            let tableLocation = SourceLocation(source: source, detail: "table \(family) \(tableObject.name)")
            var table = Table(name: tableObject.name, family: tableFamily(family), location: tableLocation)
            if let declaration = script?.tables[ScriptLayout.key("\(family)", tableObject.name)] {
                table.location = SourceLocation(source: declaration.file, line: declaration.line, detail: tableLocation.detail)
            }
            let chainObjects = snapshot.chains.filter { $0.family == family && $0.table == tableObject.name }
            let chainNames = Set(chainObjects.map(\.name))
            var sets: [String: SetObject] = [:]
            for set in snapshot.sets where set.family == family && set.table == tableObject.name { sets[set.name] = set }
            var dynamicSets = Set<String>()
            var rulesByChain: [String: [RuleObject]] = [:]
            for rule in snapshot.rules where rule.family == family && rule.table == tableObject.name {
                guard chainNames.contains(rule.chain) else {
                    throw NftablesLoadingError(location: SourceLocation(source: source, detail: "table \(family) \(rule.table) chain \(rule.chain) handle \(rule.handle)"),
                                               message: "rule in missing chain '\(rule.chain)'")
                }
                rulesByChain[rule.chain, default: []].append(rule)
                for case .dynset(_, _, _, let set, _, _) in rule.expressions { dynamicSets.insert(set) }
            }
            for chainObject in chainObjects {
                let location = SourceLocation(source: source, detail: "table \(family) \(tableObject.name) chain \(chainObject.name)")
                var (base, diagnostics) = baseChain(chainObject, location: location)
                if base != nil, tableObject.flags & 0x1 != 0 {
                    // NFT_TABLE_F_DORMANT: the table's base chains are not registered on their hooks.
                    base = nil
                    diagnostics.append(Diagnostic(.note, "table is dormant; its base chain is not on any hook", at: location))
                }
                ruleset.diagnostics += diagnostics
                var chain = Chain(name: chainObject.name, base: base, location: location)
                var kernelRules: [(object: RuleObject, rules: [Rule])] = []
                for rule in rulesByChain[chainObject.name] ?? [] {
                    var delinearizer = RuleDelinearizer(rule: rule, sets: sets, dynamicSets: dynamicSets, chains: chainNames,
                                                        interfaceNames: interfaceNames, source: source)
                    kernelRules.append((rule, try delinearizer.rules()))
                    ruleset.diagnostics += delinearizer.diagnostics
                }
                if let script {
                    ruleset.diagnostics += script.place(&kernelRules, chain: &chain, family: "\(family)", table: tableObject.name)
                }
                chain.rules = kernelRules.flatMap(\.rules)
                table.chains.append(chain)
            }
            ruleset.tables.append(table)
        }
        return ruleset
    }

    static func tableFamily(_ family: NetfilterFamily) -> TableFamily {
        switch family {
        case .ip: .ip
        case .ip6: .ip6
        case .inet: .inet
        case .arp: .arp
        case .bridge: .bridge
        case .netdev: .netdev
        }
    }

    /// The chain's place on a hook; ingress, egress and the bridge/arp/netdev families are not on the IP paths.
    static func baseChain(_ chain: ChainObject, location: SourceLocation) -> (BaseChain?, [Diagnostic]) {
        guard let hookNumber = chain.hook else { return (nil, []) }
        let policy: Verdict = chain.policy == 0 ? .drop : .accept
        let priority = Int(chain.priority ?? 0)
        let isNat = chain.type == "nat"
        let ipHooks: [Hook] = [.prerouting, .input, .forward, .output, .postrouting]
        switch chain.family {
        case .ip, .ip6, .inet:
            if hookNumber < 5 { return (BaseChain(hook: ipHooks[Int(hookNumber)], priority: priority, policy: policy, isNat: isNat), []) }
            let name = hookNumber == 5 ? "ingress" : hookNumber == 6 ? "egress" : "hook \(hookNumber)"
            return (nil, [Diagnostic(.note, "base chain on \(name)\(chain.device.map { " of \($0)" } ?? "") is not on the IP paths; not analysed", at: location)])
        case .bridge:
            let hook = hookNumber < 5 ? ipHooks[Int(hookNumber)] : nil
            return (hook.map { BaseChain(hook: $0, priority: priority, policy: policy, isNat: isNat) },
                    [Diagnostic(.note, "bridge base chain\(hook.map { " on \($0.rawValue)" } ?? "") is not on the IP paths; not analysed", at: location)])
        case .arp:
            let arpHooks: [Hook] = [.input, .output, .forward]
            let hook = hookNumber < 3 ? arpHooks[Int(hookNumber)] : nil
            return (hook.map { BaseChain(hook: $0, priority: priority, policy: policy, isNat: isNat) },
                    [Diagnostic(.note, "arp base chain is not on the IP paths; not analysed", at: location)])
        case .netdev:
            let name = hookNumber == 0 ? "ingress" : hookNumber == 1 ? "egress" : "hook \(hookNumber)"
            return (nil, [Diagnostic(.note, "netdev base chain on \(name)\(chain.device.map { " of \($0)" } ?? "") is not on the IP paths; not analysed", at: location)])
        }
    }
}
