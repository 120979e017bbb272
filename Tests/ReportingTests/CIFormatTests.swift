import Audit
import FirewallModel
import FixtureSupport
import Gating
import Foundation
import Reporting
import Testing

/// SARIF, JUnit XML and Markdown reports of every fixture scenario, as a reviewer reads them in Reports/.
@Suite struct CIFormatGoldens {
    @Test(arguments: Scenario.all)
    func sarifReportMatchesItsGolden(_ scenario: Scenario) throws {
        let report = try scenario.judged()
        let sarif = SARIFReport.render(report, toolVersion: "test")
        if let problem = Golden.check(sarif, against: "Reports/lync-edge/\(scenario.name).sarif") { Issue.record(Comment(rawValue: problem)) }
    }

    @Test(arguments: Scenario.all)
    func junitReportMatchesItsGolden(_ scenario: Scenario) throws {
        let report = try scenario.judged()
        let junit = JUnitReport.render(report, toolVersion: "test")
        if let problem = Golden.check(junit, against: "Reports/lync-edge/\(scenario.name).junit.xml") { Issue.record(Comment(rawValue: problem)) }
    }

    @Test(arguments: Scenario.all)
    func markdownReportMatchesItsGolden(_ scenario: Scenario) throws {
        let report = try scenario.judged()
        let markdown = MarkdownReport.render(report, toolVersion: "test")
        if let problem = Golden.check(markdown, against: "Reports/lync-edge/\(scenario.name).md") { Issue.record(Comment(rawValue: problem)) }
    }
}

/// Reports with waivers, a baseline and hostile text, which no fixture scenario has.
enum Variants {
    static let waiver = AppliedWaiver(reason: "partner range change pending (CHG-1234)", owner: "netops@example.com",
                                      expires: "2099-12-31", location: SourceLocation(source: "waivers.yaml", line: 3, column: 5))

    /// missing-reply-path with its first finding waived, its second in the baseline, and one baseline finding fixed.
    static func waivedAndBaselined() throws -> GatedReport {
        var report = try Scenario.named("missing-reply-path").judged()
        report.findings[0].waiver = waiver
        report.findings[1].inBaseline = true
        report.fixed = [FixedFinding(fingerprint: "0123456789abcdef", kind: .extra, message: "tcp port 22 accepted")]
        return report
    }

    /// ipv6-forgotten with every extra waived: compliant, but every finding still shown.
    static func allWaived() throws -> GatedReport {
        var report = try Scenario.named("ipv6-forgotten").judged()
        for index in report.findings.indices { report.findings[index].waiver = waiver }
        return report
    }

    /// Markup and control characters wherever user text reaches a report.
    static let hostile = "a <b> & \"c\" 'd' | `e` *f* _g_ [h](i) \u{1}\u{7F}\nnext line"

    static func hostileText() throws -> GatedReport {
        var report = try Scenario.named("wrong-direction").judged()
        report.matrix.name = hostile
        report.findings[0].from = hostile
        report.findings[0].rule.text = hostile
        report.findings[0].waiver = AppliedWaiver(reason: hostile, owner: "o&o", expires: "2099-01-01",
                                                  location: SourceLocation(source: "dir with space/w:aivers.yaml", line: 1))
        return report
    }

    /// A matrix without flows, audited against an empty ruleset: nothing to report.
    static func empty() throws -> GatedReport {
        try judged(matrix: """
            version: 1
            name: nothing
            zones:
              host: {local: true, addresses: [192.0.2.1]}
            flows: []
            """, v4: "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\nCOMMIT\n")
    }

    /// A ruleset with no chain on the output path: the kernel accepts, and no rule or policy is to blame.
    static func noOutputChain() throws -> GatedReport {
        try judged(matrix: """
            version: 1
            name: no output chain
            zones:
              host: {local: true, addresses: [192.0.2.1]}
              peers: {addresses: [198.51.100.0/24]}
            flows:
              - {id: ssh-in, protocol: tcp, ports: 22, from: peers, to: host}
            """, v4: "*filter\n:INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\n-A INPUT -s 198.51.100.0/24 -p tcp --dport 22 -j ACCEPT\nCOMMIT\n")
    }

