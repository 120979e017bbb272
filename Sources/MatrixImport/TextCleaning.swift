import Foundation

/// Turns the raw text of pages and cells into plain text: byte order marks, CRLF, HTML comments,
/// tags and entities, Markdown emphasis. Line structure is kept so that locations stay right.
enum TextCleaning {
    /// The page without a byte order mark, with `\n` line ends, and with `<!-- … -->` comments blanked
    /// out (their line breaks kept, so later line numbers do not move).
    static func normalizePage(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var result = String.UnicodeScalarView()
        var index = 0
        let open: [Unicode.Scalar] = ["<", "!", "-", "-"], close: [Unicode.Scalar] = ["-", "-", ">"]
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\r" {
                if index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1; continue }
                result.append("\n"); index += 1; continue
            }
            if scalar == "<", matches(scalars, at: index, open) {
                var end = index + open.count
                while end < scalars.count, !matches(scalars, at: end, close) {
                    if scalars[end] == "\n" { result.append("\n") }
                    end += 1
                }
                index = min(end + close.count, scalars.count)
                continue
            }
            result.append(scalar)
            index += 1
        }
        return String(result)
    }

    private static func matches(_ scalars: [Unicode.Scalar], at index: Int, _ pattern: [Unicode.Scalar]) -> Bool {
        guard index + pattern.count <= scalars.count else { return false }
        for offset in 0..<pattern.count where scalars[index + offset] != pattern[offset] { return false }
        return true
    }

    /// A cell's HTML or Markdown as plain text: line breaks for `<br>`, paragraphs and list items;
    /// footnote superscripts and images dropped; other tags removed; entities decoded; Markdown
    /// emphasis, escapes and links reduced to their text; spaces collapsed on each line.
    static func cellText(_ raw: String) -> String {
        var text = raw
        text = removeElements(named: "sup", from: text)
        text = replaceTags(in: text) { name in
            switch name {
            case "br", "/p", "p", "li", "/li", "ul", "/ul", "ol", "/ol", "div", "/div": return "\n"
            default: return ""
            }
        }
        text = decodeEntities(text)
        text = markdownToText(text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            collapseSpaces(String(line))
        }
        return lines.filter { !$0.isEmpty }.joined(separator: "\n")
    }

    /// `<name …>…</name>` removed with its content (footnote markers such as `<sup>[2]</sup>`).
    static func removeElements(named name: String, from text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "<\(name)", options: .caseInsensitive) {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].range(of: "</\(name)>", options: .caseInsensitive) else {
                rest = rest[start.upperBound...]
                continue
            }
            rest = rest[end.upperBound...]
        }
        return result + rest
    }

    /// Every `<tag …>` replaced by what `replacement` returns for its lower-cased name (`br`, `/p`).
    static func replaceTags(in text: String, _ replacement: (String) -> String) -> String {
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "<", let close = text[index...].firstIndex(of: ">") {
                let inside = text[text.index(after: index)..<close]
                if let first = inside.first, first.isLetter || first == "/" || first == "!" {
                    var tag = String(inside.prefix { !$0.isWhitespace }).lowercased()
                    if tag.hasSuffix("/") { tag.removeLast() }
                    result += replacement(tag)
                    index = text.index(after: close)
                    continue
                }
            }
            result.append(character)
            index = text.index(after: index)
        }
        return result
    }

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "ndash": "\u{2013}",
        "mdash": "\u{2014}", "rsquo": "\u{2019}", "lsquo": "\u{2018}", "ldquo": "\u{201C}", "rdquo": "\u{201D}",
        "hellip": "\u{2026}", "bull": "\u{2022}", "dagger": "\u{2020}", "thinsp": "\u{2009}", "shy": "",
    ]

    /// `&amp;`, `&nbsp;`, `&#160;`, `&#xA0;` decoded; unknown entities kept as written.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "&", let semicolon = text[index...].prefix(12).firstIndex(of: ";") {
                let body = String(text[text.index(after: index)..<semicolon])
                var decoded: String?
                if body.hasPrefix("#x") || body.hasPrefix("#X") {
                    decoded = UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else if body.hasPrefix("#") {
                    decoded = UInt32(body.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else {
                    decoded = namedEntities[body]
                }
                if let decoded {
                    result += decoded
                    index = text.index(after: semicolon)
                    continue
                }
            }
            result.append(text[index])
            index = text.index(after: index)
        }
        return result
    }

    /// `**bold**`, `_em_`, `` `code` ``, `\*` and `[text](url)` reduced to their text.
    static func markdownToText(_ text: String) -> String {
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "\\", text.index(after: index) < text.endIndex {
                let next = text[text.index(after: index)]
                if next.isPunctuation || next.isSymbol {
                    result.append(next)
                    index = text.index(index, offsetBy: 2)
                    continue
                }
            }
            if character == "*" || character == "`" {
                // Emphasis and code markers; a lone '*' after a port (a footnote) is kept for the port reader.
                let next = text.index(after: index)
                let isMarker = character == "`" || (next < text.endIndex && text[next] == "*")
                if isMarker {
                    index = character == "*" ? text.index(after: next) : next
                    continue
                }
            }
            if character == "_", isEmphasisUnderscore(text, index) {
                index = text.index(after: index)
                continue
            }
            if character == "[", let closeBracket = text[index...].firstIndex(of: "]") {
                let after = text.index(after: closeBracket)
                if after < text.endIndex, text[after] == "(", let closeParen = text[after...].firstIndex(of: ")") {
                    result += text[text.index(after: index)..<closeBracket]
                    index = text.index(after: closeParen)
                    continue
                }
            }
            result.append(character)
            index = text.index(after: index)
        }
        return result
    }

    /// An underscore at a word boundary (emphasis), not inside `snake_case`.
    private static func isEmphasisUnderscore(_ text: String, _ index: String.Index) -> Bool {
        let before = index > text.startIndex ? text[text.index(before: index)] : " "
        let afterIndex = text.index(after: index)
        let after = afterIndex < text.endIndex ? text[afterIndex] : " "
        return !(before.isLetter || before.isNumber) || !(after.isLetter || after.isNumber)
    }

    /// Runs of spaces, tabs and no-break spaces between words become one space; ends are trimmed.
    /// No-break spaces between digits are kept: they group thousands (`50 000`).
    static func collapseSpaces(_ text: String) -> String {
        var result = ""
        var pendingSpace: Character?
        for character in text {
            if character == " " || character == "\t" || character == "\u{00A0}" || character == "\u{202F}" || character == "\u{2009}" || character == "\u{3000}" {
                if pendingSpace == nil || pendingSpace == " " { pendingSpace = character == "\t" || character == "\u{3000}" ? " " : character }
                continue
            }
            if let space = pendingSpace, !result.isEmpty {
                result.append(space)
            }
            pendingSpace = nil
            result.append(character)
        }
        return result
    }

    /// The cell's lines joined with spaces: a role written over several lines is one role.
    static func oneLine(_ text: String) -> String {
        text.split(separator: "\n").map(String.init).joined(separator: " ")
    }
}
