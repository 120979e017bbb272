import Foundation
import FixtureSupport
import Testing

/// `fwaudit matrix import` and `fwaudit matrix check` end to end: exit statuses, messages, files.
@Suite struct MatrixCommandEndToEnd {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-matrix-\(UUID().uuidString)")

    init() throws { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static let badRowPage = """
    ## Ports

    | Service | Protocol | Port | Source | Destination |
    |---|---|---|---|---|
    | SIP | TCP | 5061 | Partners | Edge |
    | SIP | TCP | Defined on the SBC | Edge | Partners |
    """

    @Test func importsBindsAndAuditsTheFixtureScenario() throws {
        let output = path("matrix.yaml")
        let imported = try Binary.run(["matrix", "import", "Fixtures/lync-edge/ports.md", "--zones", "Fixtures/lync-edge/zones.yaml", "-o", output])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.isEmpty)
        #expect(imported.stderr == "fwaudit: imported 6 flows from 6 rows of 1 port table on 1 page (pipe/columns: 6 rows, 0 not understood); 0 rows not understood\n")

        let checked = try Binary.run(["matrix", "check", output])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout.contains("flows (6):"))
        #expect(checked.stdout.contains("tcp 50000-59999 access-edge -> messenger-clients  [RTP media]"))
        #expect(checked.stdout.contains("access-edge (local; 198.51.100.10, 2001:db8:e::10; via eth0)"))

