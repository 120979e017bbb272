import ArgumentParser
import Audit
import FirewallModel
import Foundation
import Gating
import PortMatrix
import Reporting

/// `fwaudit audit`: compare rulesets with a port matrix, report, and gate.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit firewall rulesets against a port matrix.",
        discussion: """
        Exit status: 0 when no finding fails the run, 1 when one does, 2 when the audit could not \
        run or cannot be trusted. Waived findings and findings in the baseline never fail the run.

        Examples:
          fwaudit audit --matrix matrix.yaml --live
          fwaudit audit --matrix matrix.yaml --iptables-save rules.v4 --ip6tables-save rules.v6 --format sarif=fwaudit.sarif
          fwaudit audit --matrix matrix.yaml --nft-file /etc/nftables.conf --baseline baseline.json --format html=audit.html
        """)

    @OptionGroup var inputs: AuditOptions

    @Option(name: .customLong("format"), help: ArgumentHelp(
        "Report format FMT[=PATH]: text, json, sarif, junit, markdown, html or prometheus; repeatable, at most one without PATH (stdout).",
        valueName: "format"))
    var formats: [FormatRequest] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the stdout report to this file instead.", valueName: "file"))
    var output: String?

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Finding kinds that fail the run (comma separated).", valueName: "kinds"))
    var failOn: String = "missing,extra,wrong-direction"

    @Option(name: .customLong("fail-on-severity"), help: ArgumentHelp("Only findings of this severity or above fail the run: low, medium, high, critical.", valueName: "severity"))
    var failOnSeverity: Severity = .low

    @Flag(name: .customLong("soft-fail"), help: "Findings never fail the run (errors still exit 2).")
    var softFail = false

    @Option(help: ArgumentHelp("A waivers file (default: .fwaudit/waivers.yaml when present).", valueName: "file"))
    var waivers: String?

    @Option(help: ArgumentHelp("A baseline from 'fwaudit baseline create': only new findings fail the run.", valueName: "file"))
    var baseline: String?

    @Flag(name: .customLong("allow-empty"), help: "Accept a matrix without flows or an input without tables.")
    var allowEmpty = false

    @Flag(name: .customLong("allow-unaudited-family"), help: "Accept that a family the matrix needs has no ruleset; it is reported as not audited.")
    var allowUnauditedFamily = false

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
        if formats.filter({ $0.path == nil }).count > 1 {
            throw ValidationError("at most one --format may go to stdout; give the others a path (FMT=PATH)")
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
        let policy = GatePolicy(failOn: try parsedFailOn(), minimumSeverity: failOnSeverity, softFail: softFail)
        let auditor = try inputs.auditor(failClosed: .init(allowEmpty: allowEmpty, allowUnauditedFamily: allowUnauditedFamily))
        let waiverList = try loadWaivers()
        let baselineFile = try baseline.map { path throws(CommandFailure) in try loadBaseline(path) }
        let gate = Gate(policy: policy, waivers: waiverList, today: CalendarDay.today(), baseline: baselineFile)
        let report = gate.judge(auditor.run())

        var requests = formats
        if !requests.contains(where: { $0.path == nil }) && (output != nil || requests.isEmpty) {
            requests.append(FormatRequest(format: .text, path: nil))
        }
        for request in requests {
            let toFile = request.path ?? output
            let text = request.format.render(report, colors: color.enabled(toFile: toFile != nil), quiet: quiet)
            try Output.write(text, to: toFile)
        }
        if let untrusted = report.diagnostics.first(where: { $0.severity == .error }) {
            throw CommandFailure.error("the audit cannot be trusted: \(untrusted.message)")
        }
        if !report.failing.isEmpty {
            throw CommandFailure.findings()
        }
    }

    /// The waivers named with --waivers, or found at .fwaudit/waivers.yaml in the working directory.
    func loadWaivers() throws(CommandFailure) -> [Waiver] {
        let discovered = ".fwaudit/waivers.yaml"
        guard let path = waivers ?? (FileManager.default.fileExists(atPath: discovered) ? discovered : nil) else { return [] }
        let text = try readText(path)
        do {
            return try WaiverLoader.load(text, source: path)
        } catch {
            throw .error(error.description)
        }
    }
}

/// Reads a baseline file, or fails with its location.
func loadBaseline(_ path: String) throws(CommandFailure) -> Baseline {
    let text = try readText(path)
    do {
        return try Baseline.load(text, source: path)
    } catch {
        throw .error(error.description)
    }
}

extension FormatRequest {
    init(format: OutputFormat, path: String?) {
        self.format = format
        self.path = path
    }
}

extension Severity: ExpressibleByArgument {}

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
