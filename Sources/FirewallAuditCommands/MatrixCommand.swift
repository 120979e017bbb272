import ArgumentParser
import MatrixImport
import PortMatrix

/// `fwaudit matrix`: build a port matrix from vendor documentation, and check one.
struct MatrixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "Import a port matrix from documentation pages, or check one.",
        subcommands: [Import.self, Check.self])

    /// `fwaudit matrix import`: the port tables of documentation pages as a matrix v1 file.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Turn the port tables of documentation pages (Markdown, HTML, CSV) into a port matrix.",
            discussion: """
            Roles named by the tables become zones. Bind them to addresses with --zones; roles left \
            unbound are listed on stderr and written as 'addresses: []  # UNBOUND', which the matrix \
            loader refuses until they are filled in. Rows that cannot be read are listed with their \
            page, table and row; --strict makes them an error.

            Examples:
              fwaudit matrix import ports.md -o matrix.yaml
              fwaudit matrix import ports.md --zones zones.yaml -o matrix.yaml
            """)

        @Argument(help: ArgumentHelp("Documentation pages: .md (pipe and HTML tables), .html, .csv.", valueName: "doc"))
        var documents: [String]

        @Option(help: ArgumentHelp("A zones file binding roles to addresses, interfaces and local: true.", valueName: "zones.yaml"))
        var zones: String?

        @Option(help: ArgumentHelp("Import only the table with this number on each page (1 = first table).", valueName: "n"))
        var table: Int?

        @Option(help: ArgumentHelp("Import only tables under a heading containing this text.", valueName: "text"))
        var heading: String?

        @Option(help: ArgumentHelp("The matrix's name; defaults to the first page's file name.", valueName: "name"))
        var name: String?

        @Flag(help: "Fail (exit 2, nothing written) when a row of a port table cannot be read.")
        var strict = false

        @Option(name: .shortAndLong, help: ArgumentHelp("Write the matrix here (atomically) instead of stdout.", valueName: "file"))
        var output: String?

        func validate() throws {
            if table != nil && heading != nil { throw ValidationError("give --table or --heading, not both") }
            if let table, table < 1 { throw ValidationError("--table counts from 1") }
        }

        func run() throws {
            let bindings: ZoneBindings
            if let zones {
                do {
                    bindings = try ZoneBindings.load(try readText(zones), source: zones)
                } catch let failure as CommandFailure {
                    throw failure
                } catch {
                    throw CommandFailure.error("\(error)")
                }
            } else {
                bindings = ZoneBindings()
            }
            let selection = TableSelection(number: table, heading: heading)
            var pages: [PageImport] = []
            for path in documents {
                pages.append(PageImporter.importPage(try readText(path), page: path, selection: selection))
            }

            let summary = ImportSummary(pages: pages)
            Output.standardError(summary.problemLines())
            guard summary.flows > 0 else {
                throw CommandFailure.error("no port table found in \(documents.joined(separator: ", "))" + (summary.portTables > 0 ? " (port tables found, but no row could be read)" : ""))
            }
            if strict && summary.problems > 0 {
                throw CommandFailure.error("\(summary.problems) row\(summary.problems == 1 ? "" : "s") not understood (--strict)")
            }
            let defaultName = documents[0].split(separator: "/").last.map(String.init) ?? documents[0]
            let matrix = ImportedMatrix(name: name ?? "Imported from \(defaultName)", pages: pages, bindings: bindings)
            let yaml = MatrixEmitter.yaml(matrix)
            if matrix.unboundZones.isEmpty {
                // A fully bound matrix must load; if it does not, say so rather than write a broken file.
                do {
                    _ = try PortMatrixLoader.load(yaml, source: output ?? "<imported matrix>")
                } catch {
                    throw CommandFailure.error("the imported matrix does not load: \(error)")
                }
            }
            try Output.write(yaml, to: output)
            Output.standardError(summary.summaryLine() + "\n")
            if !matrix.unboundZones.isEmpty {
                var text = "fwaudit: \(matrix.unboundZones.count) unbound zone\(matrix.unboundZones.count == 1 ? "" : "s") (marked \(MatrixEmitter.unboundMarker); bind them with --zones or edit the matrix):\n"
                for zone in matrix.unboundZones {
                    text += "  \(zone.id): \(zone.roles.map { "'\($0)'" }.joined(separator: ", "))\n"
                }
                Output.standardError(text)
            }
        }
    }

    /// `fwaudit matrix check`: load a matrix and print its zones and flows.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate a port matrix and print a summary of its zones and flows.",
            discussion: """
            Every error it can find is reported in one run.

            Examples:
              fwaudit matrix check matrix.yaml
            """)

        @Argument(help: ArgumentHelp("The matrix file.", valueName: "matrix.yaml"))
        var matrix: String

        func run() throws {
            let text = try readText(matrix)
            // Every error in one run: a matrix with five mistakes should not take five runs.
            let errors = PortMatrixLoader.check(text, source: matrix)
            if errors.count > 1 {
                for error in errors.dropLast() { Output.standardError("fwaudit: error: \(error.description)\n") }
            }
            if let last = errors.last {
                throw CommandFailure.error(errors.count > 1 ? "\(last.description) (\(errors.count) errors)" : last.description)
            }
            let loaded: PortMatrix
            do {
                loaded = try PortMatrixLoader.load(text, source: matrix)
            } catch {
                throw CommandFailure.error(error.description)
            }
            try Output.write(MatrixSummary.render(loaded), to: nil)
        }
    }
}

