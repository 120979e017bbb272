import NftablesBytecode
import Testing

/// The notation parser reads back what the printer writes.
@Suite struct NotationParserTests {
    /// Real `nft --debug=netlink` output (captured in a namespace) and every printer form.
    static let text = """
    inet filter input handle 4 comment "ssh in"
      [ meta load l4proto => reg 1 ]
      [ cmp eq reg 1 0x00000006 ]
      [ payload load 2b @ transport header + 2 => reg 1 ]
      [ cmp gte reg 1 0x0000e803 ]
      [ range neq reg 1 0x0000e803 0x0000d007 ]
      [ payload load 4b @ network header + 12 => reg 1 ]
      [ payload load 2b @ transport header + 2 => reg 9 ]
      [ lookup reg 1 set c 0x0 ]
      [ lookup reg 1 set vm dreg 0 0x0 ]
      [ lookup reg 1 set s4 0x1 ]
      [ ct load state => reg 1 ]
      [ bitwise reg 1 = ( reg 1 & 0x00000006 ) ^ 0x00000000 ]
      [ cmp neq reg 1 0x00000000 ]
      [ meta load iifname => reg 1 ]
      [ cmp eq reg 1 0x00687465 ]
      [ meta load mark => reg 1 ]
      [ byteorder reg 1 = hton(reg 1, 4, 4) ]
      [ bitwise reg 1 = ( reg 1 << 0x00000008 ) ]
      [ ct load mark => reg 1 , dir original ]
      [ ct set mark with reg 1 ]
      [ meta set mark with reg 1 ]
      [ immediate reg 1 0x0100000a ]
      [ immediate reg 0 jump -> other ]
      [ immediate reg 0 accept ]
      [ counter pkts 3 bytes 180 ]
      [ log prefix x ]
      [ log group 2 snaplen 0 qthreshold 1 ]
      [ limit rate 5/minute burst 5 type packets flags 0x0 ]
      [ quota bytes 1000 consumed 0 flags 1 ]
      [ reject type 0 code 3 ]
      [ nat dnat ip addr_min reg 1 proto_min reg 2 flags 0x2 ]
      [ masq ]
      [ redir proto_min reg 1 flags 0x2 ]
      [ notrack ]
      [ fib daddr type => reg 1 ]
      [ fib saddr . iif oif present => reg 1 ]
      [ exthdr load ipv6 2b @ 43 + 0 => reg 1 ]
      [ exthdr load tcpopt 1b @ 2 + 0 present => reg 1 ]
      [ socket load transparent => reg 1 ]
      [ dynset update reg_key 1 set seen timeout 60000ms expr [ limit rate 10/second burst 5 type packets flags 0x1 ] ]
      [ match name conntrack rev 3 ]
      [ target name LOG rev 0 ]
      [ queue num 0-3 bypass ]
      [ objref type 1 name c1 ]
      [ objref sreg 1 set m ]
      [ connlimit count 4 flags 0 ]
      [ flow_offload table f ]
      [ payload write reg 1 => 2b @ transport header + 2 csum_type 1 csum_off 16 csum_flags 0x1 ]
      [ tunnel load id => reg 1 ]
    ip filter INPUT handle 2
      [ immediate reg 0 drop ]
    """

    @Test func printingWhatWasParsedGivesTheSameText() throws {
        let rules = try NotationParser.rules(Self.text)
        #expect(rules.count == 2)
        #expect(rules[0].comment == "ssh in")
        #expect(rules[0].handle == 4)
        let printed = rules.map(\.description).joined(separator: "\n")
        #expect(printed.split(separator: "\n").map { $0.trimmingPrefix(" ") } == Self.text.split(separator: "\n").map { $0.trimmingPrefix(" ") })
    }

