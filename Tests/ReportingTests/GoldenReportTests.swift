import Audit
import FixtureSupport
import Gating
import Reporting
import Testing

/// The text and JSON reports of every fixture scenario, as a reviewer reads them in Reports/.
@Suite struct GoldenReports {
    @Test(arguments: Scenario.all)
    func textReportMatchesItsGolden(_ scenario: Scenario) throws {
        let report = try scenario.judged()
        let text = TextReport.render(report, style: TextStyle(colors: false))
        if let problem = Golden.check(text, against: "Reports/lync-edge/\(scenario.name).txt") { Issue.record(Comment(rawValue: problem)) }
    }

    @Test(arguments: Scenario.all)
    func jsonReportMatchesItsGolden(_ scenario: Scenario) throws {
        let report = try scenario.judged()
        let json = JSONReport.render(report, toolVersion: "test")
        if let problem = Golden.check(json, against: "Reports/lync-edge/\(scenario.name).json") { Issue.record(Comment(rawValue: problem)) }
    }

    @Test func explanationOfABlockedFlowMatchesItsGolden() throws {
        let scenario = Scenario.named("shadowed-accept")
        let auditor = try scenario.auditor()
        let explanations = try auditor.explain(flow: "sip-mtls-from-partners").map { Explanation(title: $0.title, trace: $0.trace, origin: "") }
        let text = ExplainReport.text(explanations, style: TextStyle(colors: false))
        if let problem = Golden.check(text, against: "Reports/lync-edge/shadowed-accept.explain.txt") { Issue.record(Comment(rawValue: problem)) }
    }
}
