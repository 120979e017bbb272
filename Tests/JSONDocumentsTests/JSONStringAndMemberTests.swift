import Testing
import JSONDocuments

/// Strings read without escapes at once and with escapes scalar by scalar, and duplicate names
/// found by scanning small objects and by a set in large ones, give the same values and errors.
@Suite struct JSONStringAndMemberTests {
    func failure(_ text: String) -> (line: Int, column: Int, message: String)? {
        do {
            _ = try JSONParser.parse(text)
            return nil
        } catch {
            return (error.line, error.column, error.message)
        }
    }

    @Test func plainAndEscapedStringsReadTheSame() throws {
        #expect(try JSONParser.parse(#""""#) == .string(""))
        #expect(try JSONParser.parse(#""192.0.2.1""#) == .string("192.0.2.1"))
        #expect(try JSONParser.parse(#""é😀 x""#) == .string("é😀 x"))
        #expect(try JSONParser.parse(#""a long plain run before an escape\tand after""#) == .string("a long plain run before an escape\tand after"))
        #expect(try JSONParser.parse(#"["a", "b\\", "", "c"]"#) == .array([.string("a"), .string("b\\"), .string(""), .string("c")]))
    }

    @Test func invalidUTF8IsReplacedAsBefore() throws {
        // The text arrives as a String: an invalid byte sequence was already replaced by U+FFFD.
        let bytes: [UInt8] = [0x22, 0x61, 0xff, 0x62, 0x22]
        #expect(try JSONParser.parse(String(decoding: bytes, as: UTF8.self)) == .string("a\u{fffd}b"))
    }

    @Test func stringErrorsPointAtTheOffendingByte() {
        #expect(failure("\"ab\ncd\"")! == (1, 4, "control character in a string"))
        #expect(failure(#""ab\qcd""#)! == (1, 6, "invalid escape '\\q'"))
        #expect(failure(#"["ab"#)! == (1, 5, "unterminated string"))
        #expect(failure(#"["ab\"#)! == (1, 6, "unterminated escape"))
    }

    @Test func duplicateNamesAreFoundInSmallAndLargeObjects() {
        #expect(failure(#"{"a": 1, "b": 2, "a": 3}"#)! == (1, 24, "duplicate member 'a'"))
        let members = (0..<20).map { #""m\#($0)": \#($0)"# }
        #expect(failure("{" + members.joined(separator: ", ") + #", "m3": 0}"#)! == (1, 209, "duplicate member 'm3'"))
        #expect(failure("{" + members.joined(separator: ", ") + #", "m19": 0}"#) != nil)
        #expect(failure("{" + members[..<8].joined(separator: ", ") + #", "m7": 0}"#)?.message == "duplicate member 'm7'")
        let value = try? JSONParser.parse("{" + members.joined(separator: ", ") + "}")
        #expect(value?["m19"] == .number("19"))
    }
}
