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