        let audited = try Binary.run(["audit", "--matrix", output, "--iptables-save", "Fixtures/lync-edge/compliant.v4",
                                      "--ip6tables-save", "Fixtures/lync-edge/compliant.v6", "--color", "never"])
        #expect(audited.status == 0, "\(audited.stdout)\(audited.stderr)")
        let missing = try Binary.run(["audit", "--matrix", output, "--iptables-save", "Fixtures/lync-edge/missing-reply-path.v4",
                                      "--ip6tables-save", "Fixtures/lync-edge/compliant.v6", "--color", "never", "--format", "json"])
        #expect(missing.status == 1, "\(missing.stderr)")
        // The scenario's missing STUN flows, under the imported ids, citing our page's rows.
        let report = try #require(try JSONSerialization.jsonObject(with: Data(missing.stdout.utf8)) as? [String: Any])
        let findings = (report["findings"] as? [[String: Any]]) ?? []
        let missingFlows = Set(findings.filter { $0["kind"] as? String == "missing" }.compactMap { $0["flow"] as? String })
        #expect(missingFlows == ["stun-msturn-3478", "stun-msturn-3478-2"], "\(missing.stdout.prefix(2000))")
        // Each missing flow cites the documentation line it was imported from.
        let flows = (report["flows"] as? [[String: Any]]) ?? []
        for id in missingFlows {
            let note = flows.first { $0["id"] as? String == id }?["note"] as? String ?? ""
            #expect(note.hasPrefix("Fixtures/lync-edge/ports.md:"), "\(id): \(note)")
        }
        let text = try Binary.run(["audit", "--matrix", output, "--iptables-save", "Fixtures/lync-edge/missing-reply-path.v4",
                                   "--ip6tables-save", "Fixtures/lync-edge/compliant.v6", "--color", "never"])
        #expect(text.stdout.contains("documented: Fixtures/lync-edge/ports.md:"), "\(text.stdout)")
    }

    @Test func unboundRolesAreListedAndTheMatrixRefusesToLoadUntilBound() throws {
        let output = path("unbound.yaml")
        let imported = try Binary.run(["matrix", "import", "Fixtures/lync-edge/ports.md", "--output", output])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains("fwaudit: 4 unbound zones"))
        #expect(imported.stderr.contains("  access-edge-interface: 'Access Edge interface'\n"))
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text.contains("addresses: []  # UNBOUND"))

        let checked = try Binary.run(["matrix", "check", output])
        #expect(checked.status == 2)
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("UNBOUND:") }! + 1
        #expect(checked.stderr.hasPrefix("fwaudit: error: \(output):\(line):"), "\(checked.stderr)")
        #expect(checked.stderr.contains("addresses: must not be empty"))
    }

    @Test func rowsNotUnderstoodAreReportedAndStrictMakesThemAnError() throws {
        let page = try write("page.md", Self.badRowPage)
        let lenient = try Binary.run(["matrix", "import", page])
        #expect(lenient.status == 0)
        #expect(lenient.stderr.contains("fwaudit: not understood: \(page):6: table 1 'Ports', row 2: cannot read 'Defined' as a port in 'Defined on the SBC'\n")
                || lenient.stderr.contains("fwaudit: not understood: \(page):6: table 1, row 2: cannot read 'Defined' as a port in 'Defined on the SBC'\n"), "\(lenient.stderr)")
        #expect(lenient.stderr.contains("1 row not understood"))
        #expect(lenient.stdout.contains("ports: \"5061\""))

        let output = path("strict.yaml")
        let strict = try Binary.run(["matrix", "import", page, "--strict", "-o", output])
        #expect(strict.status == 2)
        #expect(strict.stderr.contains(":6: table 1, row 2:"))
        #expect(strict.stderr.hasSuffix("fwaudit: error: 1 row not understood (--strict)\n"), "\(strict.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func aFailedImportLeavesAnExistingOutputUntouched() throws {
        let output = try write("keep.yaml", "previous content\n")
        let page = try write("page.md", Self.badRowPage)
        let result = try Binary.run(["matrix", "import", page, "--strict", "-o", output])
        #expect(result.status == 2)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "previous content\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !["keep.yaml", "page.md"].contains($0) }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test func aPageWithoutPortTablesIsAnError() throws {
        let page = try write("prose.md", "# Nothing\n\n| Server CPU | Server RAM |\n|---|---|\n| 2 | 4 GB |\n")
        let result = try Binary.run(["matrix", "import", page, "-o", path("none.yaml")])
        #expect(result.status == 2)
        #expect(result.stderr == "fwaudit: error: no port table found in \(page)\n")
        #expect(!FileManager.default.fileExists(atPath: path("none.yaml")))
    }

    @Test func csvAndTableSelection() throws {
        let csv = try write("ports.csv", "Port;Protocol;Source;Destination\n50.000-59.999;TCP;Edge;Clients\n3478;UDP;Clients;Edge\n")
        let all = try Binary.run(["matrix", "import", csv])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout.contains("ports: \"50000-59999\""))
        #expect(all.stderr.contains("csv/columns: 2 rows"))
        let none = try Binary.run(["matrix", "import", csv, "--table", "2"])
        #expect(none.status == 2)
        let both = try Binary.run(["matrix", "import", csv, "--table", "1", "--heading", "x"])
        #expect(both.status == 2)
        #expect(both.stderr.contains("give --table or --heading, not both"))
    }

    @Test func badZonesFilesAndMissingPagesAreLocated() throws {
        let zones = try write("zones.yaml", "zones:\n  edge:\n    addresses: [198.51.100.300]\n")
        let badZones = try Binary.run(["matrix", "import", "Fixtures/lync-edge/ports.md", "--zones", zones])
        #expect(badZones.status == 2)
        #expect(badZones.stderr.hasPrefix("fwaudit: error: \(zones):2:3: zones.edge.addresses[0]: bad address"), "\(badZones.stderr)")
        let missing = try Binary.run(["matrix", "import", "nowhere.md"])
        #expect(missing.status == 2)
        #expect(missing.stderr.hasPrefix("fwaudit: error: nowhere.md: no such file"))
    }

    @Test func checkSummarisesAGoodMatrixAndLocatesABadOne() throws {
        let good = try Binary.run(["matrix", "check", "Fixtures/lync-edge/matrix.yaml"])
        #expect(good.status == 0)
        #expect(good.stdout.contains("sip-mtls-from-partners: tcp 5061 pic-partners -> access-edge  [Access/SIP(MTLS)]"))
        #expect(good.stdout.contains("flows (6):"))
        let bad = try write("bad.yaml", "version: 1\nzones:\n  a: {addresses: [any]}\nflows:\n  - {id: x, protocol: tcp, ports: \"600-500\", from: a, to: a}\n")
        let result = try Binary.run(["matrix", "check", bad])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("fwaudit: error: \(bad):5:"))
        #expect(result.stderr.contains("flows[0].ports"))
    }

    @Test func checkReportsEveryErrorInOneRun() throws {
        let bad = try write("five.yaml", """
        version: 1
        zones:
          web: {local: true, addresses: [198.51.100.300]}
          ok: {addresses: [192.0.2.0/24]}
        flows:
          - {id: a, protocol: tcp, ports: 80, from: ok, to: web}
          - {id: b, protocol: tpc, ports: 80, from: ok, to: web}
          - {id: c, protocol: tcp, ports: 99999, from: ok, to: web}
          - {id: a, protocol: udp, ports: 53, from: ok, to: ok}
        allow: [loopback, everything]

        """)
        let result = try Binary.run(["matrix", "check", bad])
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(result.stderr)")
        #expect(lines.allSatisfy { $0.hasPrefix("fwaudit: error: \(bad):") })
        for (line, path) in zip(lines, ["zones.web.addresses[0]", "flows[1].protocol", "flows[2].ports", "flows[3].id", "allow[1]"]) {
            #expect(line.contains(path), "\(line)")
        }
        #expect(lines.last?.hasSuffix("(5 errors)") == true)
    }
}
