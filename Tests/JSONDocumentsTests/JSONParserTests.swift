import Testing
import JSONDocuments

/// The JSON reader: strict, with positions in its errors.
@Suite struct JSONParserTests {
    @Test func scalarsArraysAndObjects() throws {
        let value = try JSONParser.parse(#" {"a": [1, -2.5e3, true, false, null], "b": {"c": "d"}} "#)
        #expect(value == .object([("a", .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null])), ("b", .object([("c", .string("d"))]))]))
    }

    @Test func stringEscapesIncludingSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""a\"b\\c\/\n\u00e9\ud83d\ude00""#) == .string("a\"b\\c/\né😀"))
    }

    @Test func errorsCarryLineAndColumn() {
        for (text, line, column) in [("{\"a\": 1,}", 1, 9), ("[1,\n 2\n x]", 3, 2), ("\"open", 1, 6), ("{\"a\": 1} 2", 1, 10), ("[01]", 1, 4)] {
            #expect {
                try JSONParser.parse(text)
            } throws: { error in
                guard let error = error as? JSONSyntaxError else { return false }
                return error.line == line && error.column == column
            }
        }
    }

    @Test func duplicateMembersAreRefused() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(#"{"a": 1, "a": 2}"#) }
    }

    @Test func deepNestingIsBounded() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(String(repeating: "[", count: 600) + String(repeating: "]", count: 600)) }
    }
}
