import FirewallModel
import Yams

/// Turns Yams' parser errors into ``DocumentError``s with a position.
public enum YAMLSyntax {
    public static func error(_ error: any Error, text: String, source: String) -> DocumentError {
        func at(_ position: Position?, _ message: String) -> DocumentError {
            DocumentError(location: SourceLocation(source: source, line: position?.line ?? 1, column: position?.column ?? 1),
                            keyPath: "", message: message)
        }
        guard let yamlError = error as? YamlError else { return at(nil, "cannot read yaml: \(error)") }
        func describe(_ problem: String, _ context: YamlError.Context?) -> String {
            guard let context else { return "yaml: \(problem)" }
            return "yaml: \(problem) (\(context.text) at line \(context.mark.line))"
        }
        switch yamlError {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _):
            return at(Position(mark), describe(problem, context))
        case let .composer(context, problem, mark, _):
            if problem == "but found another document" {
                return at(Position(mark), "yaml: a matrix is a single document, found another")
            }
            return at(Position(mark), describe(problem, context))
        case let .reader(problem, offset, _, _):
            return at(offset.map { position(atCharacterOffset: $0, in: text) }, "yaml: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let key = duplicates.sorted().first ?? ""
            let first = Position(context.mark)
            let second = secondOccurrence(of: key, after: first, in: text)
            return at(second ?? first, "duplicate key '\(key)'")
        default:
            return at(nil, "cannot read yaml: \(yamlError)")
        }
    }

    /// A 1-based line and column (Yams' `Mark` cannot be made outside Yams).
    struct Position: Hashable {
        var line: Int
        var column: Int
        init(line: Int, column: Int) { self.line = line; self.column = column }
        init(_ mark: Mark) { self.init(line: mark.line, column: mark.column) }
    }

    static func position(atCharacterOffset offset: Int, in text: String) -> Position {
        var line = 1, column = 1
        for character in text.prefix(offset) {
            if character == "\n" || character == "\r\n" { line += 1; column = 1 } else { column += 1 }
        }
        return Position(line: line, column: column)
    }

    /// Yams reports where a duplicated key first appears; the error is the repetition. Look for it
    /// among the siblings of the first occurrence (same indentation in block style, same nesting
    /// depth in flow style). Nil when it cannot be found that way.
    static func secondOccurrence(of key: String, after first: Position, in text: String) -> Position? {
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.last == "\r" ? Array(line.dropLast()) : Array(line)
        }
        guard first.line >= 1, first.line <= lines.count else { return nil }
        let indent = first.column - 1
        let spellings = [key, "\"\(key)\"", "'\(key)'"].map { Array($0.unicodeScalars) }

        /// Whether `scalars` at `index` holds the key followed by optional spaces and ':'.
        func keyAt(_ scalars: [Unicode.Scalar], _ index: Int) -> Bool {
            for spelling in spellings where index + spelling.count <= scalars.count
                && Array(scalars[index..<(index + spelling.count)]) == spelling {
                var next = index + spelling.count
                while next < scalars.count, scalars[next] == " " || scalars[next] == "\t" { next += 1 }
                if next < scalars.count, scalars[next] == ":" { return true }
            }
            return false
        }

        // Flow style (JSON): scan forward at the first key's nesting depth.
        if flowDepth(lines: lines, before: first) > 0 {
            return flowSibling(lines: lines, first: first, keyAt: keyAt)
        }
        // Block style: a later line indented exactly like the first key.
        for lineIndex in first.line..<lines.count {
            let scalars = lines[lineIndex]
            let leading = scalars.prefix { $0 == " " }.count
            let rest = scalars.dropFirst(leading)
            if rest.isEmpty || rest.first == "#" { continue }
            if leading < indent { break }
            if leading == indent, keyAt(scalars, indent) { return Position(line: lineIndex + 1, column: indent + 1) }
        }
        return nil
    }

    /// The number of `{`/`[` open before `mark`, skipping quoted text and comments.
    private static func flowDepth(lines: [[Unicode.Scalar]], before mark: Position) -> Int {
        var depth = 0
        var quote: Unicode.Scalar?
        for lineIndex in 0..<min(mark.line, lines.count) {
            let scalars = lines[lineIndex]
            let end = lineIndex == mark.line - 1 ? min(mark.column - 1, scalars.count) : scalars.count
            var column = 0
            while column < end {
                let scalar = scalars[column]
                if let open = quote {
                    if scalar == "\\" && open == "\"" { column += 2; continue }
                    if scalar == open { quote = nil }
                } else if scalar == "#" && (column == 0 || scalars[column - 1] == " ") && depth == 0 {
                    break
                } else {
                    switch scalar {
                    case "\"", "'": quote = scalar
                    case "{", "[": depth += 1
                    case "}", "]": depth -= 1
                    default: break
                    }
                }
                column += 1
            }
        }
        return depth
    }

    /// In flow style, the next key spelt `key` at the first key's nesting depth.
    private static func flowSibling(lines: [[Unicode.Scalar]], first: Position,
                                    keyAt: ([Unicode.Scalar], Int) -> Bool) -> Position? {
        var depth = 0
        var quote: Unicode.Scalar?
        var lineIndex = first.line - 1
        var column = first.column - 1
        var skippedFirst = false
        while lineIndex < lines.count {
            let scalars = lines[lineIndex]
            while column < scalars.count {
                let scalar = scalars[column]
                if let open = quote {
                    if scalar == "\\" && open == "\"" { column += 2; continue }
                    if scalar == open { quote = nil }
                    column += 1
                    continue
                }
                let boundary = column == 0 || [" ", "\t", "{", ","].contains(scalars[column - 1])
                if depth == 0 && boundary && keyAt(scalars, column) {
                    if skippedFirst { return Position(line: lineIndex + 1, column: column + 1) }
                    skippedFirst = true
                }
                switch scalar {
                case "\"", "'": quote = scalar
                case "{", "[": depth += 1
                case "}", "]":
                    depth -= 1
                    if depth < 0 { return nil }
                default: break
                }
                column += 1
            }
            lineIndex += 1
            column = 0
        }
        return nil
    }
}
