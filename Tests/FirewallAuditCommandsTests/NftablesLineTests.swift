import FixtureSupport
import Foundation
import Testing

/// Findings from nftables inputs point at lines: of the rule in an nft script (`--nft-file`), or
/// of the rule's object in an `nft -j` export (`--nft-json`); SARIF regions use them, text reports
/// print `FILE:LINE` beside the kernel's table/chain/handle, and rule comments are shown.
@Suite("nftables lines")
struct NftablesLineTests {
    /// Every physical location of every SARIF result: its URI, start line and the result's rule id.
    static func regions(_ sarif: String) throws -> [(rule: String, uri: String, line: Int, primary: Bool)] {
        let log = try #require(try JSONSerialization.jsonObject(with: Data(sarif.utf8)) as? [String: Any])
        var found: [(String, String, Int, Bool)] = []
        for run in log["runs"] as? [[String: Any]] ?? [] {
            for result in run["results"] as? [[String: Any]] ?? [] {
                let rule = result["ruleId"] as? String ?? ""
                for (key, primary) in [("locations", true), ("relatedLocations", false)] {
                    for location in result[key] as? [[String: Any]] ?? [] {
                        let physical = location["physicalLocation"] as? [String: Any]
                        let uri = (physical?["artifactLocation"] as? [String: Any])?["uri"] as? String
                        let line = (physical?["region"] as? [String: Any])?["startLine"] as? Int
                        found.append((rule, try #require(uri, "a location without a URI"), try #require(line, "a location without a line"), primary))
                    }
                }
            }
        }
        return found
    }

    /// The one-based line of `path` (relative to the package) that starts with `text`, which must be exactly one line.
    static func line(of text: String, in path: String) throws -> Int {
        let lines = Scenario.load(path).split(separator: "\n", omittingEmptySubsequences: false)
        let matches = lines.indices.filter { lines[$0].trimmingCharacters(in: .whitespaces).hasPrefix(text) }
        try #require(matches.count == 1, "\(text) is on \(matches.count) lines of \(path)")
        return matches[0] + 1
    }

    static func audit(_ arguments: [String]) throws -> Binary.Result {
        let result = try Binary.run(["audit", "--color", "never"] + arguments)
        #expect(result.status == 0 || result.status == 1, "\(arguments): \(result.stderr)")
        return result
    }

    @Test("SARIF points at the accepting rule's line of an nft script, as GitHub annotates it", .needsNetworkNamespace)
    func sarifRegionOfAnExtraRule() throws {
        let script = "Fixtures/hosts/debian-web/all-icmpv6.nft"
        let arguments = ["--matrix", "Fixtures/hosts/debian-web/matrix.yaml", "--nft-file", script]
        let sarif = try Self.audit(arguments + ["--format", "sarif"])
        #expect(try GitHubCodeScanning.problems(sarif.stdout) == [])
        let regions = try Self.regions(sarif.stdout)
        let rule = try Self.line(of: "ip6 nexthdr icmpv6 accept", in: script)
        #expect(regions.map { "\($0.rule) \($0.uri):\($0.line)" } == ["extra \(script):\(rule)"])
        let text = try Self.audit(arguments)
        #expect(text.stdout.contains("rule:    \(script):\(rule): table inet filter chain input handle "), "\(text.stdout)")
    }

    @Test("a chain policy points at the line that sets it; every region is a rule or policy line", .needsNetworkNamespace,
          arguments: [("web-server/matrix.yaml", "web-server/no-443.nft"), ("debian-web/matrix.yaml", "debian-web/all-icmpv6.nft"),
                      ("fail2ban/no-deny-lists.yaml", "fail2ban/banned.nft"), ("non-router/undeclared.yaml", "non-router/debian.nft"),
                      ("debian-web/matrix.yaml", "debian-web/compliant.nft"), ("web-server/matrix.yaml", "web-server/compliant.nft")])
    func sarifRegionsOfHostFixtures(_ matrix: String, _ script: String) throws {
        let path = "Fixtures/hosts/\(script)"
        let sarif = try Self.audit(["--matrix", "Fixtures/hosts/\(matrix)", "--nft-file", path, "--format", "sarif"])
        #expect(try GitHubCodeScanning.problems(sarif.stdout) == [])
        let lines = Scenario.load(path).split(separator: "\n", omittingEmptySubsequences: false)
        for region in try Self.regions(sarif.stdout) where region.uri == path {
            let written = lines[region.line - 1].trimmingCharacters(in: .whitespaces)
            // Line 1 is only for a path with no chain at all (the kernel accepts): never a rule's place.
            if region.line == 1 { continue }
            #expect(!written.isEmpty && !written.hasPrefix("#") && !written.hasPrefix("}") && !written.hasPrefix("table"),
                    "\(path):\(region.line) is not a rule: \(written)")
            if !region.primary || region.rule != "missing" { #expect(written.hasSuffix("accept") || written.hasSuffix("drop") || written.hasSuffix("reject") || written.contains("policy")) }
        }
        if script == "web-server/no-443.nft" {
            let policy = try Self.line(of: "type filter hook input priority filter; policy drop;", in: path)
            let regions = try Self.regions(sarif.stdout)
            #expect(regions.contains { $0.rule == "missing" && !$0.primary && $0.uri == path && $0.line == policy }, "\(regions)")
        }
    }

    @Test("the same blocking rule is located in the script and in its nft -j export, with its comment", .needsNetworkNamespace)
    func scriptAndExportLocateTheBlockingRule() throws {
        let directory = "Fixtures/nft/lync-edge"
        let matrix = ["--matrix", "\(Scenario.directory)/matrix.yaml"]
        let fromScript = try Self.audit(matrix + ["--nft-file", "\(directory)/compliant.nft", "--nft-file", "\(directory)/blocking-table.nft"])
        let ruleLine = try Self.line(of: "tcp dport 5061 counter drop", in: "\(directory)/blocking-table.nft")
        #expect(fromScript.stdout.contains("rule:    \(directory)/blocking-table.nft:\(ruleLine): table ip legacy-block chain input handle 2  tcp dport 5061 counter drop comment \"old SIP block\""),
                "\(fromScript.stdout)")
        let fromExport = try Self.audit(matrix + ["--nft-json", "\(directory)/blocking-table.json"])
        // The rule object is the item whose members name the legacy-block table.
        let export = "\(directory)/blocking-table.json"
        let lines = Scenario.load(export).split(separator: "\n", omittingEmptySubsequences: false)
        let table = try Self.line(of: "\"comment\": \"old SIP block\"", in: export)
        // The object's `{` is on the line before `"rule": {`, so its one-based number is that line's zero-based index.
        let object = try #require((0..<table).last { lines[$0].trimmingCharacters(in: .whitespaces) == "\"rule\": {" })
        #expect(fromExport.stdout.contains("rule:    \(export):\(object): table ip legacy-block chain input handle 2  tcp dport 5061 counter packets 0 bytes 0 drop comment \"old SIP block\"")
                || fromExport.stdout.contains("rule:    \(export):\(object): table ip legacy-block chain input handle 2  "), "\(fromExport.stdout)")
        #expect(fromExport.stdout.contains("comment \"old SIP block\""))
        let sarif = try Self.audit(matrix + ["--nft-json", export, "--format", "sarif"])
        #expect(try GitHubCodeScanning.problems(sarif.stdout) == [])
        let regions = try Self.regions(sarif.stdout).filter { $0.uri == export }
        #expect(!regions.isEmpty)
        #expect(regions.allSatisfy { $0.line > 1 }, "\(regions)")
        #expect(regions.contains { $0.line == object }, "\(regions)")
    }

    @Test("a live namespace has no file: findings keep table, chain and handle", .needsNetworkNamespace)
    func liveKeepsHandles() throws {
        let script = "Fixtures/hosts/debian-web/all-icmpv6.nft"
        let result = try NftablesInputTests.withLiveNamespace("nft -f \(script)") { namespace in
            try Self.audit(["--matrix", "Fixtures/hosts/debian-web/matrix.yaml", "--netns", namespace, "--allow-unaudited-family"])
        }
        #expect(result.stdout.contains(": table inet filter chain input handle "), "\(result.stdout)")
        #expect(!result.stdout.contains("all-icmpv6.nft:"))
    }
}
