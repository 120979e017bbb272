import FirewallModel
import Foundation
@testable import FlowAnalysis
import IptablesLoading
import Testing

/// Runs of rules split in one pass (`FirstMatchPartition`) decide exactly the packets that rule
/// by rule does, each by the same rule: the engine's answer does not depend on the path it takes.
@Suite struct RulePartition {
    /// Every packet to, through and from the host, marks and connection marks at zero.
    static func everything(_ subject: Subject) -> PacketBox {
        var box = PacketBox(family: subject.index.family, interfaces: subject.context.interfaces)
        box.mark = IntervalSet(value: 0)
        box.connectionMark = IntervalSet(value: 0)
        return box
    }

    /// The packets of each distinct history (verdict, path, decisions, throttles), as one space.
    static func byHistory(_ outcomes: [Outcome]) -> [String: PacketSpace] {
        var spaces: [String: PacketSpace] = [:]
        for outcome in outcomes {
            let key = "\(outcome.verdict) \(outcome.path) " + outcome.decisions.map { "\($0.table)/\($0.chain)/\($0.position.map { "\($0.rule)" } ?? "policy")" }
                .joined(separator: " ") + " throttles \(outcome.throttles.map(\.matchIndex))"
            spaces[key, default: PacketSpace()] = spaces[key, default: PacketSpace()].union(PacketSpace([outcome.box]))
        }
        return spaces
    }

    /// The differences between both ways of running `subject` on every packet, from both origins.
    static func differences(_ subject: Subject) -> [String] {
        var found: [String] = []
        for origin in [PathEngine.Origin.network, .host] {
            let space = PacketSpace([everything(subject)])
            let partitioned = byHistory(PathEngine(index: subject.index, context: subject.context, runPolicy: .everyRun).run(space, from: origin))
            let ruleByRule = byHistory(PathEngine(index: subject.index, context: subject.context, runPolicy: .ruleByRule).run(space, from: origin))
            for key in Set(partitioned.keys).union(ruleByRule.keys).sorted() {
                let a = partitioned[key] ?? PacketSpace(), b = ruleByRule[key] ?? PacketSpace()
                if !a.subtracting(b).isEmpty || !b.subtracting(a).isEmpty { found.append("\(origin) \(key)") }
            }
        }
        return found
    }

    @Test func bansSplitIntoEachBanAndTheRest() throws {
        let bans = (1...20).map { "-A f2b -s 192.0.2.\($0)/32 -j REJECT" }.joined(separator: "\n")
        let subject = try Subject(filter("""
        :f2b - [0:0]
        -A INPUT -p tcp -m tcp --dport 22 -j f2b
        -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
        \(bans)
        -A f2b -j RETURN
        """))
        var box = subject.inboundTCP
        box.destinationPort = PortSet(value: 22)
        let outcomes = PathEngine(index: subject.index, context: subject.context, runPolicy: .everyRun).run(PacketSpace([box]), from: .network)
        let dropped = outcomes.filter { $0.verdict != .accept }
        #expect(dropped.count == 20)
        #expect(Set(dropped.map { $0.box.source }) == Set((1...20).map { AddressSet(value: IPAddress("192.0.2.\($0)")!.value) }))
        let accepted = outcomes.filter { $0.verdict == .accept }
        #expect(accepted.count == 1)
        // Every source but the twenty banned, 192.0.2.1-192.0.2.20: the two ranges around them.
        #expect(accepted.first?.box.source.ranges.count == 2)
        #expect(RulePartition.differences(subject) == [])
    }

    @Test func overlappingRulesGoToTheFirstThatMatches() throws {
        let subject = try Subject(filter("""
        -A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 80 -j ACCEPT
        -A INPUT -s 10.1.0.0/16 -j DROP
        -A INPUT -p tcp -m multiport --ports 22,80 -j ACCEPT
        -A INPUT -i eth+ -p udp -m udp --sport 53 -j ACCEPT
        -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT
        -A INPUT -p tcp -m tcp --tcp-flags SYN,ACK SYN -s 172.16.0.0/12 -j DROP
        -A INPUT ! -s 192.168.0.0/16 -p tcp -m tcp --dport 1000:2000 -j RETURN
        -A INPUT -m mark --mark 0x1 -j ACCEPT
        -A INPUT -i lo -j ACCEPT
        -A INPUT -j LOG
        -A INPUT -p tcp -j REJECT --reject-with tcp-reset
        -A INPUT -s 10.1.2.3 -j ACCEPT
        -A OUTPUT -d 10.0.0.0/8 -j ACCEPT
        -A OUTPUT -o eth0 -p udp -j DROP
        -A OUTPUT -p tcp -m tcp --sport 22 -j ACCEPT
        -A OUTPUT -j DROP
        """))
        #expect(RulePartition.differences(subject) == [])
    }

