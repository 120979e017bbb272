import Foundation

/// Container parsing: a page's text → its tables, numbered in page order, each with the heading above it.
public enum TableExtraction {
    public static func tables(in text: String, page: String, container: Container) -> [SourceTable] {
        let normalized = TextCleaning.normalizePage(text)
        let lines = LineIndex(normalized)
        var found: [(HTMLTables.Found, TableSyntax)] = []
        switch container {
        case .csv:
            if let table = CSVTables.table(in: normalized) { found.append((table, .csv)) }
        case .html:
            found = HTMLTables.tables(in: normalized, lines: lines).map { ($0, .html) }
        case .markdown:
            found = HTMLTables.tables(in: normalized, lines: lines).map { ($0, .html) }
                + PipeTables.tables(in: normalized).map { ($0, .pipe) }
        }
        found.sort { $0.0.line < $1.0.line }
        let headings = container == .csv ? [] : self.headings(in: normalized, lines: lines)
        return found.enumerated().map { offset, entry in
            let (table, syntax) = entry
            let heading = headings.last { $0.line <= table.line }?.text
            let rows = table.rows.enumerated().map { SourceRow(number: $0.offset + 1, line: $0.element.line, cells: $0.element.cells) }
            return SourceTable(page: page, number: offset + 1, heading: heading, line: table.line, syntax: syntax, header: table.header, rows: rows)
        }
    }

    /// Markdown `#` headings (without `{#anchor}`s) and HTML `<h1>`…`<h6>` elements, with their lines.
    static func headings(in page: String, lines: LineIndex) -> [(line: Int, text: String)] {
        var result: [(line: Int, text: String)] = []
        var inFence = false
        for (offset, line) in page.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") { inFence.toggle(); continue }
            guard !inFence, trimmed.hasPrefix("#") else { continue }
            var text = trimmed.drop { $0 == "#" }
            if let anchor = text.range(of: "{#") { text = text[..<anchor.lowerBound] }
            let cleaned = TextCleaning.oneLine(TextCleaning.cellText(String(text)))
            if !cleaned.isEmpty { result.append((offset + 1, cleaned)) }
        }
        var position = page.startIndex
        while let open = page.range(of: "<h", options: .caseInsensitive, range: position..<page.endIndex) {
            position = open.upperBound
            guard open.upperBound < page.endIndex, let level = page[open.upperBound].wholeNumberValue, (1...6).contains(level),
                  let close = page.range(of: "</h\(level)", options: .caseInsensitive, range: open.upperBound..<page.endIndex),
                  let contentStart = page[open.upperBound..<close.lowerBound].firstIndex(of: ">") else { continue }
            let text = TextCleaning.oneLine(TextCleaning.cellText(String(page[page.index(after: contentStart)..<close.lowerBound])))
            if !text.isEmpty { result.append((lines.line(at: open.lowerBound, in: page), text)) }
            position = close.upperBound
        }
        return result.sorted { $0.line < $1.line }
    }
}
