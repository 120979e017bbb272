/// The jumps and gotos between one table's chains: the loops the kernel refuses, and how deeply
/// each chain is nested below a base chain. Walked without recursion, so a file of ten thousand
/// chains nested one in the next is read like any other.
public struct JumpGraph: Sendable {
    public let chains: [Chain]
    /// Per chain, each rule that jumps or goes to a chain of the table, with the target, in rule order.
    private let edges: [[(rule: Int, target: Int)]]

    public init(chains: [Chain]) {
        self.chains = chains
        let index = Dictionary(chains.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        edges = chains.map { chain in
            chain.rules.enumerated().compactMap { number, rule in
                switch rule.action {
                case .jump(let name), .goto(let name): index[name].map { (number, $0) }
                default: nil
                }
            }
        }
    }

    /// A loop of jumps: the rule that closes it and the chains on it, the first repeated at the end.
    public struct Loop: Sendable {
        public var rule: Rule
        public var chains: [String]

        /// The error every reader gives at `rule`.
        public var message: String { "chain loop \(chains.joined(separator: " -> ")); the kernel refuses loops" }
    }

    /// The first loop met walking depth first from each chain in order, rules in order; nil when
    /// there is none.
    public func firstLoop() -> Loop? {
        var state = [UInt8](repeating: 0, count: chains.count) // 0 unvisited, 1 on the path, 2 done
        // The chains on the path from the walk's root, each with its next edge to follow.
        var path: [(chain: Int, next: Int)] = []
        for root in chains.indices where state[root] == 0 {
            state[root] = 1
            path = [(root, 0)]
            while let (chain, next) = path.last {
                guard next < edges[chain].count else {
                    state[chain] = 2
                    path.removeLast()
                    continue
                }
                path[path.count - 1].next += 1
                let (rule, target) = edges[chain][next]
                if state[target] == 1 {
                    let start = path.firstIndex { $0.chain == target }!
                    return Loop(rule: chains[chain].rules[rule], chains: path[start...].map { chains[$0.chain].name } + [chains[target].name])
                }
                if state[target] == 0 {
                    state[target] = 1
                    path.append((target, 0))
                }
            }
        }
        return nil
    }

    /// For each chain, the most jumps and gotos on a way to it from a base chain (0 for a base
    /// chain), nil when no base chain reaches it; `Int.max` for a chain on or behind a loop.
    public func depths() -> [Int?] {
        var incoming = [Int](repeating: 0, count: chains.count)
        for chainEdges in edges { for edge in chainEdges { incoming[edge.target] += 1 } }
        var depth: [Int?] = chains.map { $0.base == nil ? nil : 0 }
        // Chains in an order where every chain comes after all that jump to it.
        var ready = chains.indices.filter { incoming[$0] == 0 }
        while let chain = ready.popLast() {
            for edge in edges[chain] {
                if let known = depth[chain] { depth[edge.target] = Swift.max(depth[edge.target] ?? 0, known + 1) }
                incoming[edge.target] -= 1
                if incoming[edge.target] == 0 { ready.append(edge.target) }
            }
        }
        for chain in chains.indices where incoming[chain] > 0 { depth[chain] = Int.max }
        return depth
    }

    /// The rules that jump or go to a chain of the table from a chain at least `minimum` jumps
    /// below a base chain (by `depths()`), chains and rules in table order.
    public func jumps(fromDepth minimum: Int) -> [Rule] {
        zip(depths(), edges).enumerated().flatMap { chain, entry -> [Rule] in
            guard let depth = entry.0, depth >= minimum else { return [] }
            return entry.1.map { chains[chain].rules[$0.rule] }
        }
    }
}
