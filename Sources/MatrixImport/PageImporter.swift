/// Which tables of a page to import: all port tables, the table with a number, or those under a heading.
public struct TableSelection: Sendable, Hashable {
    public var number: Int?
    public var heading: String?

    public init(number: Int? = nil, heading: String? = nil) {
        self.number = number
        self.heading = heading
    }

    func includes(_ table: SourceTable) -> Bool {
        if let number, table.number != number { return false }
        if let heading {
            guard let tableHeading = table.heading, tableHeading.range(of: heading, options: [.caseInsensitive, .diacriticInsensitive]) != nil else { return false }
        }
        return true
    }
}

/// What became of one table: imported as a port table (with its layout and counts), or skipped and why.
public struct TableOutcome: Sendable, Hashable, CustomStringConvertible {
    public var page: String
    public var number: Int
    public var heading: String?
    public var line: Int
    public var syntax: TableSyntax
    /// Classified columns, for port tables.
    public var layout: TableLayout?
    /// Why the table was not read as a port table: not selected, or not about ports.
    public var skipped: String?
    public var rowsImported = 0
    public var flowsImported = 0
    public var problems: [RowProblem] = []

    /// `html/compound`, `pipe/columns`, `csv/direction`.
    public var layoutName: String { "\(syntax.rawValue)/\(layout?.name ?? "-")" }

    public var description: String {
        let place = "\(page):\(line): table \(number)" + (heading.map { " '\($0)'" } ?? "")
        if let skipped { return "\(place): skipped, \(skipped)" }
        return "\(place): \(layoutName), \(rowsImported) rows → \(flowsImported) flows, \(problems.count) rows not understood"
    }
}

/// One page's import: its flows and what became of each table.
public struct PageImport: Sendable, Hashable {
    public var page: String
    public var flows: [ImportedFlow]
    public var tables: [TableOutcome]

    public var problems: [RowProblem] { tables.flatMap(\.problems) }
    public var portTables: [TableOutcome] { tables.filter { $0.skipped == nil } }
}

/// The importer's entry point for one page: a pure function of (text, page name) → flows and diagnostics.
public enum PageImporter {
    public static func importPage(_ text: String, page: String, container: Container? = nil,
                                  selection: TableSelection = TableSelection()) -> PageImport {
        let tables = TableExtraction.tables(in: text, page: page, container: container ?? Container.guess(fromName: page))
        var flows: [ImportedFlow] = []
        var outcomes: [TableOutcome] = []
        for table in tables {
            var outcome = TableOutcome(page: page, number: table.number, heading: table.heading, line: table.line, syntax: table.syntax)
            guard selection.includes(table) else {
                outcome.skipped = "not selected"
                outcomes.append(outcome)
                continue
            }
            let layout = TableLayout(kinds: ColumnClassifier.classify(table))
            if table.rows.isEmpty {
                outcome.skipped = "no rows"
            } else if let reason = layout.notAPortTable(table) {
                outcome.skipped = "not a port table (\(reason))"
            } else {
                outcome.layout = layout
                for row in table.rows where row.cells.contains(where: { !$0.isEmpty }) {
                    switch RowInterpreter.flows(row, in: table, layout: layout) {
                    case .success(let rowFlows):
                        outcome.rowsImported += 1
                        outcome.flowsImported += rowFlows.count
                        flows += rowFlows
                    case .failure(let problem):
                        outcome.problems.append(problem)
                    }
                }
            }
            outcomes.append(outcome)
        }
        return PageImport(page: page, flows: flows, tables: outcomes)
    }
}

import Foundation
