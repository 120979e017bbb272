/// Where something came from in the user's input: a file position or a logical kernel location.
///
/// Printed as `file:line` (or `file:line:column`) for files, and as given for logical
/// locations such as `filter/INPUT/12` from live state.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The input's name as the user gave it (a path, or a label such as `live`).
    public var source: String
    /// One-based line, when the input is a text file.
    public var line: Int?
    /// One-based column, when known.
    public var column: Int?
    /// A non-file location, such as `chain INPUT policy DROP` or `filter/INPUT/12`.
    public var detail: String?

    public init(source: String, line: Int? = nil, column: Int? = nil, detail: String? = nil) {
        self.source = source
        self.line = line
        self.column = column
        self.detail = detail
    }

    public var description: String {
        var text = source
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        if let detail { text += ": \(detail)" }
        return text
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        if lhs.source != rhs.source { return lhs.source < rhs.source }
        if (lhs.line ?? 0) != (rhs.line ?? 0) { return (lhs.line ?? 0) < (rhs.line ?? 0) }
        if (lhs.column ?? 0) != (rhs.column ?? 0) { return (lhs.column ?? 0) < (rhs.column ?? 0) }
        return (lhs.detail ?? "") < (rhs.detail ?? "")
    }
}
