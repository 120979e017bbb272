import Testing

/// Every subcommand's help shows how it is used, with examples of the command itself.
@Suite struct HelpExamples {
    @Test(arguments: [["audit"], ["explain"], ["dump"], ["baseline", "create"], ["matrix", "import"], ["matrix", "check"], ["schema"]])
    func helpShowsExamplesOfTheCommand(_ command: [String]) throws {
        let result = try Binary.run(command + ["--help"])
        #expect(result.status == 0)
        let examples = result.stdout.split(separator: "\n").filter { $0.hasPrefix("  fwaudit ") }
        #expect(examples.contains { $0.hasPrefix("  fwaudit \(command.joined(separator: " "))") })
        #expect(result.stdout.contains("Examples:"))
        #expect(examples.count >= (command == ["matrix", "check"] || command == ["schema"] ? 1 : 2), "\(result.stdout)")
    }

    @Test func theSchemaExampleRunsAsWritten() throws {
        let result = try Binary.run(["schema", "matrix"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("\"title\": \"fwaudit port matrix, format version 1\""))
    }
}
