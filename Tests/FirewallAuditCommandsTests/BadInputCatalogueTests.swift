import Foundation
import FixtureSupport
import Testing

/// The catalogue of bad inputs: each one exits 2 with a message that names its place, never
/// crashes, and never leaves a report behind.
@Suite struct BadInputCatalogue {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var ruleset: [UInt8]? = nil
        var matrix: String? = nil
        /// What stderr must contain (the location, usually).
        var expected: String
        var description: String { name }
    }

    static let filter = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
    static func rules(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let matrixHead = "version: 1\nzones:\n  host: {local: true, addresses: [198.51.100.10]}\n  anyone: {addresses: [any]}\nflows:\n"

    static let cases: [Case] = [
        Case(name: "empty ruleset", ruleset: [], expected: "no table was loaded"),
        Case(name: "binary ruleset", ruleset: [0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0xff, 0xfe, 0x00], expected: "not UTF-8 text"),
        Case(name: "invalid UTF-8 in a comment", ruleset: rules(filter + "-A INPUT -m comment --comment \"") + [0xc3, 0x28] + rules("\" -j ACCEPT\nCOMMIT\n"), expected: "not UTF-8 text"),
        Case(name: "truncated file", ruleset: rules(filter + "-A INPUT -p tcp --dport 22 -j ACC"), expected: "missing COMMIT"),
        Case(name: "missing COMMIT", ruleset: rules(filter + "-A INPUT -j ACCEPT\n"), expected: "COMMIT"),
        Case(name: "unknown table", ruleset: rules("*rawpost\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n"), expected: ":1:2: unknown table 'rawpost'"),
        Case(name: "unknown option", ruleset: rules(filter + "-A INPUT -p tcp --dport 22 --frobnicate -j ACCEPT\nCOMMIT\n"), expected: ":5:"),
        Case(name: "jump to a chain that does not exist", ruleset: rules(filter + "-A INPUT -j nowhere\nCOMMIT\n"), expected: ":5:13: unknown chain 'nowhere'"),
        Case(name: "chain loop", ruleset: rules(filter + ":a - [0:0]\n-A INPUT -j a\n-A a -j a\nCOMMIT\n"), expected: ":7: chain loop a -> a"),
        Case(name: "gigantic line", ruleset: rules(filter + "-A INPUT -s " + String(repeating: "9", count: 1_000_000) + " -j ACCEPT\nCOMMIT\n"), expected: ":5:"),
        Case(name: "address of the wrong family", ruleset: rules(filter + "-A INPUT -s 2001:db8::1 -j ACCEPT\nCOMMIT\n"), expected: ":5:"),
        Case(name: "port out of range", ruleset: rules(filter + "-A INPUT -p tcp --dport 70000 -j ACCEPT\nCOMMIT\n"), expected: ":5:"),
        Case(name: "matrix with an unknown zone", matrix: matrixHead + "  - {id: ssh, protocol: tcp, ports: 22, from: anywhere, to: host}\n", expected: ":6:"),
        Case(name: "matrix with a duplicate id", matrix: matrixHead + "  - {id: ssh, protocol: tcp, ports: 22, from: anyone, to: host}\n  - {id: ssh, protocol: tcp, ports: 23, from: anyone, to: host}\n", expected: ":7:"),
        Case(name: "matrix with an empty port range", matrix: matrixHead + "  - {id: ssh, protocol: tcp, ports: \"\", from: anyone, to: host}\n", expected: "flows[0].ports"),
        Case(name: "matrix with overlapping ports", matrix: matrixHead + "  - {id: web, protocol: tcp, ports: \"80,80-90\", from: anyone, to: host}\n", expected: "overlapping ports"),
        Case(name: "matrix with an address of no family", matrix: "version: 1\nzones:\n  host: {local: true, addresses: [198.51.100.300]}\nflows: []\n", expected: ":3:"),
        Case(name: "empty matrix", matrix: "", expected: "empty matrix"),
    ]

    @Test(arguments: cases)
    func exitsTwoWithItsPlaceAndWritesNothing(_ bad: Case) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-catalogue-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = directory.appendingPathComponent("rules.v4")
        try Data(bad.ruleset ?? Array("\(BadInputCatalogue.filter)COMMIT\n".utf8)).write(to: rules)
        let matrix = directory.appendingPathComponent("matrix.yaml")
        try (bad.matrix ?? BadInputCatalogue.matrixHead + "  - {id: ssh, protocol: tcp, ports: 22, from: anyone, to: host}\n").write(to: matrix, atomically: true, encoding: .utf8)
        let report = directory.appendingPathComponent("report.json")
        let result = try Binary.run(["audit", "--matrix", matrix.path, "--iptables-save", rules.path, "--format", "json=\(report.path)"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("fwaudit: error: "), "\(result.stderr)")
        #expect(result.stderr.contains(bad.expected), "\(result.stderr)")
        #expect(result.stderr.count < 2000, "the message must not repeat a huge input")
        #expect(!result.stderr.contains("Fatal error"))
        #expect(!FileManager.default.fileExists(atPath: report.path))
    }
}
