import FirewallModel

/// One line of the input as UTF-8 bytes, which is how it is scanned.
struct LineText: Sendable {
    let bytes: [UInt8]
    let isASCII: Bool

    init<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        self.bytes = Array(bytes)
        isASCII = self.bytes.allSatisfy { $0 < 0x80 }
    }

    /// The one-based column (in characters) of the byte at `offset`.
    func column(at offset: Int) -> Int {
        isASCII ? offset + 1 : String(decoding: bytes[..<min(offset, bytes.count)], as: UTF8.self).count + 1
    }

    func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    /// Blanks as the shell sees them.
    static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0d || byte == 0x0b || byte == 0x0c
    }
}

/// One word of a rule line after shell-like unquoting, with where it was written.
struct Token: Sendable, Hashable, CustomStringConvertible {
    /// The word with quotes removed and backslash escapes applied.
    var text: String
    /// Byte offsets of the word in its line, quotes included (`start..<end`).
    var start: Int
    var end: Int
    /// One-based column of the word's first character.
    var column: Int
    /// Whether any part was quoted or escaped: such a word is always a value, never an option.
    var quoted: Bool

    var description: String { text }

    /// Whether the word is the unquoted negation sign `!`.
    var isBang: Bool { !quoted && text == "!" }
}

/// Splits a line into words the way `iptables-restore` does: blanks separate words, `"..."` and
/// `'...'` group them, and a backslash escapes the next character (inside both kinds of quotes).
enum Tokenizer {
    /// The words of `line` from byte `offset` on; `location` turns a byte offset into the location
    /// errors report.
    static func split(_ line: LineText, startingAt offset: Int = 0,
                      location: (Int) -> SourceLocation) throws(IptablesLoadingError) -> [Token] {
        let bytes = line.bytes
        let count = bytes.count
        let backslash = UInt8(ascii: "\\"), doubleQuote = UInt8(ascii: "\""), singleQuote = UInt8(ascii: "'")
        var tokens: [Token] = []
        var index = offset
        while index < count {
            while index < count, LineText.isBlank(bytes[index]) { index += 1 }
            if index >= count { break }
            let start = index
            var unquoted: [UInt8] = []
            var quoted = false
            while index < count, !LineText.isBlank(bytes[index]) {
                let byte = bytes[index]
                if byte == backslash {
                    guard index + 1 < count else {
                        throw IptablesLoadingError(location: location(index), message: "backslash at end of line")
                    }
                    if !quoted { unquoted = Array(bytes[start..<index]) }
                    quoted = true
                    unquoted.append(bytes[index + 1])
                    index += 2
                } else if byte == doubleQuote || byte == singleQuote {
                    if !quoted { unquoted = Array(bytes[start..<index]) }
                    quoted = true
                    let opening = index
                    index += 1
                    var closed = false
                    while index < count {
                        let inner = bytes[index]
                        if inner == byte { closed = true; index += 1; break }
                        if inner == backslash, index + 1 < count {
                            unquoted.append(bytes[index + 1])
                            index += 2
                        } else {
                            unquoted.append(inner)
                            index += 1
                        }
                    }
                    if !closed {
                        throw IptablesLoadingError(location: location(opening), message: "unterminated \(byte == doubleQuote ? "double" : "single") quote")
                    }
                } else {
                    if quoted { unquoted.append(byte) }
                    index += 1
                }
            }
            // Plain words (nearly all of them) are decoded straight from the line.
            let text = quoted ? String(decoding: unquoted, as: UTF8.self) : line.text(start..<index)
            tokens.append(Token(text: text, start: start, end: index, column: line.column(at: start), quoted: quoted))
        }
        return tokens
    }
}
