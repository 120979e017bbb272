import Foundation
import FixtureSupport
import Testing

@Suite struct ExplainCommandEndToEnd {
    let inputs = ["--matrix", "Fixtures/lync-edge/matrix.yaml", "--iptables-save", "Fixtures/lync-edge/shadowed-accept.v4"]

    @Test func explainsAPacketRuleByRule() throws {
        let result = try Binary.run(["explain"] + inputs + ["--packet", "tcp 192.0.2.7:40000 -> 198.51.100.10:5061", "--in", "eth0", "--color", "never"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("packet: drop"))
        #expect(result.stdout.contains("decided by: Fixtures/lync-edge/shadowed-accept.v4:13"))
        #expect(result.stdout.contains("not matched: --dport 443"))
    }

    @Test func explainsAnEstablishedPacket() throws {
        let result = try Binary.run(["explain"] + inputs + ["--packet", "tcp 192.0.2.7:40000 -> 198.51.100.10:5061", "--in", "eth0", "--state", "established", "--format", "json"])
        let trace = try #require((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])?.first)
        #expect(trace["verdict"] as? String == "accept")
    }

    @Test func explainsAFlowFromTheMatrix() throws {
        let result = try Binary.run(["explain"] + inputs + ["--flow", "sip-mtls-from-partners", "--color", "never"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("sip-mtls-from-partners (IPv4): new connection: drop"))
        #expect(result.stdout.contains("sip-mtls-from-partners (IPv4): reply: accept"))
    }

    @Test func rejectsAnUnknownFlowAndABadPacket() throws {
        let flow = try Binary.run(["explain"] + inputs + ["--flow", "nope"])
        #expect(flow.status == 2)
        #expect(flow.stderr.contains("no flow 'nope'"))
        let packet = try Binary.run(["explain"] + inputs + ["--packet", "tcp 192.0.2.7 -> nowhere"])
        #expect(packet.status == 2)
        let both = try Binary.run(["explain"] + inputs)
        #expect(both.status == 2)
    }
}

@Suite struct DumpCommandEndToEnd {
    @Test func printsTheNormalisedRuleset() throws {
        let result = try Binary.run(["dump", "--iptables-save", "Fixtures/lync-edge/compliant.v4"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("chain INPUT hook input priority 0 policy drop"))
        #expect(result.stdout.contains("dport 5061"))
        let json = try Binary.run(["dump", "--iptables-save", "Fixtures/lync-edge/compliant.v4", "--format", "json"])
        #expect((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [Any])?.count == 1)
    }
}

@Suite struct SchemaCommandEndToEnd {
    @Test(arguments: ["report", "matrix", "waivers"])
    func printsTheShippedSchema(_ name: String) throws {
        let result = try Binary.run(["schema", name])
        #expect(result.status == 0)
        let shipped = try String(contentsOf: packageRoot.appendingPathComponent("Reports/schema/\(name).schema.json"), encoding: .utf8)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == shipped.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
