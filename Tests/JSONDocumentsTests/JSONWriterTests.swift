import JSONDocuments
import Testing

/// Writing JSON: members in the order given, strings escaped as RFC 8259 requires, and what is
/// written reads back as the same value.
@Suite struct JSONWriterTests {
    @Test func escapesStringsAsJSONRequires() {
        #expect(JSONValue.string("a\"b\\c\n\u{1}").rendered() == #""a\"b\\c\n\u0001""#)
    }

    @Test func objectsKeepTheirMemberOrder() {
        let value = JSONValue.object([("zeta", .int(1)), ("alpha", .array([.bool(true), .null]))])
        #expect(value.rendered() == "{\n  \"zeta\": 1,\n  \"alpha\": [\n    true,\n    null\n  ]\n}")
        #expect(value.compact == #"{"zeta":1,"alpha":[true,null]}"#)
    }

    @Test func emptyContainersStayOnOneLine() {
        #expect(JSONValue.object([("a", .array([])), ("b", .object([]))]).rendered() == "{\n  \"a\": [],\n  \"b\": {}\n}")
    }

    @Test func whatIsWrittenReadsBackAsTheSameValue() throws {
        let value = JSONValue.object([
            ("text", .string("tab\there \"quoted\" é 😀")), ("count", .int(-42)), ("big", .number("18446744073709551615")),
            ("nested", .object([("list", .array([.optional(nil), .optional("x")]))])),
        ])
        #expect(try JSONParser.parse(value.rendered()) == value)
        #expect(try JSONParser.parse(value.compact) == value)
    }

    @Test func membersAreFoundByName() throws {
        let value = try JSONParser.parse(#"{"a": 1, "b": {"c": "d"}}"#)
        #expect(value["b"]?["c"] == .string("d"))
        #expect(value["missing"] == nil)
        #expect(JSONValue.array([]).self["a"] == nil)
    }
}
