import Foundation

/// Finds `<table>` elements in HTML or in Markdown that embeds HTML, and reads their rows.
enum HTMLTables {
    /// A table before numbering: where it starts and its rows of cell texts, header first.
    struct Found {
        var line: Int
        var header: [String]
        var rows: [(line: Int, cells: [String])]
    }

    /// The outermost tables of `page` (nested tables end up as text in their cell), in order.
    static func tables(in page: String, lines: LineIndex) -> [Found] {
        var found: [Found] = []
        var searchFrom = page.startIndex
        while let start = page.range(of: "<table", options: .caseInsensitive, range: searchFrom..<page.endIndex) {
            guard let end = matchingEnd(of: start, in: page) else { break }
            let body = page[start.upperBound..<end.lowerBound]
            found.append(read(body, in: page, line: lines.line(at: start.lowerBound, in: page), lines: lines))
            searchFrom = end.upperBound
        }
        return found
    }

    /// The `</table>` that closes the table opened at `start`, counting nested tables.
    private static func matchingEnd(of start: Range<String.Index>, in page: String) -> Range<String.Index>? {
        var depth = 1
        var position = start.upperBound
        while depth > 0 {
            let open = page.range(of: "<table", options: .caseInsensitive, range: position..<page.endIndex)
            guard let close = page.range(of: "</table", options: .caseInsensitive, range: position..<page.endIndex) else { return nil }
            if let open, open.lowerBound < close.lowerBound {
                depth += 1
                position = open.upperBound
            } else {
                depth -= 1
                position = close.upperBound
                if depth == 0 {
                    let end = page[close.upperBound...].firstIndex(of: ">").map { page.index(after: $0) } ?? close.upperBound
                    return close.lowerBound..<end
                }
            }
        }
        return nil
    }

    /// Rows and cells of one table's inner HTML. The header is the `<thead>` row, or a first row
    /// made only of `<th>` cells, or else the first row.
    private static func read(_ body: Substring, in page: String, line: Int, lines: LineIndex) -> Found {
        var rows: [(line: Int, cells: [String], isHeader: Bool)] = []
        var position = body.startIndex
        let theadEnd = body.range(of: "</thead", options: .caseInsensitive)?.lowerBound
        while let rowStart = body.range(of: "<tr", options: .caseInsensitive, range: position..<body.endIndex) {
            let rowEnd = body.range(of: "</tr", options: .caseInsensitive, range: rowStart.upperBound..<body.endIndex)
            let nextRow = body.range(of: "<tr", options: .caseInsensitive, range: rowStart.upperBound..<body.endIndex)
            let end = [rowEnd?.lowerBound, nextRow?.lowerBound, body.endIndex].compactMap { $0 }.min()!
            let (cells, allHeaderCells) = self.cells(body[rowStart.upperBound..<end])
            let inHead = theadEnd.map { rowStart.lowerBound < $0 } ?? false
            rows.append((lines.line(at: rowStart.lowerBound, in: page), cells, inHead || (allHeaderCells && rows.isEmpty)))
            position = end == body.endIndex ? end : body.index(after: end)
        }
        guard !rows.isEmpty else { return Found(line: line, header: [], rows: []) }
        let headerCount = max(1, rows.prefix { $0.isHeader }.count)
        // Several header rows (rare): the last one names the columns.
        let header = rows[headerCount - 1].cells
        return Found(line: line, header: header, rows: rows.dropFirst(headerCount).map { ($0.line, $0.cells) })
    }

    /// The texts of a row's `<td>`/`<th>` cells, and whether they were all `<th>`.
    private static func cells(_ row: Substring) -> ([String], Bool) {
        var cells: [String] = []
        var allHeader = true
        var position = row.startIndex
        while let start = nextCellStart(in: row, from: position) {
            let isHeader = row[start.lowerBound...].lowercased().hasPrefix("<th")
            allHeader = allHeader && isHeader
            guard let openEnd = row[start.upperBound...].firstIndex(of: ">") else { break }
            let contentStart = row.index(after: openEnd)
            let next = nextCellStart(in: row, from: contentStart)?.lowerBound ?? row.endIndex
            var content = row[contentStart..<next]
            for closing in ["</td", "</th"] {
                if let close = content.range(of: closing, options: [.caseInsensitive, .backwards]) { content = content[..<close.lowerBound] }
            }
            cells.append(TextCleaning.cellText(String(content)))
            position = next
        }
        return (cells, allHeader && !cells.isEmpty)
    }

    private static func nextCellStart(in row: Substring, from position: Substring.Index) -> Range<Substring.Index>? {
        let td = row.range(of: "<td", options: .caseInsensitive, range: position..<row.endIndex)
        let th = row.range(of: "<th", options: .caseInsensitive, range: position..<row.endIndex)
        // `<thead>` is not a cell.
        let candidates = [td, th].compactMap { $0 }.filter { range in
            guard range.upperBound < row.endIndex else { return true }
            let next = row[range.upperBound]
            return next == ">" || next == " " || next == "\n" || next == "\t"
        }
        return candidates.min { $0.lowerBound < $1.lowerBound }
    }
}