    @Test func byteCountsFollowTheRegisterWidth() throws {
        let rules = try NotationParser.rules(Self.text)
        let expressions = rules[0].expressions
        #expect(expressions[1] == .cmp(op: .eq, source: Register(1), data: Bytes([6])))
        #expect(expressions[3] == .cmp(op: .gte, source: Register(1), data: Bytes([0x03, 0xe8])))
        #expect(expressions[4] == .range(op: .neq, source: Register(1), from: Bytes([0x03, 0xe8]), to: Bytes([0x07, 0xd0])))
        #expect(expressions[6] == .payload(base: .transport, offset: 2, length: 2, destination: Register(9)))
        // An interface-name prefix is shorter than the 16-byte register: "eth".
        #expect(expressions[14] == .cmp(op: .eq, source: Register(1), data: Bytes(Array("eth".utf8))))
        #expect(expressions[11] == .bitwise(source: Register(1), destination: Register(1), length: 4, op: .maskXor,
                                            mask: Bytes([6, 0, 0, 0]), xor: Bytes([0, 0, 0, 0]), data: Bytes([])))
    }

    @Test func parsingWhatWasPrintedGivesTheSameExpressions() throws {
        let expressions: [Expression] = [
            .payload(base: .network, offset: 16, length: 4, destination: Register(1)),
            .cmp(op: .lte, source: Register(1), data: Bytes([192, 0, 2, 1])),
            .meta(key: .l4proto, destination: Register(8)),
            .cmp(op: .neq, source: Register(8), data: Bytes([17])),
            .ct(key: .state, direction: nil, destination: Register(1)),
            .bitwise(source: Register(1), destination: Register(1), length: 4, op: .maskXor, mask: Bytes([8, 0, 0, 0]), xor: Bytes([0, 0, 0, 0]), data: Bytes([])),
            .lookup(source: Register(1), destination: Register(0), set: "m", setId: nil, inverted: false),
            .immediate(destination: .verdict, value: .verdict(.goto, chain: "x")),
            .log(prefix: "a b", group: nil, level: 4, flags: 0, snaplen: nil, threshold: nil),
            .nat(type: .snat, family: 10, addressMin: Register(1), addressMax: Register(2), protoMin: nil, protoMax: nil, flags: 0),
            .queue(number: 2, total: 1, flags: 2, source: nil),
            .socket(key: 1, level: 2, destination: Register(1)),
            .other(name: "synproxy", attributes: ["mss", "1460"]),
        ]
        var parser = NotationParser()
        for expression in expressions {
            #expect(try parser.expression(expression.description) == expression)
        }
    }

    @Test func libnftnlFormsAreRead() throws {
        // `nft --debug=netlink list ruleset` prints lookup flags and log flag names (captured from corpus rulesets).
        let rules = try NotationParser.rules("""
        inet filter wan_input 5
          [ lookup reg 1 set portmap dreg 0 0x0 ]
          [ log prefix ipv4 input drop:  level 4 tcpseq tcpopt ipopt uid macdecode ]
          [ log prefix FIRST PACKET IS NOT SYN level 4 ]
        """)
        let expressions = rules[0].expressions
        #expect(rules[0].handle == 5)
        #expect(expressions[0] == .lookup(source: Register(1), destination: .verdict, set: "portmap", setId: nil, inverted: false))
        #expect(expressions[1] == .log(prefix: "ipv4 input drop: ", group: nil, level: 4, flags: 0x2f, snaplen: nil, threshold: nil))
        #expect(expressions[2] == .log(prefix: "FIRST PACKET IS NOT SYN", group: nil, level: 4, flags: 0, snaplen: nil, threshold: nil))
    }

    @Test func malformedLinesAreErrors() {
        var parser = NotationParser()
        #expect(throws: NotationParser.ParseError.self) { try parser.expression("[ payload load 2 @ transport header + 2 => reg 1 ]") }
        #expect(throws: NotationParser.ParseError.self) { try parser.expression("payload load 2b") }
        #expect(throws: NotationParser.ParseError.self) { try NotationParser.rules("  [ notrack ]") }
    }
}
