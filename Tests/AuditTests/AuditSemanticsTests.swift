import Foundation
import Audit
import FixtureSupport
import FirewallModel
import Gating
import Testing

/// Audit rules from DESIGN §3 on small inline cases.
@Suite struct AuditSemantics {
    static let matrix = """
    version: 1
    name: web
    zones:
      web:
        local: true
        addresses: [198.51.100.10]
      anyone:
        addresses: [any]
    flows:
      - id: https
        protocol: tcp
        ports: 443
        from: anyone
        to: web
    allow: [loopback, established, outbound]
    """

    static func rules(_ body: String, output: String = "ACCEPT") -> String {
        """
        *filter
        :INPUT DROP [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT \(output) [0:0]
        -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        \(body)
        COMMIT
        """
    }

    @Test func aFamilyWithoutRulesetIsNotAuditedRatherThanCompliant() throws {
        let matrix = AuditSemantics.matrix.replacingOccurrences(of: "[198.51.100.10]", with: "[198.51.100.10, \"2001:db8::10\"]")
        let report = try audit(matrix: matrix, v4: AuditSemantics.rules("-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT"))
        #expect(report.audited == [.ipv4: true, .ipv6: false])
        #expect(report.flows[0].families == [.ipv4: .allowed, .ipv6: .notAudited])
        #expect(!Gate.ungated(report).summary.compliant)
        #expect(report.diagnostics.contains { $0.message.contains("no IPv6 ruleset") })
    }

    @Test func aStatelessRulesetWithoutRepliesBlocksTheFlow() throws {
        let report = try audit(matrix: AuditSemantics.matrix, v4: """
        *filter
        :INPUT DROP [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT DROP [0:0]
        -A INPUT -p tcp -m tcp --dport 443 -j ACCEPT
        COMMIT
        """)
        #expect(report.flows[0].status == .blocked)
        #expect(report.findings.first?.blockedBy.first?.leg == .reply)
    }

    @Test func aSourcePortRuleIsTheWrongDirection() throws {
        let report = try audit(matrix: AuditSemantics.matrix, v4: AuditSemantics.rules("""
        -A INPUT -p tcp -m tcp --dport 443 -j ACCEPT
        -A INPUT -p tcp -m tcp --sport 443 -j ACCEPT
        """))
        #expect(report.findings.map(\.kind) == [.wrongDirection])
        #expect(report.findings.first?.mirror == .sourcePort)
        #expect(report.findings.first?.rule.location.line == 7)
    }

    @Test func anOpaqueMatchMakesTheFindingPossibleAndNamesIt() throws {
        let report = try audit(matrix: AuditSemantics.matrix, v4: AuditSemantics.rules("""
        -A INPUT -p tcp -m tcp --dport 443 -m string --string attack --algo bm -j DROP
        -A INPUT -p tcp -m tcp --dport 443 -j ACCEPT
        """))
        let finding = try #require(report.findings.first)
        #expect(finding.kind == .missing)
        #expect(finding.certainty == .possible)
        #expect(finding.unknowns.map(\.text).contains { $0.contains("-m string") })
        #expect(report.flows[0].certainty == .possible)
        #expect(report.diagnostics.contains { $0.message.contains("string") })
        #expect(finding.witness.confirmed)
    }

    @Test func anExtraThatSomeAnswersDropIsPossibleEvenWhenWideningMergedItsAnswers() throws {
        // Each rule drops port 80 on two unknown answers: the packets that go on split in two at
        // each rule, until the engine merges them (widening) into boxes that fix no answer.
        let drops = (1...6).map { "-A INPUT -p tcp -m tcp --dport 80 -m string --string a\($0) --algo bm -m string --string b\($0) --algo bm -j DROP" }
        let report = try audit(matrix: AuditSemantics.matrix, v4: AuditSemantics.rules((drops + ["-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT"]).joined(separator: "\n")))
        let extra = try #require(report.findings.first { $0.kind == .extra })
        #expect(extra.rule.location.line == 12)
        #expect(extra.certainty == .possible)
    }

    @Test func throttlesAreDecidedWithinLimitsSoOrdinaryTrafficPasses() throws {
        let report = try audit(matrix: AuditSemantics.matrix, v4: AuditSemantics.rules("""
        -A INPUT -p tcp -m tcp --dport 443 -m conntrack --ctstate NEW -m recent --set --name web --rsource
        -A INPUT -p tcp -m tcp --dport 443 -m conntrack --ctstate NEW -m recent --update --seconds 60 --hitcount 20 --name web --rsource -j DROP
        -A INPUT -p tcp -m tcp --dport 443 -m connlimit --connlimit-above 50 -j DROP
        -A INPUT -p tcp -m tcp --dport 443 -m limit --limit 50/sec --limit-burst 100 -j ACCEPT
        """))
        #expect(report.findings.isEmpty)
        #expect(report.flows[0].status == .allowed)
        #expect(report.flows[0].certainty == .definite)
        #expect(!report.diagnostics.contains { $0.message.contains("not modelled") })
    }

    @Test func optionalFlowsAreNeverMissingNorExtra() throws {
        let matrix = AuditSemantics.matrix.replacingOccurrences(of: "allow: [loopback, established, outbound]", with: "") + """
          - id: admin-ssh
            protocol: tcp
            ports: 22
            from: anyone
            to: web
            required: false
        allow: [loopback, established, outbound]
        """
        let open = try audit(matrix: matrix,
                             v4: AuditSemantics.rules("-A INPUT -p tcp -m multiport --dports 22,443 -j ACCEPT"))
        #expect(open.findings.isEmpty)
        let closed = try audit(matrix: matrix,
                               v4: AuditSemantics.rules("-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT"))
        #expect(closed.findings.isEmpty)
        #expect(closed.flows.first { $0.flow.id == "admin-ssh" }?.status == .blocked)
    }

    @Test func anOpenOutputChainIsExtraUnlessOutboundIsAllowed() throws {
        let strict = try audit(matrix: AuditSemantics.matrix.replacingOccurrences(of: ", outbound]", with: "]"), v4: AuditSemantics.rules("-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT"))
        #expect(strict.findings.map(\.kind) == [.extra])
        #expect(strict.findings.first?.path == .output)
        let relaxed = try audit(matrix: AuditSemantics.matrix,
                                v4: AuditSemantics.rules("-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT"))
        #expect(relaxed.findings.isEmpty)
    }

    @Test func aRuleOnTheWrongInterfaceIsReportedAgainstTheFlow() throws {
        let matrix = AuditSemantics.matrix.replacingOccurrences(of: "addresses: [any]", with: "addresses: [any]\n    interfaces: [eth0]")
        let report = try audit(matrix: matrix, v4: AuditSemantics.rules("""
        -A INPUT -i eth0 -p tcp -m tcp --dport 443 -j ACCEPT
        -A INPUT -i eth1 -p tcp -m tcp --dport 443 -j ACCEPT
        """))
        #expect(report.findings.map(\.kind) == [.wrongDirection])
        #expect(report.findings.first?.mirror == .interface)
        #expect(report.findings.first?.witness.packet.inInterface == "eth1")
    }
}