    /// Random chains of rules over small pools of values, so rules overlap, nest and repeat; some
    /// depend on a MAC match the analysis keeps unknown.
    @Test func randomRunsAgreeWithRuleByRule() throws {
        var generator = SeededGenerator(state: 20261206)
        let sources = ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3", "192.0.2.0/24", "0.0.0.0/0"]
        let protocols = ["tcp", "udp", "icmp"]
        let targets = ["ACCEPT", "DROP", "REJECT", "RETURN", "LOG", "user"]
        var failures: [String] = []
        for round in 0..<40 {
            var lines: [String] = []
            for chain in ["INPUT", "user"] {
                for _ in 0..<Int.random(in: 2...14, using: &generator) {
                    var rule = "-A \(chain)"
                    if Bool.random(using: &generator) { rule += (Bool.random(using: &generator) ? " ! " : " ") + "-s \(sources.randomElement(using: &generator)!)" }
                    if Int.random(in: 0..<3, using: &generator) == 0 { rule += " -d 198.51.100.10" }
                    if Bool.random(using: &generator) {
                        let proto = protocols.randomElement(using: &generator)!
                        rule += " -p \(proto)"
                        if proto != "icmp" && Bool.random(using: &generator) {
                            let low = Int.random(in: 20...25, using: &generator)
                            rule += " -m \(proto) --dport \(low)" + (Bool.random(using: &generator) ? ":\(low + Int.random(in: 1...3, using: &generator))" : "")
                        }
                    }
                    if Int.random(in: 0..<4, using: &generator) == 0 { rule += " -i eth\(Int.random(in: 0...1, using: &generator))" }
                    if Int.random(in: 0..<4, using: &generator) == 0 { rule += " -m conntrack --ctstate NEW" }
                    // An unknown condition: both answers stay in view.
                    if Int.random(in: 0..<5, using: &generator) == 0 { rule += " -m mac --mac-source 00:11:22:33:44:0\(Int.random(in: 0...1, using: &generator))" }
                    var target = targets.randomElement(using: &generator)!
                    if chain == "user" && target == "user" { target = "ACCEPT" }
                    if chain == "INPUT" && target == "RETURN" { target = "DROP" }
                    lines.append(rule + " -j \(target)")
                }
            }
            let text = filter(":user - [0:0]\n" + lines.joined(separator: "\n"))
            let differences = RulePartition.differences(try Subject(text))
            if !differences.isEmpty { failures.append("round \(round):\n\(text)\n\(differences)") }
        }
        #expect(Array(failures.prefix(2)) == [])
    }

    /// Every iptables-save ruleset of the fixtures and, when present, of the shared corpus.
    @Test func fixtureAndCorpusRulesetsAgreeWithRuleByRule() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        func rulesets(in directory: String) -> [URL] {
            guard let walker = FileManager.default.enumerator(at: root.appendingPathComponent(directory), includingPropertiesForKeys: nil) else { return [] }
            return walker.compactMap { $0 as? URL }.filter { ["v4", "v6"].contains($0.pathExtension) && !$0.path.contains("tum-i8") }
        }
        let fixtures = rulesets(in: "Fixtures")
        let corpus = rulesets(in: "../shared/corpus/iptables")
        if corpus.isEmpty { print("RulePartition: ../shared/corpus/iptables is absent; comparing the fixtures only") }
        #expect(fixtures.count > 30)
        let files = fixtures + corpus
        var compared = 0
        var failures: [String] = []
        for file in files.sorted(by: { $0.path < $1.path }) {
            let family: AddressFamily = file.pathExtension == "v6" ? .ipv6 : .ipv4
            guard let text = try? String(contentsOf: file, encoding: .utf8),
                  let subject = try? Subject(text, family: family, local: family == .ipv6 ? "2001:db8::10" : "198.51.100.10") else { continue }
            compared += 1
            let differences = RulePartition.differences(subject)
            if !differences.isEmpty { failures.append("\(file.lastPathComponent): \(differences.prefix(3))") }
        }
        #expect(compared > 30)
        #expect(failures == [])
    }
}


/// A small deterministic generator: the same rulesets on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 11 ^ state << 23
    }
}
