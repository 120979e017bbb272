import ArgumentParser
import Audit
import Gating
import Reporting

/// `fwaudit baseline create`: record today's findings so a gate fails only on new ones.
struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Record today's findings as accepted.",
        subcommands: [Create.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Audit and write the findings to a baseline file for 'audit --baseline'.",
            discussion: """
            Examples:
              fwaudit baseline create -o baseline.json --matrix matrix.yaml --live
              fwaudit audit --matrix matrix.yaml --live --baseline baseline.json
            """)

        @OptionGroup var inputs: AuditOptions

        @Option(name: .shortAndLong, help: ArgumentHelp("The baseline file to write.", valueName: "file"))
        var output: String

        func run() throws {
            let report = try inputs.auditor().run()
            if let untrusted = report.diagnostics.first(where: { $0.severity == .error }) {
                throw CommandFailure.error("the audit cannot be trusted: \(untrusted.message)")
            }
            try Output.write(BaselineReport.render(report), to: output)
        }
    }
}
