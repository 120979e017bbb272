import ArgumentParser
import Reporting

/// `fwaudit schema`: the JSON Schemas of the report, the matrix and the waivers file.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print a JSON Schema: report, matrix or waivers.",
        discussion: """
        Examples:
          fwaudit schema report > report.schema.json
          fwaudit schema matrix
        """)

    enum Document: String, ExpressibleByArgument, CaseIterable {
        case report, matrix, waivers
    }

    @Argument(help: "Which schema: report, matrix or waivers.")
    var document: Document

    func run() throws {
        let text: String
        switch document {
        case .report: text = Schemas.report
        case .matrix: text = Schemas.matrix
        case .waivers: text = Schemas.waivers
        }
        try Output.write(text.hasSuffix("\n") ? text : text + "\n", to: nil)
    }
}
