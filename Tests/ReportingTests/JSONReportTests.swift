import Audit
import Foundation
import FixtureSupport
import Gating
import Reporting
import Testing

/// The JSON report is a contract (schemaVersion 2): its documented fields are always there.
@Suite struct JSONReportContract {
    @Test func carriesTheDocumentedTopLevelFields() throws {
        let report = try Scenario.named("shadowed-accept").judged()
        let data = Data(JSONReport.render(report, toolVersion: "1.2.3").utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["schemaVersion"] as? Int == 2)
        #expect(object["fingerprintVersion"] as? Int == 2)
        #expect(Set(object.keys) == ["schemaVersion", "fingerprintVersion", "tool", "matrix", "inputs", "audited", "summary", "flows", "findings", "assumptions", "diagnostics", "fixed"])
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

/// Schema version 2: zones are ids, the traffic is values.
@Suite struct JSONReportFindingValues {
    func findings(_ report: GatedReport) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(JSONReport.render(report, toolVersion: "test").utf8)) as? [String: Any]
        return try #require(object?["findings"] as? [[String: Any]])
    }

    @Test func anExtraNamesTheZonesThatHoldItsTraffic() throws {
        let extra = try #require(try findings(Scenario.named("extra-port").judged()).first)
        #expect(extra["from"] as? String == "messenger-clients")
        #expect(extra["to"] as? String == "access-edge")
        let space = try #require(extra["space"] as? [String: Any])
        #expect((space["destinationPorts"] as? [[String: Int]]) == [["first": 3389, "last": 3389]])
        #expect((space["protocols"] as? [[String: Int]]) == [["first": 6, "last": 6]])
        #expect(((space["destinations"] as? [String: Any])?["ranges"] as? [[String: String]]) == [["first": "198.51.100.10", "last": "198.51.100.10"]])
        #expect((space["destinations"] as? [String: Any])?["addressCount"] as? Int == 1)
        #expect((space["inInterfaces"] as? [String: Any])?["scope"] as? String == "only")
        #expect((space["inInterfaces"] as? [String: Any])?["names"] as? [String] == ["eth0"])
        #expect((space["outInterfaces"] as? [String: Any])?["scope"] as? String == "none")
        #expect((space["text"] as? [String: String])?["destinationPorts"] == "3389")
    }

    @Test func trafficNoZoneHoldsHasNullZones() throws {
        let report = try judged(matrix: """
        version: 1
        name: admin host
        zones:
          host:
            local: true
            addresses: [198.51.100.10]
          admins:
            addresses: [192.0.2.0/24]
        flows:
          - {id: ssh, protocol: tcp, ports: 22, from: admins, to: host}
        allow: [loopback, established, outbound]
        """, v4: """
        *filter
        :INPUT DROP [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
        COMMIT

        """)
        let extra = try #require(try findings(report).first { $0["kind"] as? String == "extra" })
        #expect(extra["from"] is NSNull)
        #expect(extra["to"] as? String == "host")
        let missing = try findings(report).filter { $0["kind"] as? String == "missing" }
        #expect(missing.isEmpty)
    }
}
