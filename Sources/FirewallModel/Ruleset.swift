/// The netfilter hooks an IP packet passes.
public enum Hook: String, Sendable, Hashable, CaseIterable, Comparable {
    case prerouting, input, forward, output, postrouting

    /// The iptables name of the built-in chain on this hook.
    public var iptablesChainName: String { rawValue.uppercased() }

    public init?(iptablesChainName: String) {
        guard let hook = Hook(rawValue: iptablesChainName.lowercased()), iptablesChainName == iptablesChainName.uppercased() else { return nil }
        self = hook
    }

    public static func < (lhs: Hook, rhs: Hook) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The address families a table filters, as nftables names them (iptables tables are `ip` or `ip6`).
public enum TableFamily: String, Sendable, Hashable {
    case ip, ip6, inet, arp, bridge, netdev

    /// Whether the table's chains see IP packets of `family` on the IP hooks.
    public func covers(_ family: AddressFamily) -> Bool {
        switch self {
        case .ip: family == .ipv4
        case .ip6: family == .ipv6
        case .inet: true
        case .arp, .bridge, .netdev: false
        }
    }
}

/// What a base chain attaches to: its hook, its priority among the hook's chains, and its policy.
public struct BaseChain: Sendable, Hashable {
    public var hook: Hook
    public var priority: Int
    /// `accept` or `drop`: what happens to packets that fall through the chain.
    public var policy: Verdict
    /// For iptables' nat table and nft nat chains: only the first packet of a connection passes.
    public var isNat: Bool

    public init(hook: Hook, priority: Int, policy: Verdict, isNat: Bool = false) {
        self.hook = hook
        self.priority = priority
        self.policy = policy
        self.isNat = isNat
    }
}

/// One rule: conditions, an action, and where it was written.
public struct Rule: Sendable, Hashable {
    public var location: SourceLocation
    public var matches: [Match]
    public var action: Action
    /// The rule as the input wrote it, for reports.
    public var text: String
    public var comment: String?

    public init(location: SourceLocation, matches: [Match], action: Action, text: String, comment: String? = nil) {
        self.location = location
        self.matches = matches
        self.action = action
        self.text = text
        self.comment = comment
    }

    public var opaqueMatches: [Match] { matches.filter(\.isOpaque) }
}

/// A chain of rules; base chains are attached to a hook, user chains are reached by jumps.
public struct Chain: Sendable, Hashable {
    public var name: String
    public var base: BaseChain?
    public var rules: [Rule]
    public var location: SourceLocation

    public init(name: String, base: BaseChain?, rules: [Rule] = [], location: SourceLocation) {
        self.name = name
        self.base = base
        self.rules = rules
        self.location = location
    }
}

/// A table of chains in one family.
public struct Table: Sendable, Hashable {
    public var name: String
    public var family: TableFamily
    public var chains: [Chain]
    public var location: SourceLocation

    public init(name: String, family: TableFamily, chains: [Chain] = [], location: SourceLocation) {
        self.name = name
        self.family = family
        self.chains = chains
        self.location = location
    }

    public func chain(named name: String) -> Chain? { chains.first { $0.name == name } }
}

/// A whole firewall as read from one or more inputs, with what the loaders noticed.
public struct Ruleset: Sendable, Hashable {
    public var tables: [Table]
    public var diagnostics: [Diagnostic]

    public init(tables: [Table] = [], diagnostics: [Diagnostic] = []) {
        self.tables = tables
        self.diagnostics = diagnostics
    }

    /// Combines rulesets read from several inputs; every base chain keeps its place by priority.
    public mutating func merge(_ other: Ruleset) {
        tables += other.tables
        diagnostics += other.diagnostics
    }

    /// Whether any table filters packets of `family`.
    public func covers(_ family: AddressFamily) -> Bool {
        tables.contains { $0.family.covers(family) }
    }

    /// The base chains that see `family` packets on `hook`, in the order the kernel runs them.
    public func baseChains(on hook: Hook, family: AddressFamily) -> [(table: Table, chain: Chain)] {
        var found: [(table: Table, chain: Chain, order: Int)] = []
        var order = 0
        for table in tables where table.family.covers(family) {
            for chain in table.chains {
                if let base = chain.base, base.hook == hook {
                    found.append((table, chain, order))
                }
                order += 1
            }
        }
        return found
            .sorted { ($0.chain.base!.priority, $0.order) < ($1.chain.base!.priority, $1.order) }
            .map { ($0.table, $0.chain) }
    }

    public var ruleCount: Int { tables.reduce(0) { $0 + $1.chains.reduce(0) { $0 + $1.rules.count } } }
}

/// The priorities of iptables' built-in tables, as the kernel registers them.
public enum IptablesTable: String, Sendable, CaseIterable {
    case raw, mangle, nat, filter, security

    /// The priority of this table's chain on `hook`, or nil when the table has no chain there.
    public func priority(on hook: Hook) -> Int? {
        switch (self, hook) {
        case (.raw, .prerouting), (.raw, .output): -300
        case (.mangle, _): -150
        case (.nat, .prerouting), (.nat, .output): -100
        case (.nat, .input), (.nat, .postrouting): 100
        case (.filter, .input), (.filter, .forward), (.filter, .output): 0
        case (.security, .input), (.security, .forward), (.security, .output): 50
        default: nil
        }
    }
}
