import FirewallModel
import NftablesJSON
import Testing

/// Address elements of sets and values: every form nft writes reads to the addresses it stands
/// for, gathered into one set of ranges however many there are.
@Suite struct AddressElementTests {
    func matches(sets: [String] = [], _ right: String, op: String = "==") throws -> [Match] {
        let rules = try Snippet.rules(sets: sets, "[" + Expr.match(Expr.payload("ip", "saddr"), right, op: op) + #", {"accept": null}]"#)
        try #require(rules.count == 1)
        return rules[0].matches
    }

    func set(_ elements: String) -> String {
        #"{"set": {"family": "FAMILY", "name": "s", "table": "t", "type": "ipv4_addr", "flags": ["interval"], "elem": \#(elements)}}"#
    }

    static let ipv4 = Condition.addressFamily(.ipv4)

    @Test func everyElementFormUnitesIntoOneSet() throws {
        let elements = #"""
            ["10.0.0.9", {"prefix": {"addr": "10.0.1.77", "len": 24}}, {"range": ["10.0.3.0", "10.0.3.9"]},
             {"elem": {"val": "10.0.0.1", "timeout": 30}}, {"range": {"min": "10.0.5.0", "max": {"prefix": {"addr": "10.0.6.0", "len": 31}}}},
             {"prefix": {"addr": "10.0.7.0", "len": "0x18"}}, "10.0.0.10", "10.0.0.8"]
            """#
        let expected = AddressSet(ranges: [0x0a00_0001...0x0a00_0001, 0x0a00_0008...0x0a00_000a, 0x0a00_0100...0x0a00_01ff,
                                           0x0a00_0300...0x0a00_0309, 0x0a00_0500...0x0a00_0601, 0x0a00_0700...0x0a00_07ff])
        #expect(try matches(sets: [set(elements)], #""@s""#).map(\.condition) == [Self.ipv4, .address(.source, expected)])
        // An anonymous set reads the same way.
        #expect(try matches(#"{"set": \#(elements)}"#).map(\.condition) == [Self.ipv4, .address(.source, expected)])
    }

    @Test func aWildcardElementMatchesEveryAddress() throws {
        let found = try matches(sets: [set(#"["10.0.0.1", "*"]"#)], #""@s""#)
        #expect(found.map(\.condition) == [Self.ipv4, .oneOf([[]])])
    }

    @Test func anElementOfAnotherFamilyOrShapeMakesTheMatchOpaque() throws {
        for elements in [#"["10.0.0.1", "2001:db8::1"]"#, #"["10.0.0.1", "10.0.0"]"#, #"["10.0.0.1", 7]"#,
                         #"[{"prefix": {"addr": "10.0.0.0", "len": 33}}]"#, #"[{"prefix": {"addr": "10.0.0.0/8", "len": 8}}]"#,
                         #"[{"range": ["10.0.0.9", "10.0.0.1"]}]"#, #"[{"range": ["*", "10.0.0.1"]}]"#, #"["*", "x"]"#] {
            let found = try matches(sets: [set(elements)], #""@s""#)
            #expect(found.last?.isOpaque == true, "\(elements)")
            #expect(found.last?.text == "ip saddr @s")
        }
    }

    @Test func emptySetsMatchNothing() throws {
        #expect(try matches(sets: [set("[]")], #""@s""#).map(\.condition) == [Self.ipv4, .address(.source, AddressSet())])
    }

    @Test func comparisonsStillTakeOneAddress() throws {
        let found = try matches(#""10.0.0.5""#, op: "<")
        #expect(found.map(\.condition) == [Self.ipv4, .address(.source, AddressSet(0...0x0a00_0004))])
    }

    @Test func mapElementErrorsNameTheirPath() throws {
        let map = #"{"map": {"family": "FAMILY", "name": "m", "table": "t", "type": "ipv4_addr", "map": "verdict", "elem": [["10.0.0.1", {"accept": null}], "10.0.0.2"]}}"#
        #expect {
            try Snippet.load(sets: [map], [])
        } throws: { error in
            guard let error = error as? NftablesJSONError else { return false }
            return error.message == "map element must be a [key, value] pair" && error.location.detail == "$.nftables[4].map.elem[1]"
        }
    }
}
