@testable import Audit
import FirewallModel
import FixtureSupport
import Testing

/// Fingerprints name what a finding is: its deciding rule and interfaces count, how anything is
/// printed or where a rule sits in its file does not.
@Suite struct FingerprintIdentity {
    static let matrix = """
    version: 1
    name: docker host
    zones:
      host:
        local: true
        addresses: [198.51.100.10]
      admins:
        addresses: [192.0.2.0/24]
        interfaces: [eth0]
      internet:
        addresses: [any]
        interfaces: [eth0]
    flows:
      - id: ssh
        protocol: tcp
        ports: 22
        from: admins
        to: host
    allow: [loopback, established, outbound]
    """

    static func rules(_ body: String) -> String {
        """
        *filter
        :INPUT DROP [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT
        \(body)
        COMMIT

        """
    }

    func extras(_ body: String) throws -> [Finding] {
        try audit(matrix: Self.matrix, v4: Self.rules(body)).findings.filter { $0.kind == .extra }
    }

    @Test func anInterfaceOnTheAcceptingRuleMakesADifferentFinding() throws {
        let anywhere = try #require(try extras("-A FORWARD -p tcp -m tcp --dport 8080 -j ACCEPT").first)
        let bridged = try #require(try extras("-A FORWARD -i docker0 -p tcp -m tcp --dport 8080 -j ACCEPT").first)
        #expect(anywhere.messageless == bridged.messageless)
        #expect(anywhere.fingerprint != bridged.fingerprint)
    }

    @Test func twoAcceptsThatDifferOnlyByOutInterfaceAreTwoFindings() throws {
        let findings = try extras("""
        -A FORWARD -i docker0 ! -o docker0 -j ACCEPT
        -A FORWARD -i docker0 -o docker0 -j ACCEPT
        """)
        #expect(findings.count == 2)
        #expect(Set(findings.map(\.fingerprint)).count == 2)
    }

    @Test func addressesWrittenDifferentlyGiveTheSameFingerprint() throws {
        let prefix = try #require(try extras("-A INPUT -s 203.0.113.0/24 -p tcp -m tcp --dport 3389 -j ACCEPT").first)
        let mask = try #require(try extras("-A INPUT -s 203.0.113.0/255.255.255.0 -p tcp -m tcp --dport 3389 -j ACCEPT").first)
        #expect(prefix.rule.text != mask.rule.text)
        #expect(prefix.fingerprint == mask.fingerprint)
    }

    @Test func theIdentityHoldsValuesNotPrintedText() throws {
        let finding = try #require(try extras("-A INPUT -s 203.0.113.0/24 -p tcp -m tcp --dport 3389 -j ACCEPT").first)
        let identity = Fingerprint.identity(of: finding)
        #expect(identity.hasPrefix("fingerprint=\(Fingerprint.version)\n"))
        // Addresses and ports as canonical hexadecimal ranges, not as any report prints them.
        #expect(identity.contains("sources=cb007100-cb0071ff"))
        #expect(identity.contains("ports=d3d"))
        #expect(!identity.contains("203.0.113"))
        #expect(!identity.contains(finding.rule.text))
        #expect(!identity.contains(finding.rule.location.description))
        // Reprinting: the same finding rendered with other address text keeps its fingerprint.
        var reprinted = finding
        reprinted.rule.text = "ip saddr 203.0.113.0/24 tcp dport 3389 accept"
        reprinted.rule.location = SourceLocation(source: "elsewhere.nft", line: 99)
        #expect(Fingerprint.identity(of: reprinted) == identity)
    }

    @Test func theSameFlowDroppedByAnotherRuleIsAnotherFinding() throws {
        let byPolicy = try audit(matrix: Self.matrix, v4: Self.rules("").replacingOccurrences(
            of: "-A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT", with: "")).findings
        let byRule = try audit(matrix: Self.matrix, v4: Self.rules("").replacingOccurrences(
            of: "-A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT", with: "-A INPUT -p tcp -m tcp --dport 22 -j DROP")).findings
        let missingByPolicy = try #require(byPolicy.first { $0.kind == .missing })
        let missingByRule = try #require(byRule.first { $0.kind == .missing })
        #expect(missingByPolicy.rule.isPolicy && !missingByRule.rule.isPolicy)
        #expect(missingByPolicy.fingerprint != missingByRule.fingerprint)
    }
}

private extension Finding {
    /// Everything but the rule and the fingerprint: what a report says about the traffic.
    var messageless: [String] { [kind.rawValue, family.rawValue, path.rawValue, protocolText, portsText, from ?? "-", to ?? "-"] }
}
