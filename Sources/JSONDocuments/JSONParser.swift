/// Why a text is not JSON: the one-based line and column of the offending byte.
public struct JSONSyntaxError: Error, Sendable {
    public var line: Int
    public var column: Int
    public var message: String
}

/// Where a parse found the objects near the root of a document, kept beside the value so that
/// `JSONValue` stays a plain value: readers that name lines (an nft export's rules) ask here.
public struct JSONPositions: Sendable {
    /// One step from a value to a value inside it.
    public enum Step: Sendable, Hashable {
        case member(String)
        case item(Int)
    }

    /// Byte offsets of the objects' opening braces, by path from the root.
    var offsets: [[Step]: Int] = [:]
    /// Byte offsets where lines start, the first being 0.
    var lineStarts: [Int] = [0]

    /// No positions: what a document parsed without recording has.
    public init() {}

    /// The one-based line of the object at `path` (`[.member("nftables"), .item(5)]`), if recorded.
    public func line(of path: [Step]) -> Int? {
        guard let offset = offsets[path] else { return nil }
        var low = 0, high = lineStarts.count
        while high - low > 1 {
            let middle = (low + high) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle }
        }
        return low + 1
    }
}

/// A strict RFC 8259 reader over UTF-8 bytes that remembers where it is, for error messages.
public struct JSONParser {
    private let bytes: [UInt8]
    private var position = 0
    /// Nesting bound: a hostile file cannot exhaust the stack.
    private static let deepest = 512
    /// Objects at this depth or nearer the root have their positions recorded (-1: none).
    private var recordedDepth = -1
    /// The path to the value being read, kept only down to `recordedDepth`.
    private var path: [JSONPositions.Step] = []
    private var positions = JSONPositions()

    init(_ text: String) { bytes = Array(text.utf8) }

    /// Parses one complete document; trailing non-blank text is an error.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(text)
        return try parser.document()
    }

    /// Parses a document and records the line of every object down to `depth` levels below the
    /// root (the root is level 0); deeper values cost nothing extra.
    public static func parse(_ text: String, recordingObjectsTo depth: Int) throws(JSONSyntaxError) -> (value: JSONValue, positions: JSONPositions) {
        var parser = JSONParser(text)
        parser.recordedDepth = depth
        let value = try parser.document()
        var lineStarts = parser.positions.lineStarts
        parser.bytes.withUnsafeBufferPointer { bytes in
            for index in bytes.indices where bytes[index] == 0x0a { lineStarts.append(index + 1) }
        }
        parser.positions.lineStarts = lineStarts
        return (value, parser.positions)
    }

    private mutating func document() throws(JSONSyntaxError) -> JSONValue {
        skipBlanks()
        let value = try value(depth: 0)
        skipBlanks()
        if position < bytes.count { throw failure("unexpected text after the JSON document") }
        return value
    }

    private func failure(_ message: String) -> JSONSyntaxError {
        var line = 1, lineStart = 0
        for index in 0..<min(position, bytes.count) where bytes[index] == 0x0a {
            line += 1
            lineStart = index + 1
        }
        return JSONSyntaxError(line: line, column: position - lineStart + 1, message: message)
    }

    private mutating func skipBlanks() {
        while position < bytes.count {
            let byte = bytes[position]
            guard byte == 0x20 || byte == 0x0a || byte == 0x09 || byte == 0x0d else { return }
            position += 1
        }
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < JSONParser.deepest else { throw failure("nesting deeper than \(JSONParser.deepest) levels") }
        guard position < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw failure("unexpected character '\(Character(UnicodeScalar(bytes[position])))'")
        }
    }

    private mutating func literal(_ word: String) throws(JSONSyntaxError) {
        let expected = Array(word.utf8)
        guard position + expected.count <= bytes.count, Array(bytes[position..<position + expected.count]) == expected else {
            throw failure("invalid literal, expected '\(word)'")
        }
        position += expected.count
    }

    private mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        if depth <= recordedDepth { positions.offsets[path] = position }
        let tracksPath = depth < recordedDepth
        position += 1
        var members: [(String, JSONValue)] = []
        // Names are compared one by one while an object is small; a set is kept from the ninth member on.
        var names = Set<String>()
        skipBlanks()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipBlanks()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw failure("expected a member name") }
            let key = try string()
            skipBlanks()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw failure("expected ':' after member name") }
            position += 1
            skipBlanks()
            if tracksPath { path.append(.member(key)) }
            let member = try value(depth: depth + 1)
            if tracksPath { path.removeLast() }
            let isDuplicate: Bool
            if members.count < 8 {
                isDuplicate = members.contains { $0.0 == key }
            } else {
                if names.isEmpty { names = Set(members.map(\.0)) }
                isDuplicate = !names.insert(key).inserted
            }
            guard !isDuplicate else { throw failure("duplicate member '\(key)'") }
            members.append((key, member))
            skipBlanks()
            guard position < bytes.count else { throw failure("unexpected end of input in an object") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
            throw failure("expected ',' or '}' in an object")
        }
    }

    private mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        position += 1
        var items: [JSONValue] = []
        skipBlanks()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
        let tracksPath = depth < recordedDepth
        while true {
            skipBlanks()
            if tracksPath { path.append(.item(items.count)) }
            items.append(try value(depth: depth + 1))
            if tracksPath { path.removeLast() }
            skipBlanks()
            guard position < bytes.count else { throw failure("unexpected end of input in an array") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
            throw failure("expected ',' or ']' in an array")
        }
    }

    private mutating func number() throws(JSONSyntaxError) -> String {
        let start = position
        func digits() -> Int {
            let first = position
            while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 { position += 1 }
            return position - first
        }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        let integerStart = position
        let integerDigits = digits()
        guard integerDigits > 0 else { throw failure("malformed number") }
        if integerDigits > 1, bytes[integerStart] == 0x30 { throw failure("malformed number: leading zero") }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw failure("malformed number: no digits after '.'") }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw failure("malformed number: no exponent digits") }
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private mutating func string() throws(JSONSyntaxError) -> String {
        position += 1
        // Most strings hold no escape: their bytes are decoded at once. Others are read again below.
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: bytes[start..<position], as: UTF8.self)
                position += 1
                return text
            }
            if byte < 0x20 || byte == UInt8(ascii: "\\") { break }
            position += 1
        }
        position = start
        var scalars = String.UnicodeScalarView()
        var runStart = position
        func flush(_ end: Int) { scalars.append(contentsOf: String(decoding: bytes[runStart..<end], as: UTF8.self).unicodeScalars) }
        while true {
            guard position < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                flush(position)
                position += 1
                return String(scalars)
            }
            if byte < 0x20 { throw failure("control character in a string") }
            if byte != UInt8(ascii: "\\") { position += 1; continue }
            flush(position)
            position += 1
            guard position < bytes.count else { throw failure("unterminated escape") }
            let escape = bytes[position]
            position += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0c}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xd800...0xdbff).contains(code) {
                    guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                        throw failure("unpaired surrogate in \\u escape")
                    }
                    position += 2
                    let low = try hex4()
                    guard (0xdc00...0xdfff).contains(low) else { throw failure("unpaired surrogate in \\u escape") }
                    code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw failure("invalid \\u escape") }
                scalars.append(scalar)
            default:
                throw failure("invalid escape '\\\(Character(UnicodeScalar(escape)))'")
            }
            runStart = position
        }
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else {
            throw failure("invalid \\u escape")
        }
        position += 4
        return code
    }
}
