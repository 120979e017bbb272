import Audit
import FixtureSupport
import Gating
import Reporting
import Testing

@Suite struct PrometheusMetrics {
    @Test(arguments: Scenario.all)
    func textfileMatchesItsGolden(_ scenario: Scenario) throws {
        let report = try scenario.judged()
        let text = PrometheusReport.render(report, timestamp: 1_764_028_800)
        if let problem = Golden.check(text, against: "Reports/lync-edge/\(scenario.name).prom") { Issue.record(Comment(rawValue: problem)) }
    }

    @Test func everySampleLineIsWellFormed() throws {
        let report = try Scenario.named("compliant").judged()
        let samples = PrometheusReport.render(report, timestamp: 0).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(!samples.isEmpty)
        for sample in samples {
            #expect(sample.wholeMatch(of: /fwaudit_[a-z_]+\{[^}]*\} -?[0-9]+/) != nil, "\(sample)")
        }
    }
}
