import Audit
import FixtureSupport
import Gating
import Reporting
import Testing

@Suite struct TextReportForPeople {
    @Test func coloursOnlyWhenAsked() throws {
        let report = try Scenario.named("shadowed-accept").judged()
        let plain = TextReport.render(report, style: TextStyle(colors: false))
        let coloured = TextReport.render(report, style: TextStyle(colors: true))
        #expect(!plain.contains("\u{1B}["))
        #expect(coloured.contains("\u{1B}[31mNOT COMPLIANT\u{1B}[0m"))
    }

    @Test func quietKeepsTheVerdictAndFindingsOnly() throws {
        let report = try Scenario.named("extra-port").judged()
        let quiet = TextReport.render(report, style: TextStyle(colors: false), quiet: true)
        #expect(quiet.contains("NOT COMPLIANT"))
        #expect(quiet.contains("extra (1)"))
        #expect(!quiet.contains("Flows"))
    }

    @Test func repeatedDiagnosticsAreCountedOnce() throws {
        let report = try judged(matrix: """
        version: 1
        zones:
          host: {local: true, addresses: [198.51.100.10]}
          anyone: {addresses: [any]}
        flows:
          - {id: ssh, protocol: tcp, ports: 22, from: anyone, to: host}
        allow: [loopback, established, outbound]
        """, v4: """
        *filter
        :INPUT DROP [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A INPUT -p tcp -m tcp --dport 22 -m length --length 0:1000 -j ACCEPT
        -A INPUT -p tcp -m tcp --dport 22 -m length --length 0:1500 -j ACCEPT
        COMMIT
        """)
        let text = TextReport.render(report, style: TextStyle(colors: false))
        #expect(text.contains("(and 1 more)"))
    }
}

/// The verdict line counts what decides the exit status; new, waived and baselined findings are
/// told apart; what the gate says about waivers is printed even when quiet.
@Suite struct GateStoryInText {
    @Test func theVerdictLineCountsWhatFailsTheRunFirst() throws {
        let report = try Scenario.named("missing-reply-path").judged()
        let text = TextReport.render(report, style: TextStyle(colors: false))
        #expect(text.contains("NOT COMPLIANT: 2 findings fail the run (2 missing); 6 flows:"), "\(text)")
        let policy = GatePolicy(failOn: [.extra])
        let lenient = Gate(policy: policy, today: CalendarDay("2026-11-25")!).judge(try Scenario.named("missing-reply-path").audit())
        #expect(TextReport.render(lenient, style: TextStyle(colors: false)).contains("NOT COMPLIANT: no finding fails the run;"))
    }

    @Test func waivedAndBaselinedFindingsHaveSectionsOfTheirOwn() throws {
        let report = try Variants.waivedAndBaselined()
        let text = TextReport.render(report, style: TextStyle(colors: false))
        #expect(text.contains("\nWaived findings\n"))
        #expect(text.contains("\nFindings in the baseline\n"))
        #expect(!text.contains("\nFindings\n"), "no new finding: no section of new ones")
        #expect(text.contains("(1 waived, 1 in the baseline)"))
    }

    @Test func expiredWaiversArePrintedEvenWhenQuiet() throws {
        let waivers = try WaiverLoader.load("""
        version: 1
        waivers:
          - {flow: sip-mtls-from-partners, reason: old exception, owner: netops, expires: 2026-11-24}
        """, source: "waivers.yaml")
        let report = Gate(waivers: waivers, today: CalendarDay("2026-11-25")!).judge(try Scenario.named("shadowed-accept").audit())
        let quiet = TextReport.render(report, style: TextStyle(colors: false), quiet: true)
        #expect(quiet.contains("\nWaivers\n"))
        #expect(quiet.contains("waiver (owner netops) expired on 2026-11-24"))
        #expect(!quiet.contains("\nDiagnostics\n"))
    }
}
