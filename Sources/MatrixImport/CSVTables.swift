/// Reads a CSV page as one table: the first record is the header. The delimiter (comma,
/// semicolon or tab) is the one the header line uses most; quoted fields may span lines.
enum CSVTables {
    static func table(in page: String) -> HTMLTables.Found? {
        let firstLine = page.prefix { $0 != "\n" }
        let delimiter: Character = [",", ";", "\t"].max { a, b in
            count(a, in: firstLine) < count(b, in: firstLine)
        } ?? ","
        var records: [(line: Int, cells: [String])] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var characters = Array(page)
        if characters.last != "\n" { characters.append("\n") }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if inQuotes {
                if character == "\"" {
                    if index + 1 < characters.count, characters[index + 1] == "\"" { field.append("\""); index += 1 } else { inQuotes = false }
                } else {
                    if character == "\n" { line += 1 }
                    field.append(character)
                }
            } else if character == "\"" && field.isEmpty {
                inQuotes = true
            } else if character == delimiter {
                fields.append(field); field = ""
            } else if character == "\n" {
                fields.append(field); field = ""
                if !(fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty) {
                    records.append((recordLine, fields.map { TextCleaning.cellText($0) }))
                }
                fields = []
                line += 1
                recordLine = line
            } else {
                field.append(character)
            }
            index += 1
        }
        guard let header = records.first else { return nil }
        return HTMLTables.Found(line: header.line, header: header.cells, rows: Array(records.dropFirst()))
    }

    private static func count(_ character: Character, in text: Substring) -> Int {
        var inQuotes = false
        var total = 0
        for each in text {
            if each == "\"" { inQuotes.toggle() } else if each == character, !inQuotes { total += 1 }
        }
        return total
    }
}

import Foundation
