import Audit
import FirewallModel
import Gating
import Foundation
import IptablesLoading
import PortMatrix

/// The package root, found from this file, so tests read fixtures wherever they run.
public let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The scenario with this name.
extension Scenario {
    public static func named(_ name: String) -> Scenario { all.first { $0.name == name }! }
}

/// One row of Fixtures/lync-edge/scenarios.tsv: rulesets and the findings they must produce.
public struct Scenario: CustomStringConvertible, Sendable {
    public var name: String
    public var v4: String
    public var v6: String
    /// `missing:flow`, `wrong-direction:flow`, `extra:family[/proto/port]`.
    public var expected: [String]

    public var description: String { name }

    public static let directory = "Fixtures/lync-edge"

    public static let all: [Scenario] = {
        let text = try! String(contentsOf: packageRoot.appendingPathComponent("\(directory)/scenarios.tsv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: "\t").map(String.init)
            return Scenario(name: fields[0], v4: fields[1], v6: fields[2],
                            expected: fields[3] == "-" ? [] : fields[3].split(separator: ",").map(String.init))
        }
    }()

    public static func load(_ relative: String) -> String {
        try! String(contentsOf: packageRoot.appendingPathComponent(relative), encoding: .utf8)
    }

    /// Runs the audit with paths as a user in the package root would type them.
    public func audit() throws -> AuditReport { try auditor().run() }

    /// The auditor for this scenario, for `explain`.
    public func auditor() throws -> Auditor {
        let matrixPath = "\(Scenario.directory)/matrix.yaml"
        let matrix = try PortMatrixLoader.load(Scenario.load(matrixPath), source: matrixPath)
        let v4Path = "\(Scenario.directory)/\(v4)", v6Path = "\(Scenario.directory)/\(v6)"
        let rulesets: [AddressFamily: Ruleset] = [
            .ipv4: try IptablesLoader.load(Scenario.load(v4Path), source: v4Path, family: .ipv4),
            .ipv6: try IptablesLoader.load(Scenario.load(v6Path), source: v6Path, family: .ipv6),
        ]
        let inputs = [AuditInput(kind: "iptables-save", path: v4Path, family: .ipv4),
                      AuditInput(kind: "ip6tables-save", path: v6Path, family: .ipv6)]
        return Auditor(matrix: matrix, matrixPath: matrixPath, rulesets: rulesets, inputs: inputs)
    }
}

/// Builds an audit from inline text, for small specifications.
public func audit(matrix: String, v4: String? = nil, v6: String? = nil) throws -> AuditReport {
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

/// Golden files under Reports/: compared byte for byte, rewritten when FWAUDIT_RECORD=1.
///
/// Recording always fails the run, so a recorded golden is never mistaken for a passing test.
public enum Golden {
    public static var isRecording: Bool { ProcessInfo.processInfo.environment["FWAUDIT_RECORD"] == "1" }

    /// Nil when `actual` matches the golden file; otherwise what went wrong, for the test to record.
    public static func check(_ actual: String, against relative: String) -> String? {
        let url = packageRoot.appendingPathComponent(relative)
        if isRecording {
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try! actual.write(to: url, atomically: true, encoding: .utf8)
            return "recorded \(relative); run again without FWAUDIT_RECORD=1"
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            return "missing golden \(relative); record it with FWAUDIT_RECORD=1"
        }
        if expected == actual { return nil }
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let first = zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(expectedLines.count, actualLines.count)
        let line = first + 1
        return "\(relative) differs at line \(line):\n  expected: \(first < expectedLines.count ? String(expectedLines[first]) : "<end>")\n  actual:   \(first < actualLines.count ? String(actualLines[first]) : "<end>")"
    }
}

/// Reports print an audit after the gate; these give a fixture's audit with no waiver or baseline.
extension Scenario {
    public func judged() throws -> GatedReport { Gate.ungated(try audit()) }
}

/// An inline audit after a gate with no waiver or baseline.
public func judged(matrix: String, v4: String? = nil, v6: String? = nil) throws -> GatedReport {
    Gate.ungated(try audit(matrix: matrix, v4: v4, v6: v6))
}
