import ArgumentParser
import FirewallModel
import Reporting

/// `fwaudit dump`: the normalised ruleset, to check what fwaudit understood.
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print the rulesets as fwaudit understood them, one rule per line.")

    @OptionGroup var rulesets: RulesetOptions

    @Option(help: "Output format: text or json.")
    var format: ReportFormat = .text

    func run() throws {
        let loaded = try rulesets.load().rulesets
        let ordered = AddressFamily.allCases.compactMap { family in loaded[family].map { (family, $0) } }
        switch format {
        case .text:
            var text = DumpReport.text(ordered)
            let diagnostics = ordered.flatMap(\.1.diagnostics)
            if !diagnostics.isEmpty {
                text += "\n" + diagnostics.map { "# \($0)" }.joined(separator: "\n") + "\n"
            }
            try Output.write(text, to: nil)
        case .json:
            try Output.write(DumpReport.json(ordered), to: nil)
        }
    }
}