    static var all: [(name: String, report: GatedReport)] {
        get throws {
            [("waived-and-baselined", try waivedAndBaselined()), ("all-waived", try allWaived()),
             ("hostile-text", try hostileText()), ("empty", try empty()), ("no-output-chain", try noOutputChain())]
        }
    }
}

@Suite struct SARIFReportTests {
    func sarif(_ report: GatedReport) throws -> [String: Any] {
        let data = Data(SARIFReport.render(report, toolVersion: "1.2.3").utf8)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func results(_ log: [String: Any]) throws -> [[String: Any]] {
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        return try #require(run["results"] as? [[String: Any]])
    }

    @Test func hasOneRulePerFindingKindWithHelp() throws {
        let log = try sarif(Scenario.named("compliant").judged())
        #expect(log["version"] as? String == "2.1.0")
        #expect((log["$schema"] as? String)?.hasPrefix("https://") == true)
        let runs = try #require(log["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        let driver = try #require((runs[0]["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "fwaudit")
        #expect(driver["version"] as? String == "1.2.3")
        let rules = try #require(driver["rules"] as? [[String: Any]])
        #expect(rules.map { $0["id"] as? String } == ["missing", "extra", "wrong-direction"])
        for rule in rules {
            let help = try #require(rule["help"] as? [String: Any])
            #expect((help["text"] as? String)?.contains("To fix") == true)
            #expect((help["markdown"] as? String)?.contains("\n- ") == true)
            #expect((rule["shortDescription"] as? [String: Any])?["text"] is String)
            #expect((rule["fullDescription"] as? [String: Any])?["text"] is String)
            #expect((rule["defaultConfiguration"] as? [String: Any])?["level"] as? String == "error")
        }
        #expect(try results(log).isEmpty)
    }

    @Test func missingFlowPointsAtTheMatrixAndTheBlockingRule() throws {
        let report = try Scenario.named("shadowed-accept").judged()
        let result = try #require(try results(sarif(report)).first)
        #expect(result["ruleId"] as? String == "missing")
        #expect(result["level"] as? String == "error")
        let location = try #require((result["locations"] as? [[String: Any]])?.first)
        let physical = try #require(location["physicalLocation"] as? [String: Any])
        #expect((physical["artifactLocation"] as? [String: Any])?["uri"] as? String == "Fixtures/lync-edge/matrix.yaml")
        #expect((physical["artifactLocation"] as? [String: Any])?["uriBaseId"] as? String == "%SRCROOT%")
        #expect((physical["region"] as? [String: Any])?["startLine"] as? Int == 28)
        #expect((physical["region"] as? [String: Any])?["startColumn"] as? Int == 5)
        let logical = try #require((location["logicalLocations"] as? [[String: Any]])?.first)
        #expect(logical["fullyQualifiedName"] as? String == "filter/INPUT")
        let related = try #require((result["relatedLocations"] as? [[String: Any]])?.first)
        let relatedPhysical = try #require(related["physicalLocation"] as? [String: Any])
        #expect((relatedPhysical["artifactLocation"] as? [String: Any])?["uri"] as? String == "Fixtures/lync-edge/shadowed-accept.v4")
        #expect((relatedPhysical["region"] as? [String: Any])?["startLine"] as? Int == 13)
        let message = try #require((result["message"] as? [String: Any])?["text"] as? String)
        #expect(message.hasPrefix(report.findings[0].messageText))
        #expect(message.contains("Example packet: tcp "))
        #expect((result["partialFingerprints"] as? [String: Any])?["fwauditFingerprint/v2"] as? String == report.findings[0].fingerprint)
        let properties = try #require(result["properties"] as? [String: Any])
        #expect(properties["certainty"] as? String == "definite")
        #expect(properties["ports"] as? String == "5061")
        #expect((properties["witness"] as? [String: Any])?["destinationPort"] as? Int == 5061)
        #expect(result["baselineState"] == nil)
        #expect(result["suppressions"] == nil)
    }

    @Test func chainPolicyPointsAtTheChainDeclarationAndNamesTheChain() throws {
        let log = try sarif(Scenario.named("ipv6-forgotten").judged())
        let lines = Scenario.load("Fixtures/lync-edge/ipv6-forgotten.v6").split(separator: "\n", omittingEmptySubsequences: false)
        for result in try results(log) {
            #expect(result["ruleId"] as? String == "extra")
            #expect(result["level"] as? String == "error")
            let location = try #require((result["locations"] as? [[String: Any]])?.first)
            let physical = try #require(location["physicalLocation"] as? [String: Any])
            #expect((physical["artifactLocation"] as? [String: Any])?["uri"] as? String == "Fixtures/lync-edge/ipv6-forgotten.v6")
            let logical = try #require((location["logicalLocations"] as? [[String: Any]])?.first)
            let name = logical["fullyQualifiedName"] as? String ?? ""
            #expect(["filter/INPUT", "filter/FORWARD", "filter/OUTPUT"].contains(name))
            let chain = name.split(separator: "/").last.map(String.init) ?? ""
            let declaration = try #require(lines.firstIndex { $0.hasPrefix(":\(chain) ") }) + 1
            #expect((physical["region"] as? [String: Any])?["startLine"] as? Int == declaration)
        }
    }

    @Test func withoutAnyChainTheResultPointsAtTheFamilysRuleset() throws {
        let report = try Variants.noOutputChain()
        let finding = try #require(report.findings.first { $0.rule.chain.isEmpty }, "the variant no longer has a path without chains")
        let result = try #require(try results(sarif(report)).first { ($0["partialFingerprints"] as? [String: Any])?[SARIFReport.fingerprintKey] as? String == finding.fingerprint })
        let location = try #require((result["locations"] as? [[String: Any]])?.first)
        let physical = try #require(location["physicalLocation"] as? [String: Any])
        #expect((physical["artifactLocation"] as? [String: Any])?["uri"] as? String == "v4.rules")
        #expect((physical["region"] as? [String: Any])?["startLine"] as? Int == 1)
        let logical = try #require((location["logicalLocations"] as? [[String: Any]])?.first)
        #expect(logical["fullyQualifiedName"] as? String == "(no chain)/\(finding.rule.hook.rawValue)")
    }

    @Test func wrongDirectionPointsAtTheRuleAndRelatesTheFlow() throws {
        let result = try #require(try results(sarif(Scenario.named("wrong-direction").judged())).first)
        #expect(result["ruleId"] as? String == "wrong-direction")
        let physical = try #require((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        #expect((physical["region"] as? [String: Any])?["startLine"] as? Int == 14)
        let related = try #require((result["relatedLocations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        #expect((related["artifactLocation"] as? [String: Any])?["uri"] as? String == "Fixtures/lync-edge/matrix.yaml")
        #expect((result["properties"] as? [String: Any])?["mirror"] as? String == "swapped-ends")
    }

    @Test func levelFollowsTheFlowSeverity() throws {
        var finding = try #require(try Scenario.named("shadowed-accept").judged().findings.first)
        let expected = [("critical", "error"), ("high", "error"), ("medium", "warning"), ("low", "note")]
        for (severity, level) in expected {
            finding.severity = try #require(type(of: finding.severity).init(rawValue: severity))
            #expect(SARIFReport.level(finding) == level)
        }
        finding.flow = nil
        finding.severity = try #require(type(of: finding.severity).init(rawValue: "low"))
        #expect(SARIFReport.level(finding) == "error")
    }

    @Test func waiversAreExternalSuppressionsAndTheBaselineSetsStates() throws {
        let log = try sarif(Variants.waivedAndBaselined())
        let results = try results(log)
        #expect(results.count == 2)
        let suppression = try #require((results[0]["suppressions"] as? [[String: Any]])?.first)
        #expect(suppression["kind"] as? String == "external")
        #expect(suppression["status"] as? String == "accepted")
        #expect((suppression["justification"] as? String)?.contains("CHG-1234") == true)
        #expect(results[0]["baselineState"] as? String == "new")
        #expect(results[1]["suppressions"] == nil)
        #expect(results[1]["baselineState"] as? String == "unchanged")
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let artifacts = try #require(run["artifacts"] as? [[String: Any]])
        #expect(artifacts.contains { ($0["location"] as? [String: Any])?["uri"] as? String == "waivers.yaml" })
    }

    @Test func pathsBecomeURIReferences() {
        #expect(SARIFReport.uriEncoded("Fixtures/lync-edge/a.v4") == "Fixtures/lync-edge/a.v4")
        #expect(SARIFReport.uriEncoded("dir with space/c:d%e#f?g.v4") == "dir%20with%20space/c%3Ad%25e%23f%3Fg.v4")
        #expect(SARIFReport.uriEncoded("règles.v4") == "r%C3%A8gles.v4")
    }

    /// GitHub code scanning's rules beyond the schema, for goldens and variants alike.
    @Test func everyReportMeetsGitHubCodeScanningRules() throws {
        var documents: [(String, String)] = []
        for scenario in Scenario.all {
            documents.append((scenario.name, try String(contentsOf: packageRoot.appendingPathComponent("Reports/lync-edge/\(scenario.name).sarif"), encoding: .utf8)))
        }
        for variant in try Variants.all { documents.append((variant.name, SARIFReport.render(variant.report, toolVersion: "test"))) }
        for (name, text) in documents {
            for problem in try GitHubCodeScanning.problems(text, fingerprintKey: SARIFReport.fingerprintKey) {
                Issue.record("\(name): \(problem)")
            }
        }
    }
}

@Suite struct JUnitReportTests {
    @Test func oneTestCasePerFlowAndPerExtraWithCounts() throws {
        let xml = JUnitReport.render(try Scenario.named("extra-port").judged(), toolVersion: "test")
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"fwaudit\" tests=\"7\" failures=\"1\" errors=\"0\" skipped=\"0\">"))
        #expect(xml.contains("<testsuite name=\"fwaudit: Lync Server 2013 Edge - public IM connectivity\" tests=\"7\" failures=\"1\""))
        #expect(xml.contains("<testcase classname=\"flows\" name=\"sip-mtls-from-partners (tcp 5061 pic-partners -&gt; access-edge)\"/>"))
        #expect(xml.contains("<testcase classname=\"extra\" name=\"Fixtures/lync-edge/extra-port.v4:14 [1a76422f9c04837e]\">"))
        #expect(xml.contains("<failure message=\"tcp port 3389 from"))
        #expect(xml.contains("type=\"extra\">"))
    }

    @Test func missingFlowFailsWithItsEvidence() throws {
        let xml = JUnitReport.render(try Scenario.named("shadowed-accept").judged(), toolVersion: "test")
        #expect(xml.contains("tests=\"6\" failures=\"1\" errors=\"0\" skipped=\"0\""))
        #expect(xml.contains("type=\"missing\">"))
        #expect(xml.contains("rule:    Fixtures/lync-edge/shadowed-accept.v4:13"))
        #expect(xml.contains("example: tcp 192.0.2."))
    }

    @Test func waivedAndBaselinedFindingsAreSkipped() throws {
        let xml = JUnitReport.render(try Variants.waivedAndBaselined(), toolVersion: "test")
        #expect(xml.contains("tests=\"6\" failures=\"0\" errors=\"0\" skipped=\"2\""))
        #expect(xml.contains("<skipped message=\"waived: partner range change pending (CHG-1234) (netops@example.com, expires 2099-12-31)\"/>"))
        #expect(xml.contains("<skipped message=\"in baseline: "))
    }

    @Test func neverAnEmptySuite() throws {
        let xml = JUnitReport.render(try Variants.empty(), toolVersion: "test")
        #expect(xml.contains("tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\""))
        #expect(xml.contains("<testcase classname=\"fwaudit\" name=\"audit ran\"/>"))
    }

    @Test func escapesMarkupAndCharactersXMLCannotCarry() {
        #expect(JUnitReport.attribute("a<b>&\"c\"'d'\n\te\r") == "\"a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;&#10;&#9;e&#13;\"")
        #expect(JUnitReport.text("x\u{1}y\u{7F}z\nw") == "x\\u0001y&#x7F;z\nw")
        #expect(JUnitReport.text("]]>") == "]]&gt;")
    }
}

