import Audit
import FirewallModel
import Foundation
import IptablesLoading
import PortMatrix

/// The package root, found from this file, so tests read fixtures wherever they run.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// One row of Fixtures/lync-edge/scenarios.tsv: rulesets and the findings they must produce.
struct Scenario: CustomStringConvertible, Sendable {
    var name: String
    var v4: String
    var v6: String
    /// `missing:flow`, `wrong-direction:flow`, `extra:family[/proto/port]`.
    var expected: [String]

    var description: String { name }

    static let directory = "Fixtures/lync-edge"

    static let all: [Scenario] = {
        let text = try! String(contentsOf: packageRoot.appendingPathComponent("\(directory)/scenarios.tsv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: "\t").map(String.init)
            return Scenario(name: fields[0], v4: fields[1], v6: fields[2],
                            expected: fields[3] == "-" ? [] : fields[3].split(separator: ",").map(String.init))
        }
    }()

    static func load(_ relative: String) -> String {
        try! String(contentsOf: packageRoot.appendingPathComponent(relative), encoding: .utf8)
    }

    /// Runs the audit with paths as a user in the package root would type them.
    func audit() throws -> AuditReport {
        let matrixPath = "\(Scenario.directory)/matrix.yaml"
        let matrix = try PortMatrixLoader.load(Scenario.load(matrixPath), source: matrixPath)
        let v4Path = "\(Scenario.directory)/\(v4)", v6Path = "\(Scenario.directory)/\(v6)"
        let rulesets: [AddressFamily: Ruleset] = [
            .ipv4: try IptablesLoader.load(Scenario.load(v4Path), source: v4Path, family: .ipv4),
            .ipv6: try IptablesLoader.load(Scenario.load(v6Path), source: v6Path, family: .ipv6),
        ]
        let inputs = [AuditInput(kind: "iptables-save", path: v4Path, family: .ipv4),
                      AuditInput(kind: "ip6tables-save", path: v6Path, family: .ipv6)]
        return Auditor(matrix: matrix, matrixPath: matrixPath, rulesets: rulesets, inputs: inputs).run()
    }
}

/// Builds an audit from inline text, for small specifications.
func audit(matrix: String, v4: String? = nil, v6: String? = nil) throws -> AuditReport {
    let matrix = try PortMatrixLoader.load(matrix, source: "m.yaml")
    var rulesets: [AddressFamily: Ruleset] = [:]
    var inputs: [AuditInput] = []
    if let v4 {
        rulesets[.ipv4] = try IptablesLoader.load(v4, source: "v4.rules", family: .ipv4)
        inputs.append(AuditInput(kind: "iptables-save", path: "v4.rules", family: .ipv4))
    }
    if let v6 {
        rulesets[.ipv6] = try IptablesLoader.load(v6, source: "v6.rules", family: .ipv6)
        inputs.append(AuditInput(kind: "ip6tables-save", path: "v6.rules", family: .ipv6))
    }
    return Auditor(matrix: matrix, matrixPath: "m.yaml", rulesets: rulesets, inputs: inputs).run()
}
