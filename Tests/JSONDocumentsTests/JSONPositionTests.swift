import JSONDocuments
import Testing

/// Lines of objects near the root, recorded beside the parsed value.
@Suite struct JSONPositionTests {
    static let document = """
        {"items": [
          {"a": 1},

          {"b": {"deep": {}}}
        ]}
        """

    @Test func objectsDownToTheRecordedDepthHaveTheLineOfTheirBrace() throws {
        let (value, positions) = try JSONParser.parse(Self.document, recordingObjectsTo: 2)
        #expect(positions.line(of: []) == 1)
        #expect(positions.line(of: [.member("items"), .item(0)]) == 2)
        #expect(positions.line(of: [.member("items"), .item(1)]) == 4)
        #expect(positions.line(of: [.member("items"), .item(1), .member("b")]) == nil, "deeper than recorded")
        #expect(positions.line(of: [.member("items"), .item(2)]) == nil)
        #expect(value == (try JSONParser.parse(Self.document)), "recording does not change the value")
    }

    @Test func withoutRecordingNothingIsKept() throws {
        let (_, positions) = try JSONParser.parse(Self.document, recordingObjectsTo: -1)
        #expect(positions.line(of: []) == nil)
        #expect(JSONPositions().line(of: []) == nil)
    }

    @Test func errorsStillCarryLineAndColumnWhenRecording() {
        #expect {
            try JSONParser.parse("[\n {\"a\": 1,}\n]", recordingObjectsTo: 2)
        } throws: { error in
            (error as? JSONSyntaxError).map { $0.line == 2 && $0.column == 10 } ?? false
        }
    }
}
