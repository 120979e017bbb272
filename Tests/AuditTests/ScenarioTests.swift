import Audit
import FixtureSupport
import FirewallModel
import Gating
import Testing

/// Every fixture scenario reports exactly its intended findings and nothing spurious.
@Suite struct LyncEdgeScenarios {
    @Test(arguments: Scenario.all)
    func reportsExactlyTheIntendedFindings(_ scenario: Scenario) throws {
        let report = try scenario.audit()
        let found = report.findings.map { finding -> String in
            switch finding.kind {
            case .missing, .wrongDirection: return "\(finding.kind.rawValue):\(finding.flowID ?? "?")"
            case .extra: return "extra:\(finding.family.rawValue)/\(finding.protocolText)/\(finding.portsText)"
            }
        }
        for expected in scenario.expected where expected.hasPrefix("extra:") {
            let prefix = String(expected.dropFirst("extra:".count))
            #expect(found.contains { $0.hasPrefix("extra:" + prefix) }, "expected \(expected) in \(found)")
        }
        let precise = scenario.expected.filter { !$0.hasPrefix("extra:") }
        #expect(found.filter { !$0.hasPrefix("extra:") }.sorted() == precise.sorted())
        if !scenario.expected.contains(where: { $0.hasPrefix("extra:") }) {
            #expect(!found.contains { $0.hasPrefix("extra:") }, "unexpected extras: \(found)")
        } else {
            let families = Set(scenario.expected.filter { $0.hasPrefix("extra:") }.map { $0.dropFirst(6).prefix(4) })
            #expect(report.findings.filter { $0.kind == .extra }.allSatisfy { families.contains(Substring($0.family.rawValue)) })
        }
        #expect(report.findings.allSatisfy { $0.certainty == .definite })
        #expect(report.findings.allSatisfy { $0.witness.confirmed })
        #expect(!report.diagnostics.contains { $0.severity == .error })
        #expect(Gate.ungated(report).summary.compliant == scenario.expected.isEmpty)
    }

    @Test func aShadowingDropIsNamedWithItsLine() throws {
        let report = try Scenario.named("shadowed-accept").audit()
        let finding = try #require(report.findings.first)
        #expect(finding.rule.location.description == "Fixtures/lync-edge/shadowed-accept.v4:13")
        #expect(finding.rule.text.hasPrefix("-A INPUT -s 192.0.2.0/24"))
        #expect(finding.witness.packet.description == "tcp 192.0.2.1:40000 -> 198.51.100.10:5061 in eth0 state new flags syn")
        // Blocked on IPv4 and allowed on IPv6: the flow as a whole is partial.
        #expect(report.flows.first { $0.flow.id == "sip-mtls-from-partners" }?.status == .partial)
        #expect(report.flows.first { $0.flow.id == "sip-mtls-from-partners" }?.families == [.ipv4: .blocked, .ipv6: .allowed])
    }

    @Test func aNarrowPartnerRangeLeavesTheFlowPartial() throws {
        let report = try Scenario.named("partner-range-too-narrow").audit()
        let finding = try #require(report.findings.first)
        #expect(report.flows.first { $0.flow.id == "sip-mtls-from-partners" }?.status == .partial)
        #expect(finding.space.sourcesText == "192.0.2.128/25")
        #expect(finding.space.sources == AddressSet(IPAddress("192.0.2.128")!.value...IPAddress("192.0.2.255")!.value))
        #expect(finding.rule.isPolicy)
        #expect(finding.rule.location.description == "Fixtures/lync-edge/partner-range-too-narrow.v4:6: chain INPUT policy DROP")
    }

    @Test func aForgottenReplyPathIsReportedOnTheReplyLeg() throws {
        let report = try Scenario.named("missing-reply-path").audit()
        let fromMessenger = try #require(report.findings.first { $0.flowID == "stun-from-messenger" })
        #expect(fromMessenger.blockedBy.map(\.leg) == [.reply])
        #expect(fromMessenger.witness.packet.sourcePort == 3478)
        #expect(fromMessenger.witness.packet.state == .established)
    }

    @Test func aRuleWrittenTheWrongWayRoundIsReportedAgainstItsFlow() throws {
        let report = try Scenario.named("wrong-direction").audit()
        let finding = try #require(report.findings.first)
        #expect(finding.kind == .wrongDirection)
        #expect(finding.mirror == .swappedEnds)
        #expect(finding.rule.location.line == 14)
    }

    @Test func anOpenIPv6SideIsExtraOnEveryPath() throws {
        let report = try Scenario.named("ipv6-forgotten").audit()
        #expect(Set(report.findings.map(\.path)) == [.input, .forward, .output])
        #expect(report.findings.allSatisfy { $0.rule.isPolicy && $0.family == .ipv6 })
    }

    @Test func aFlowBlockedByAPolicyAndByARuleAreDifferentFindings() throws {
        let narrow = try Scenario.named("partner-range-too-narrow").audit()
        let shadowed = try Scenario.named("shadowed-accept").audit()
        #expect(narrow.findings[0].flowID == shadowed.findings[0].flowID)
        #expect(narrow.findings[0].fingerprint != shadowed.findings[0].fingerprint)
    }
}

/// Fingerprints survive edits that do not change meaning: reordered independent rules, added
/// comments and blank lines move every line number but change no fingerprint.
@Suite struct FingerprintStability {
    @Test(arguments: ["shadowed-accept", "extra-port", "missing-reply-path", "wrong-direction"])
    func reorderingAndCommentingChangesNoFingerprint(_ name: String) throws {
        let scenario = Scenario.named(name)
        let original = try scenario.audit()
        let text = Scenario.load("\(Scenario.directory)/\(scenario.v4)")
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Swap the two OUTPUT rules for tcp 5061 and udp 3478: disjoint traffic, same meaning.
        let first = try #require(lines.firstIndex { $0.hasPrefix("-A OUTPUT") && $0.contains("--dport 5061") })
        let second = try #require(lines.firstIndex { $0.hasPrefix("-A OUTPUT") && $0.contains("--dport 3478") })
        lines.swapAt(first, second)
        lines.insert("# reviewed by the network team", at: 0)
        lines.insert("", at: 1)
        let edited = lines.joined(separator: "\n")
        let v6Path = "\(Scenario.directory)/\(scenario.v6)"
        let report = try audit(matrix: Scenario.load("\(Scenario.directory)/matrix.yaml"), v4: edited, v6: Scenario.load(v6Path))
        #expect(report.findings.map(\.fingerprint).sorted() == original.findings.map(\.fingerprint).sorted())
        #expect(report.findings.map(\.rule.location.line) != original.findings.map(\.rule.location.line) || report.findings.allSatisfy(\.rule.isPolicy))
    }
}