@Suite struct MarkdownReportTests {
    @Test func headingCarriesTheVerdict() throws {
        let compliant = MarkdownReport.render(try Scenario.named("compliant").judged(), toolVersion: "test")
        #expect(compliant.hasPrefix("## ✅ fwaudit: compliant\n"))
        let missing = MarkdownReport.render(try Scenario.named("shadowed-accept").judged(), toolVersion: "test")
        #expect(missing.hasPrefix("## ❌ fwaudit: not compliant\n"))
        #expect(missing.contains("| ⚠️ partial | `sip-mtls-from-partners` | tcp 5061 | pic-partners → access-edge | blocked | allowed |"))
        #expect(missing.contains("### Missing (1)"))
        #expect(missing.contains("  - fingerprint: `"))
    }

    @Test func waivedFindingsAreMarkedAndTheReportIsCompliant() throws {
        let markdown = MarkdownReport.render(try Variants.allWaived(), toolVersion: "test")
        #expect(markdown.hasPrefix("## ✅ fwaudit: compliant\n"))
        #expect(markdown.contains("### Waived (3)"))
        #expect(!markdown.contains("### Extra"), "waived findings are not listed with the new ones")
        #expect(markdown.components(separatedBy: "  - **waived** until 2099-12-31 by netops@example.com").count == 4)
    }

