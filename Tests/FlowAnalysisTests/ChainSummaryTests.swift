import DecisionDiagram
import FirewallModel
import Foundation
@testable import FlowAnalysis
import Testing

/// A chain's summary diagram (`ChainSummaries`) decides every packet as the engine does: on each
/// box the engine ends with, the summary of each base chain the box passed gives the decision
/// the engine recorded there, for every packet and unknown answer of the box.
@Suite struct ChainSummary {
    /// Whether no rule of the ruleset changes packets: the engine's final boxes are then what each chain saw.
    static func rewritesNothing(_ index: RulesetIndex) -> Bool {
        index.ruleset.tables.allSatisfy { table in
            table.chains.allSatisfy { chain in
                chain.rules.allSatisfy { rule in
                    switch rule.action {
                    case .verdict, .jump, .goto, .return, .continue, .none: true
                    default: false
                    }
                }
            }
        }
    }

    /// How many packet pieces were compared, and each disagreement.
    static func disagreements(_ subject: Subject) -> (compared: Int, summarised: Int, failures: [String]) {
        guard rewritesNothing(subject.index) else { return (0, 0, []) }
        let summaries = ChainSummaries(index: subject.index, context: subject.context,
                                       matchSpace: MatchSpaceBox(MatchSpace(context: subject.context, index: subject.index)))
        var compared = 0, summarised = 0
        var failures: [String] = []
        var everything = PacketBox(family: subject.index.family, interfaces: subject.context.interfaces)
        everything.mark = IntervalSet(value: 0)
        everything.connectionMark = IntervalSet(value: 0)
        for origin in [PathEngine.Origin.network, .host] {
            for outcome in subject.engine.run(PacketSpace([everything]), from: origin) where !outcome.box.widened {
                for decision in outcome.decisions {
                    guard let (table, chain) = subject.index.baseChains(on: decision.hook).first(where: { table, chain in
                        subject.index.ruleset.tables[table].name == decision.table && subject.index.ruleset.tables[table].chains[chain].name == decision.baseChain
                    }) else { continue }
                    let base = subject.index.ruleset.tables[table].chains[chain].base!
                    guard let summary = summaries.summary(table: table, chain: chain, hook: decision.hook,
                                                          beforeConntrack: base.priority < PathEngine.conntrackPriority) else { continue }
                    summarised += 1
                    summaries.diagram.forEachPiece(of: summary, within: outcome.box) { leaf, piece in
                        compared += 1
                        let ending = summaries.ending(ofLeaf: leaf)
                        let agrees = if let position = decision.position {
                            ending == .verdict(decision.verdict, position)
                        } else {
                            ending == nil || ending == .returned
                        }
                        if !agrees { failures.append("\(origin) \(decision.hook) \(decision.table)/\(decision.baseChain): engine \(decision.verdict) at \(decision.position.map { "\($0.chain)/\($0.rule)" } ?? "policy"), summary \(ending.map { "\($0)" } ?? "end")") }
                    }
                }
            }
        }
        return (compared, summarised, failures)
    }

    /// The summary of one base chain, of the filter table on `hook`.
    static func summary(_ subject: Subject, _ summaries: ChainSummaries, on hook: Hook) -> DecisionDiagram.Node? {
        let (table, chain) = subject.index.baseChains(on: hook).first { subject.index.ruleset.tables[$0.table].name == "filter" }!
        return summaries.summary(table: table, chain: chain, hook: hook, beforeConntrack: false)
    }

