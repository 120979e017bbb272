/// How a documentation page is written, which decides how its tables are found.
public enum Container: String, Sendable, Hashable, CaseIterable {
    /// Markdown with pipe tables and embedded HTML tables (Microsoft Docs style).
    case markdown
    /// A plain HTML page.
    case html
    /// Comma-, semicolon- or tab-separated values with a header record.
    case csv

    /// The container a file name suggests: `.csv`/`.tsv` are CSV, `.html`/`.htm` HTML, anything else Markdown.
    public static func guess(fromName name: String) -> Container {
        let lowered = name.lowercased()
        if lowered.hasSuffix(".csv") || lowered.hasSuffix(".tsv") { return .csv }
        if lowered.hasSuffix(".html") || lowered.hasSuffix(".htm") { return .html }
        return .markdown
    }
}

/// How one table was written on its page.
public enum TableSyntax: String, Sendable, Hashable {
    case html, pipe, csv
}

/// A table as found on a documentation page: header cells and data rows as plain text, with the
/// lines they came from, so every imported flow can point back to the page.
public struct SourceTable: Sendable, Hashable {
    /// The page's name as the user gave it.
    public var page: String
    /// 1-based position among all tables of the page, port tables or not.
    public var number: Int
    /// The nearest heading above the table, if any.
    public var heading: String?
    /// The line the table starts on.
    public var line: Int
    public var syntax: TableSyntax
    public var header: [String]
    public var rows: [SourceRow]

    public init(page: String, number: Int, heading: String?, line: Int, syntax: TableSyntax, header: [String], rows: [SourceRow]) {
        self.page = page
        self.number = number
        self.heading = heading
        self.line = line
        self.syntax = syntax
        self.header = header
        self.rows = rows
    }
}

/// One data row of a table: its 1-based number among the data rows, its line and its cells as plain text.
public struct SourceRow: Sendable, Hashable {
    public var number: Int
    public var line: Int
    public var cells: [String]

    public init(number: Int, line: Int, cells: [String]) {
        self.number = number
        self.line = line
        self.cells = cells
    }

    /// The cell at `index`, or empty for short rows.
    public func cell(_ index: Int) -> String { index < cells.count ? cells[index] : "" }
}
