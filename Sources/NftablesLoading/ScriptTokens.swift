/// One token of an nft script or of a rule text, with the line it starts on.
///
/// Strings lose their quotes (`"lo"` and `lo` are the same token to nft); newlines and `;` are
/// separators; braces and commas are tokens of their own, so sets can be compared element by element.
struct ScriptToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case word, string, open, close, comma, separator
    }

    var kind: Kind
    var text: String
    var line: Int

    /// Splits nft syntax into tokens: `#` comments and backslash-newline continuations are dropped.
    static func scan(_ text: String) -> [ScriptToken] {
        var tokens: [ScriptToken] = []
        let bytes = Array(text.utf8)
        var index = 0
        var line = 1
        func isWordByte(_ byte: UInt8) -> Bool {
            switch byte {
            case 0x20, 0x09, 0x0a, 0x0d, UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ";"), UInt8(ascii: ","),
                 UInt8(ascii: "\""), UInt8(ascii: "#"):
                false
            default:
                true
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x0a:
                tokens.append(ScriptToken(kind: .separator, text: "\n", line: line))
                line += 1
                index += 1
            case 0x20, 0x09, 0x0d:
                index += 1
            case UInt8(ascii: "\\") where index + 1 < bytes.count && (bytes[index + 1] == 0x0a || bytes[index + 1] == 0x0d):
                // A continuation: the command goes on on the next line.
                index += 1
                if bytes[index] == 0x0d { index += 1 }
                if index < bytes.count, bytes[index] == 0x0a { index += 1; line += 1 }
            case UInt8(ascii: "#"):
                while index < bytes.count, bytes[index] != 0x0a { index += 1 }
            case UInt8(ascii: ";"):
                tokens.append(ScriptToken(kind: .separator, text: ";", line: line))
                index += 1
            case UInt8(ascii: "{"):
                tokens.append(ScriptToken(kind: .open, text: "{", line: line))
                index += 1
            case UInt8(ascii: "}"):
                tokens.append(ScriptToken(kind: .close, text: "}", line: line))
                index += 1
            case UInt8(ascii: ","):
                tokens.append(ScriptToken(kind: .comma, text: ",", line: line))
                index += 1
            case UInt8(ascii: "\""):
                let start = line
                index += 1
                var content: [UInt8] = []
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1 }
                    if bytes[index] == 0x0a { line += 1 }
                    content.append(bytes[index])
                    index += 1
                }
                index += 1
                tokens.append(ScriptToken(kind: .string, text: String(decoding: content, as: UTF8.self), line: start))
            default:
                let start = index
                while index < bytes.count, isWordByte(bytes[index]) { index += 1 }
                tokens.append(ScriptToken(kind: .word, text: String(decoding: bytes[start..<index], as: UTF8.self), line: line))
            }
        }
        return tokens
    }
}
