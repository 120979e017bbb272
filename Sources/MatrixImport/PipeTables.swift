/// Finds Markdown pipe tables: a header line, a delimiter line of dashes, and the rows below,
/// with or without outer pipes, rows shorter than the header allowed. Fenced code is skipped.
enum PipeTables {
    static func tables(in page: String) -> [HTMLTables.Found] {
        let lines = page.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var found: [HTMLTables.Found] = []
        var index = 0
        var inFence = false
        while index < lines.count {
            let line = lines[index]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { inFence.toggle(); index += 1; continue }
            if inFence || !line.contains("|") || index + 1 >= lines.count || !isDelimiter(lines[index + 1]) {
                index += 1
                continue
            }
            let header = cells(of: line)
            var rows: [(line: Int, cells: [String])] = []
            var next = index + 2
            while next < lines.count, lines[next].contains("|"), !lines[next].trimmingCharacters(in: .whitespaces).isEmpty {
                rows.append((next + 1, cells(of: lines[next])))
                next += 1
            }
            found.append(HTMLTables.Found(line: index + 1, header: header, rows: rows))
            index = next
        }
        return found
    }

    /// `|---|:--:|`, `--- | ---`: only dashes, colons, pipes and spaces, with at least one dash per cell.
    static func isDelimiter(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.contains("-"), trimmed.contains("|") || trimmed.allSatisfy({ $0 == "-" || $0 == ":" }) else { return false }
        guard trimmed.allSatisfy({ $0 == "-" || $0 == ":" || $0 == "|" || $0 == " " || $0 == "\t" }) else { return false }
        return rawCells(of: trimmed).allSatisfy { $0.contains("-") }
    }

    static func cells(of line: String) -> [String] {
        rawCells(of: line).map { TextCleaning.cellText($0) }
    }

    /// Cells split on unescaped pipes; one leading and one trailing pipe are outer pipes.
    static func rawCells(of line: String) -> [String] {
        var text = Substring(line.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("|") { text = text.dropFirst() }
        if text.hasSuffix("|"), !text.hasSuffix("\\|") { text = text.dropLast() }
        var cells: [String] = []
        var current = ""
        var previous: Character = " "
        for character in text {
            if character == "|", previous != "\\" {
                cells.append(current)
                current = ""
            } else {
                current.append(character)
            }
            previous = character
        }
        cells.append(current)
        return cells
    }
}

import Foundation