    @Test func aChainThatRewritesOrReachesARewriteHasNoSummary() throws {
        let subject = try Subject(filter("""
        :marking - [0:0]
        :plain - [0:0]
        -A INPUT -p tcp -j plain
        -A INPUT -p udp -j marking
        -A OUTPUT -p tcp -j plain
        -A plain -s 10.0.0.0/8 -j ACCEPT
        -A marking -j CONNMARK --set-mark 1
        """))
        let summaries = ChainSummaries(index: subject.index, context: subject.context,
                                       matchSpace: MatchSpaceBox(MatchSpace(context: subject.context, index: subject.index)))
        #expect(ChainSummary.summary(subject, summaries, on: .input) == nil)
        let output = try #require(ChainSummary.summary(subject, summaries, on: .output))
        // TCP from 10/8 is accepted by `plain`'s rule; the rest falls off OUTPUT's end.
        var endings: [ChainSummaries.Ending?] = []
        summaries.diagram.forEachPiece(of: output, within: summaries.diagram.everyPacket) { leaf, _ in endings.append(summaries.ending(ofLeaf: leaf)) }
        #expect(Set(endings.map { $0.map { "\($0)" } ?? "end" }).count == 2)
        #expect(endings.contains(nil))
    }

    /// A return in a base chain, and a goto whose target falls off its end, end in the policy.
    @Test func returnsFromABaseChainMeetThePolicyAsTheEngineHasIt() throws {
        let subject = try Subject(filter("""
        :tail - [0:0]
        -A INPUT -s 10.0.0.0/8 -j RETURN
        -A INPUT -p tcp -g tail
        -A INPUT -j ACCEPT
        -A tail -p tcp -m tcp --dport 22 -j ACCEPT
        """))
        let result = ChainSummary.disagreements(subject)
        #expect(result.summarised > 0)
        #expect(result.compared > 3)
        #expect(result.failures == [])
    }

    /// Random chains that jump, go to and return among three chains, over small pools of values,
    /// some rules depending on a MAC match the analysis keeps unknown.
    @Test func randomChainsAgreeWithTheEngine() throws {
        var generator = SeededGenerator(state: 20261207)
        var compared = 0
        var failures: [String] = []
        for round in 0..<40 {
            var lines: [String] = []
            for chain in ["INPUT", "OUTPUT", "first", "second"] {
                for _ in 0..<Int.random(in: 1...10, using: &generator) {
                    let rule = "-A \(chain)" + randomConditions(&generator)
                    // Jumps only go deeper: first may reach second, base chains either.
                    var targets = ["ACCEPT", "DROP", "REJECT", "LOG"]
                    if chain == "first" || chain == "second" { targets.append("RETURN") }
                    if chain != "second" { targets += ["-g second", "second"] }
                    if chain == "INPUT" || chain == "OUTPUT" { targets += ["first", "-g first"] }
                    let target = targets.randomElement(using: &generator)!
                    lines.append(rule + (target.hasPrefix("-g") ? " \(target)" : " -j \(target)"))
                }
            }
            let text = filter(":first - [0:0]\n:second - [0:0]\n" + lines.joined(separator: "\n"), input: Bool.random(using: &generator) ? "DROP" : "ACCEPT")
            let result = ChainSummary.disagreements(try Subject(text))
            compared += result.compared
            if !result.failures.isEmpty { failures.append("round \(round):\n\(text)\n\(result.failures.prefix(3))") }
        }
        #expect(compared > 2000)
        #expect(Array(failures.prefix(2)) == [])
    }

    /// Every rewrite-free iptables-save ruleset of the fixtures and, when present, of the shared corpus.
    @Test func fixtureAndCorpusRulesetsAgreeWithTheEngine() throws {
        let (fixtures, corpus) = savedRulesets(for: "ChainSummary")
        var summarised = 0, compared = 0
        var failures: [String] = []
        for file in (fixtures + corpus).sorted(by: { $0.path < $1.path }) {
            let family: AddressFamily = file.pathExtension == "v6" ? .ipv6 : .ipv4
            guard let text = try? String(contentsOf: file, encoding: .utf8),
                  let subject = try? Subject(text, family: family, local: family == .ipv6 ? "2001:db8::10" : "198.51.100.10") else { continue }
            let result = ChainSummary.disagreements(subject)
            summarised += result.summarised
            compared += result.compared
            if !result.failures.isEmpty { failures.append("\(file.lastPathComponent): \(result.failures.prefix(3))") }
        }
        #expect(summarised > 20)
        #expect(compared > 500)
        #expect(failures == [])
    }
}