    @Test func escapesTableCellsAndMarkup() {
        #expect(MarkdownReport.cell("a|b") == "a\\|b")
        #expect(MarkdownReport.cell(MarkdownReport.code("x | y")) == "`x \\| y`")
        #expect(MarkdownReport.cell(MarkdownReport.escape("a|b")) == "a\\|b")
        #expect(MarkdownReport.code("a`b") == "``a`b``")
        #expect(MarkdownReport.code("`a") == "`` `a ``")
        #expect(MarkdownReport.escape("*a* <b> [c](d)\nx") == "\\*a\\* \\<b\\> \\[c\\](d) x")
    }

    @Test func hostileTextStaysText() throws {
        let markdown = MarkdownReport.render(try Variants.hostileText(), toolVersion: "test")
        #expect(markdown.contains("**a \\<b\\> & \"c\" 'd' \\| \\`e\\` \\*f\\* \\_g\\_ \\[h\\](i) \u{FFFD}\u{FFFD} next line**"))
        for line in markdown.split(separator: "\n") where line.hasPrefix("|") {
            #expect(line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count == 7, "\(line)")
        }
    }
}

@Suite struct SchemaFiles {
    @Test(arguments: Schemas.all.map(\.fileName))
    func embeddedSchemaIsIdenticalToItsFile(_ fileName: String) throws {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Reports/schema/\(fileName)"), encoding: .utf8)
        let embedded = try #require(Schemas.all.first { $0.fileName == fileName }?.text)
        #expect(embedded == text, "Sources/Reporting/Schemas.swift differs from Reports/schema/\(fileName); copy the file into it")
    }

    @Test(arguments: Schemas.all.map(\.fileName))
    func schemaIsJSONForDraft202012(_ fileName: String) throws {
        let text = try #require(Schemas.all.first { $0.fileName == fileName }?.text)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    }
}
