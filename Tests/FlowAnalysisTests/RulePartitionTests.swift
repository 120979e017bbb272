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
    /// Packets and unknown answers are compared exactly, but where a way widened answers.
    static func differences(_ subject: Subject, policy: PathEngine.RunPolicy = .everyRun) -> [String] {
        var found: [String] = []
        for origin in [PathEngine.Origin.network, .host] {
            let space = PacketSpace([everything(subject)])
            let partitioned = byHistory(PathEngine(index: subject.index, context: subject.context, runPolicy: policy).run(space, from: origin))
            let ruleByRule = byHistory(PathEngine(index: subject.index, context: subject.context, runPolicy: .ruleByRule).run(space, from: origin))
            for key in Set(partitioned.keys).union(ruleByRule.keys).sorted() {
                let a = partitioned[key] ?? PacketSpace(), b = ruleByRule[key] ?? PacketSpace()
                let aWidened = a.boxes.contains(where: \.widened), bWidened = b.boxes.contains(where: \.widened)
                if !aWidened && !bWidened {
                    if !a.subtracting(b).isEmpty || !b.subtracting(a).isEmpty { found.append("\(origin) \(key)") }
                    continue
                }
                // Where a way loosened unknown answers to stay bounded (`PacketBox.widened`), its answers
                // stand for more than they decide: the packets must be the same, and an exact way's
                // packets with their answers must lie within the loosened way's.
                if !a.projected.subtracting(b.projected).isEmpty || !b.projected.subtracting(a.projected).isEmpty
                    || (!aWidened && !a.subtracting(b).isEmpty) || (!bWidened && !b.subtracting(a).isEmpty) {
                    found.append("\(origin) \(key)")
                }
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

    /// kube-proxy's shape: a chain of service jumps, each to a chain that marks some packets and
    /// sends every one to an endpoint chain that translates it. Those jumps join one run; a service
    /// chain that translates only UDP gives TCP packets back, so its jump ends the run. With every
    /// jump in runs, what such a jump brings back meets the run's later rules instead.
    @Test func serviceJumpsAgreeWithRuleByRule() throws {
        var chains = [":SERVICES - [0:0]", ":MARK-MASQ - [0:0]"]
        var rules = ["-A PREROUTING -j SERVICES", "-A OUTPUT -j SERVICES", "-A MARK-MASQ -j MARK --set-xmark 0x4000/0x4000"]
        for service in 0..<30 {
            chains += [":SVC-\(service) - [0:0]", ":SEP-\(service) - [0:0]"]
            let port = service % 3 == 0 ? 443 : 80
            rules.append("-A SERVICES -d 10.96.0.\(service % 20)/32 -p tcp -m tcp --dport \(port) -j SVC-\(service)")
            rules.append("-A SVC-\(service) ! -s 10.244.0.0/16 -j MARK-MASQ")
            rules.append("-A SVC-\(service) -j SEP-\(service)")
            rules.append("-A SEP-\(service) -s 10.244.1.\(service)/32 -j MARK-MASQ")
            let layer4 = service % 7 == 3 ? "udp" : "tcp"
            rules.append("-A SEP-\(service) -p \(layer4) -m \(layer4) -j DNAT --to-destination 10.244.1.\(service):8080")
        }
        rules.append("-A SERVICES -d 10.96.0.0/24 -j MARK-MASQ")
        let text = """
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        \(chains.joined(separator: "\n"))
        \(rules.joined(separator: "\n"))
        COMMIT
        """ + "\n" + filter("""
        -A INPUT -m mark --mark 0x4000/0x4000 -j ACCEPT
        -A FORWARD -d 10.244.0.0/16 -j ACCEPT
        """)
        let subject = try Subject(text)
        #expect(RulePartition.differences(subject) == [])
        #expect(RulePartition.differences(subject, policy: .everyRunAndJump) == [])
    }

    /// A blocklist of source and port pairs ahead of a verdict map on sources is cut by source
    /// first: cut by port, every port's piece would hold a piece of every zone.
    @Test func aRunIsCutOnTheFieldThatKeepsItsPiecesFew() throws {
        let subject = try Subject(filter(""))
        var boxes: [PacketBox] = []
        for pair in 0..<100 {
            var box = PacketBox(family: .ipv4, interfaces: subject.context.interfaces)
            box.layer4Protocol = ProtocolSet(value: 6)
            box.source = AddressSet(value: IPAddress("48.0.\(pair / 200).\(pair % 200)")!.value)
            box.destinationPort = PortSet(value: UInt16(1 + pair))
            boxes.append(box)
        }
        for zone in 0..<10 {
            var box = PacketBox(family: .ipv4, interfaces: subject.context.interfaces)
            box.source = AddressPrefix("10.0.\(zone).0/24")!.addresses
            boxes.append(box)
        }
        let partition = FirstMatchPartition(boxes: boxes, owners: Array(boxes.indices))
        let split = partition.split(PacketBox(family: .ipv4, interfaces: subject.context.interfaces))
        // One piece per rule. Cut by port first, each of the 100 ports would hold a piece of every
        // zone: over 1,100 pieces matched.
        #expect(split.matched.count == 110)
        // Each pair's address with its other ports and with what is not TCP, and the gaps between.
        #expect(split.rest.count <= 201)
        for (owner, box) in split.matched {
            #expect(box.subtracting(boxes[owner]).isEmpty)
        }
    }

    /// Random chains of rules over small pools of values, so rules overlap, nest and repeat; some
    /// depend on a MAC match the analysis keeps unknown.
    @Test func randomRunsAgreeWithRuleByRule() throws {
        var generator = SeededGenerator(state: 20261206)
        let targets = ["ACCEPT", "DROP", "REJECT", "RETURN", "LOG", "user"]
        var failures: [String] = []
        for round in 0..<40 {
            var lines: [String] = []
            for chain in ["INPUT", "user"] {
                for _ in 0..<Int.random(in: 2...14, using: &generator) {
                    let rule = "-A \(chain)" + randomConditions(&generator)
                    var target = targets.randomElement(using: &generator)!
                    if chain == "user" && target == "user" { target = "ACCEPT" }
                    if chain == "INPUT" && target == "RETURN" { target = "DROP" }
                    lines.append(rule + " -j \(target)")
                }
            }
            let text = filter(":user - [0:0]\n" + lines.joined(separator: "\n"))
            let subject = try Subject(text)
            for policy in [PathEngine.RunPolicy.everyRun, .everyRunAndJump] {
                let differences = RulePartition.differences(subject, policy: policy)
                if !differences.isEmpty { failures.append("round \(round), every jump \(policy.everyJump):\n\(text)\n\(differences)") }
            }
        }
        #expect(Array(failures.prefix(2)) == [])
    }

    /// Every iptables-save ruleset of the fixtures and, when present, of the shared corpus.
    @Test func fixtureAndCorpusRulesetsAgreeWithRuleByRule() throws {
        let (fixtures, corpus) = savedRulesets(for: "RulePartition")
        #expect(fixtures.count > 30)
        let files = fixtures + corpus
        var compared = 0
        var failures: [String] = []
        for file in files.sorted(by: { $0.path < $1.path }) {
            let family: AddressFamily = file.pathExtension == "v6" ? .ipv6 : .ipv4
            guard let text = try? String(contentsOf: file, encoding: .utf8),
                  let subject = try? Subject(text, family: family, local: family == .ipv6 ? "2001:db8::10" : "198.51.100.10") else { continue }
            compared += 1
            for policy in [PathEngine.RunPolicy.everyRun, .everyRunAndJump] {
                let differences = RulePartition.differences(subject, policy: policy)
                if !differences.isEmpty { failures.append("\(file.lastPathComponent), every jump \(policy.everyJump): \(differences.prefix(3))") }
            }
        }
        #expect(compared > 30)
        #expect(failures == [])
    }
}
