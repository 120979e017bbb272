import FirewallModel
import Testing

@Suite struct JumpGraphs {
    /// Chains from a list of (name, is base, targets): each target is one rule jumping there.
    static func chains(_ spec: [(String, Bool, [String])]) -> [Chain] {
        spec.enumerated().map { number, entry in
            let (name, isBase, targets) = entry
            let rules = targets.enumerated().map { rule, target in
                Rule(location: SourceLocation(source: "test", line: number * 100 + rule), matches: [], action: .jump(target),
                     text: "-A \(name) -j \(target)")
            }
            return Chain(name: name, base: isBase ? BaseChain(hook: .input, priority: 0, policy: .drop) : nil, rules: rules,
                         location: SourceLocation(source: "test", line: number * 100))
        }
    }

    @Test func depthIsTheLongestWayFromABaseChain() {
        // INPUT -> a -> b -> c, and INPUT -> c directly: c is three jumps deep, not one.
        let graph = JumpGraph(chains: JumpGraphs.chains([
            ("INPUT", true, ["a", "c", "missing"]), ("a", false, ["b"]), ("b", false, ["c"]), ("c", false, []), ("unused", false, ["c"]),
        ]))
        #expect(graph.depths() == [0, 1, 2, 3, nil])
        #expect(graph.firstLoop() == nil)
    }

    @Test func loopIsNamedFromTheRuleThatClosesIt() throws {
        let graph = JumpGraph(chains: JumpGraphs.chains([
            ("INPUT", true, ["a"]), ("a", false, ["b"]), ("b", false, ["c"]), ("c", false, ["a"]), ("after", false, []),
        ]))
        let loop = try #require(graph.firstLoop())
        #expect(loop.chains == ["a", "b", "c", "a"])
        #expect(loop.rule.text == "-A c -j a")
        // Chains on a loop are nested without end.
        #expect(graph.depths() == [0, Int.max, Int.max, Int.max, nil])
    }

    @Test func tenThousandNestedChainsAreWalkedWithoutRecursion() {
        let count = 10_000
        let graph = JumpGraph(chains: JumpGraphs.chains([("INPUT", true, ["c0"])]
            + (0..<count).map { ("c\($0)", false, $0 + 1 < count ? ["c\($0 + 1)"] : []) }))
        #expect(graph.firstLoop() == nil)
        #expect(graph.depths()[count] == count)
    }
}
