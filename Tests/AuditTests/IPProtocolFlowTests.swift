import Audit
import FixtureSupport
import FirewallModel
import Testing

/// Flows of IP protocols without ports (IPsec, VRRP, GRE), named by `/etc/protocols` name or
/// number, audited exactly: the protocol number is the whole of their packet box.
@Suite struct IPProtocolFlows {
    static let matrix = """
    version: 1
    name: vpn-gateway
    zones:
      gateway:
        local: true
        addresses: [198.51.100.10]
      peer:
        addresses: [203.0.113.7]
    flows:
      - {id: ipsec, protocol: esp, from: peer, to: gateway}
      - {id: keepalived, protocol: vrrp, from: peer, to: gateway}
      - {id: tunnel, protocol: gre, from: peer, to: gateway}
      - {id: auth-header, protocol: 51, from: peer, to: gateway, required: false}
    allow: [loopback, established, outbound]
    """

    @Test(arguments: ["-p vrrp", "-p 112"])
    func espAndVRRPFlowsAreAllowedAndAMissingGREFlowIsReported(_ vrrpMatch: String) throws {
        let report = try audit(matrix: Self.matrix, v4: AuditSemantics.rules("""
        -A INPUT -s 203.0.113.7/32 -p esp -j ACCEPT
        -A INPUT -s 203.0.113.7/32 \(vrrpMatch) -j ACCEPT
        """))
        let status = Dictionary(uniqueKeysWithValues: report.flows.map { ($0.flow.id, $0.status) })
        #expect(status["ipsec"] == .allowed)
        #expect(status["keepalived"] == .allowed)
        #expect(status["tunnel"] == .blocked)
        #expect(report.flows.first { $0.flow.id == "auth-header" }?.flow.protocol.rawValue == "ah")
        #expect(report.findings.map(\.kind) == [.missing])
        #expect(report.findings.first?.flow?.id == "tunnel")
    }

    @Test func anotherProtocolOpenedIsExtraAndNamedByItsNumber() throws {
        let report = try audit(matrix: Self.matrix, v4: AuditSemantics.rules("""
        -A INPUT -s 203.0.113.7/32 -p esp -j ACCEPT
        -A INPUT -s 203.0.113.7/32 -p vrrp -j ACCEPT
        -A INPUT -s 203.0.113.7/32 -p gre -j ACCEPT
        -A INPUT -s 203.0.113.7/32 -p ospf -j ACCEPT
        """))
        #expect(report.flows.allSatisfy { $0.status == .allowed || !$0.flow.isRequired })
        let extras = report.findings.filter { $0.kind == .extra }
        #expect(extras.count == 1)
        #expect(extras.first?.protocolText.contains("89") ?? false, "\(extras.map(\.protocolText))")
    }

    @Test func aProtocolFlowOpensNoOtherProtocol() throws {
        // ESP documented, all of 203.0.113.7 opened: everything but ESP (and the optional AH) is extra.
        let report = try audit(matrix: Self.matrix, v4: AuditSemantics.rules("-A INPUT -s 203.0.113.7/32 -j ACCEPT"))
        #expect(report.findings.contains { $0.kind == .extra })
        #expect(report.flows.allSatisfy { $0.status == .allowed })
    }
}
