import ArgumentParser
import Audit
import FirewallModel
import Reporting

/// `fwaudit audit`: compare rulesets with a port matrix and report.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit firewall rulesets against a port matrix.",
        discussion: """
        Exit status: 0 when there is no finding of the --fail-on kinds, 1 when there is, \
        2 when the audit could not run or cannot be trusted.
        """)

    @Option(help: ArgumentHelp("The port matrix (YAML or JSON).", valueName: "file"))
    var matrix: String

    @OptionGroup var rulesets: RulesetOptions

    @Option(help: "Report format: text or json.")
    var format: ReportFormat = .text

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to this file instead of stdout.", valueName: "file"))
    var output: String?

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Finding kinds that fail the run (comma separated).", valueName: "kinds"))
    var failOn: String = "missing,extra,wrong-direction"

    @Option(help: "Colour: auto, always or never.")
    var color: ColorChoice = .auto

    @Flag(name: .shortAndLong, help: "Only the verdict and findings.")
    var quiet = false

    func validate() throws {
        do {
            _ = try parsedFailOn()
        } catch {
            throw ValidationError(error.message ?? "bad --fail-on")
        }
    }

    func parsedFailOn() throws(CommandFailure) -> Set<FindingKind> {
        var kinds = Set<FindingKind>()
        for word in failOn.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !word.isEmpty {
            guard let kind = FindingKind(rawValue: word) else {
                throw .error("--fail-on: unknown kind '\(word)' (expected missing, extra, wrong-direction)")
            }
            kinds.insert(kind)
        }
        return kinds
    }

    func run() throws {
        let failKinds = try parsedFailOn()
        let matrix = try loadMatrix(self.matrix)
        let (rulesets, inputs) = try self.rulesets.load()
        let report = Auditor(matrix: matrix, matrixPath: self.matrix, rulesets: rulesets, inputs: inputs).run()
        let text: String
        switch format {
        case .text:
            text = TextReport.render(report, style: TextStyle(colors: color.enabled(toFile: output != nil)), quiet: quiet)
        case .json:
            text = JSONReport.render(report, toolVersion: FirewallAudit.version)
        }
        try Output.write(text, to: output)
        if let untrusted = report.diagnostics.first(where: { $0.severity == .error }) {
            throw CommandFailure.error("the audit cannot be trusted: \(untrusted.message)")
        }
        if report.findings.contains(where: { failKinds.contains($0.kind) }) {
            throw CommandFailure.findings()
        }
    }
}

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never

    func enabled(toFile: Bool) -> Bool {
        switch self {
        case .always: true
        case .never: false
        case .auto: !toFile && Output.terminalWantsColor()
        }
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}

extension Set where Element == Character {
    static let whitespaces: Set<Character> = [" ", "\t"]
}