/// The counts an import reports on stderr, and the rows it could not read.
struct ImportSummary {
    var pages: [PageImport]

    var tables: [TableOutcome] { pages.flatMap(\.tables) }
    var portTables: Int { tables.filter { $0.skipped == nil }.count }
    var rows: Int { tables.map(\.rowsImported).reduce(0, +) }
    var flows: Int { pages.map(\.flows.count).reduce(0, +) }
    var problems: Int { tables.map(\.problems.count).reduce(0, +) }

    /// Rows not understood, and tables that look like port tables but were not read as such.
    func problemLines() -> String {
        var text = ""
        for table in tables {
            if let skipped = table.skipped, skipped.contains("no protocol") {
                text += "fwaudit: note: \(table.page):\(table.line): table \(table.number): skipped, \(skipped.replacingOccurrences(of: "not a port table (", with: "has ports but ").dropLast())\n"
            }
            text += table.problems.map { "fwaudit: not understood: \($0)\n" }.joined()
        }
        return text
    }

    /// `fwaudit: imported 6 flows from 6 rows of 1 port table on 1 page (html/compound: 6 rows); 0 rows not understood`.
    func summaryLine() -> String {
        var layouts: [String: (rows: Int, problems: Int)] = [:]
        for table in tables where table.skipped == nil {
            layouts[table.layoutName, default: (0, 0)].rows += table.rowsImported
            layouts[table.layoutName, default: (0, 0)].problems += table.problems.count
        }
        let perLayout = layouts.keys.sorted().map { "\($0): \(layouts[$0]!.rows) rows, \(layouts[$0]!.problems) not understood" }
        return "fwaudit: imported \(flows) flow\(flows == 1 ? "" : "s") from \(rows) row\(rows == 1 ? "" : "s") of \(portTables) port table\(portTables == 1 ? "" : "s") on \(pages.count) page\(pages.count == 1 ? "" : "s") (\(perLayout.joined(separator: "; "))); \(problems) row\(problems == 1 ? "" : "s") not understood"
    }
}

/// The readable summary `matrix check` prints.
enum MatrixSummary {
    static func render(_ matrix: PortMatrix) -> String {
        var out = "\(matrix.source): \(matrix.name)\n"
        if let reference = matrix.reference { out += "reference: \(reference)\n" }
        out += "zones (\(matrix.zones.count)):\n"
        for zone in matrix.zones { out += "  \(zone)\n" }
        out += "flows (\(matrix.flows.count)):\n"
        for flow in matrix.flows {
            out += "  \(flow)"
            if let service = flow.service { out += "  [\(service)]" }
            out += "\n"
        }
        out += "allow: \(matrix.allowances.sorted().map(\.rawValue).joined(separator: ", "))\n"
        return out
    }
}
