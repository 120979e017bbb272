import Audit
import Foundation
import FixtureSupport
import Reporting
import Testing

/// The JSON report is a contract (schemaVersion 1): its documented fields are always there.
@Suite struct JSONReportContract {
    @Test func carriesTheDocumentedTopLevelFields() throws {
        let report = try Scenario.named("shadowed-accept").audit()
        let data = Data(JSONReport.render(report, toolVersion: "1.2.3").utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["schemaVersion"] as? Int == 1)
        #expect(Set(object.keys) == ["schemaVersion", "tool", "matrix", "inputs", "audited", "summary", "flows", "findings", "diagnostics", "fixed"])
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["compliant"] as? Bool == false)
        #expect(summary["missing"] as? Int == 1)
        let finding = try #require((object["findings"] as? [[String: Any]])?.first)
        #expect(finding["kind"] as? String == "missing")
        #expect(finding["flow"] as? String == "sip-mtls-from-partners")
        #expect(finding["ports"] as? String == "5061")
        let rule = try #require(finding["rule"] as? [String: Any])
        #expect(rule["location"] as? String == "Fixtures/lync-edge/shadowed-accept.v4:13")
        let witness = try #require(finding["witness"] as? [String: Any])
        #expect(witness["destinationPort"] as? Int == 5061)
        #expect(witness["in"] as? String == "eth0")
    }
}
