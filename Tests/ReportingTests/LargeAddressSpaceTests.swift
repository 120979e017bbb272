import Foundation
import FirewallModel
import FixtureSupport
import Gating
import Reporting
import Testing

/// No report grows with the size of a blocklist: address spaces beyond a few ranges are summarised
/// (the first ranges, how many more, how many addresses) in every format.
@Suite struct LargeAddressSpaces {
    /// A web server whose INPUT drops `banned` single addresses before its accepts.
    static func report(banned: Int) throws -> GatedReport {
        var rules = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"]
        for index in 0..<banned { rules.append("-A INPUT -s 10.\(index / 65536).\(index / 256 % 256).\(index % 256)/32 -j DROP") }
        rules += ["-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT", "COMMIT", ""]
        return try judged(matrix: """
        version: 1
        name: web
        host: {forwarding: false}
        zones:
          web: {local: true, addresses: [198.51.100.10]}
          anyone: {addresses: [any]}
        flows:
          - {id: https, protocol: tcp, ports: 443, from: anyone, to: web}
        allow: [loopback, established, outbound]
        """, v4: rules.joined(separator: "\n"))
    }

    @Test func theTextListsAFewRangesAndCountsTheRest() throws {
        let report = try Self.report(banned: 300)
        let finding = try #require(report.findings.first)
        // Every banned address is blocked by its own rule, on the new and the later-packet legs.
        let blocked = finding.blockedBy.map(\.space.sources).reduce(AddressSet()) { $0.union($1) }
        #expect(blocked == AddressSet(0x0a00_0000...0x0a00_012b))
        #expect(finding.blockedBy.count == 600)
        let text = TextReport.render(report, style: TextStyle(colors: false))
        #expect(text.contains("also:    … and 591 more rules"))
        #expect(text.utf8.count < 4000, "\(text.utf8.count) bytes")
        var spread = AddressSet()
        for index in 0..<300 { spread = spread.union(AddressSet(value: UInt128(0x0a00_0000 + index * 2))) }
        #expect(spread.summarySyntax(family: .ipv4).hasSuffix("… and 292 more ranges (292 addresses)"), "\(spread.summarySyntax(family: .ipv4))")
    }

    @Test func everyFormatStaysSmall() throws {
        let small = try Self.report(banned: 20)
        let large = try Self.report(banned: 300)
        for (name, render) in [("json", { JSONReport.render($0, toolVersion: "test") }), ("sarif", { SARIFReport.render($0, toolVersion: "test") }),
                               ("junit", { JUnitReport.render($0, toolVersion: "test") }), ("markdown", { MarkdownReport.render($0, toolVersion: "test") }),
                               ("text", { TextReport.render($0, style: TextStyle(colors: false)) })] as [(String, (GatedReport) -> String)] {
            let grown = render(large).utf8.count - render(small).utf8.count
            #expect(grown < 600, "\(name) grew by \(grown) bytes from 20 to 300 banned addresses")
        }
    }

    @Test func theJSONCountsWhatItDoesNotList() throws {
        let report = try Self.report(banned: 300)
        let object = try JSONSerialization.jsonObject(with: Data(JSONReport.render(report, toolVersion: "test").utf8)) as? [String: Any]
        let finding = try #require((object?["findings"] as? [[String: Any]])?.first)
        #expect((finding["blockedBy"] as? [Any])?.count == 16)
        #expect(finding["blockedByCount"] as? Int == 600)
        // An extra from everyone but the banned: the accepted sources are thousands of ranges.
        let assumptions = try #require((object?["assumptions"] as? [[String: Any]])?.first)
        let host = try #require(assumptions["hostAddresses"] as? [String: Any])
        #expect(host["rangeCount"] as? Int == 1 && host["addressCount"] as? Int == 1)
    }

    @Test func jsonAddressFieldsListAtMostSixteenRanges() throws {
        var spread = AddressSet()
        for index in 0..<300 { spread = spread.union(AddressSet(value: UInt128(0x0a00_0000 + index * 2))) }
        let report = try Self.report(banned: 1)
        var space = try #require(report.findings.first?.space)
        space.sources = spread
        var finding = try #require(report.findings.first)
        finding.finding.space = space
        var edited = report
        edited.findings = [finding]
        let object = try JSONSerialization.jsonObject(with: Data(JSONReport.render(edited, toolVersion: "test").utf8)) as? [String: Any]
        let sources = try #require((((object?["findings"] as? [[String: Any]])?.first)?["space"] as? [String: Any])?["sources"] as? [String: Any])
        #expect((sources["ranges"] as? [Any])?.count == 16)
        #expect(sources["rangeCount"] as? Int == 300)
        #expect(sources["addressCount"] as? Int == 300)
    }
}
