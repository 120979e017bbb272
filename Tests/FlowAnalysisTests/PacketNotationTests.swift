import FirewallModel
import FlowAnalysis
import Foundation
import Testing

/// `Packet(parsing:)` reads what `Packet.description` prints: reports' example packets can be
/// given to `explain --packet` as they are.
@Suite struct PacketNotation {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The example packets of every golden report: `example:` lines of text and Markdown, the
    /// `Example packet:` of SARIF, JSON and JUnit messages (XML escapes undone, sentence ends dropped).
    static func goldenExamples() throws -> [String] {
        let directory = packageRoot.appendingPathComponent("Reports/lync-edge")
        let expression = try NSRegularExpression(pattern: #"(?:example|Example packet): `?([a-z0-9]+ \S+ -> \S+(?: (?:in|out|state|flags|type|code|mark) \S+)*)"#)
        var examples: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() {
            guard let text = try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8) else { continue }
            let unescaped = text.replacingOccurrences(of: "&gt;", with: ">")
            for match in expression.matches(in: unescaped, range: NSRange(unescaped.startIndex..., in: unescaped)) {
                guard let range = Range(match.range(at: 1), in: unescaped) else { continue }
                var example = String(unescaped[range])
                while let last = example.last, "`.\"\\".contains(last) { example.removeLast() }
                examples.append(example)
            }
        }
        return examples
    }

    @Test func everyExamplePacketOfTheGoldenReportsRoundTrips() throws {
        let examples = try Self.goldenExamples()
        #expect(examples.count >= 30, "\(examples.count)")
        for text in examples {
            let packet = try Packet(parsing: text)
            #expect(packet.description == text)
            #expect(try Packet(parsing: packet.description) == packet)
        }
    }

    @Test func generatedPacketsRoundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        let protocols: [UInt8] = [IPProtocol.tcp, IPProtocol.udp, IPProtocol.sctp, IPProtocol.udplite, IPProtocol.dccp,
                                  IPProtocol.icmp, IPProtocol.icmpv6, 0, 47, 50, 51, 89, 112, 255]
        let interfaces = ["", "eth0", "lo", "wg-0", "br.10", "veth1234567890a"]
        let states: [ConnectionStates] = [.new, .established, .related, .invalid, .untracked, [.new, .established]]
        for _ in 0..<2000 {
            let family: AddressFamily = Bool.random(using: &generator) ? .ipv4 : .ipv6
            var proto = protocols.randomElement(using: &generator) ?? IPProtocol.tcp
            if proto == IPProtocol.icmp && family == .ipv6 { proto = IPProtocol.icmpv6 }
            if proto == IPProtocol.icmpv6 && family == .ipv4 { proto = IPProtocol.icmp }
            let width: UInt128 = family == .ipv4 ? UInt128(UInt32.max) : UInt128.max
            var packet = Packet(family: family, layer4Protocol: proto,
                                source: UInt128.random(in: 0...width, using: &generator),
                                destination: UInt128.random(in: 0...width, using: &generator))
            if packet.hasPorts {
                packet.sourcePort = UInt16.random(in: 0...UInt16.max, using: &generator)
                packet.destinationPort = UInt16.random(in: 0...UInt16.max, using: &generator)
            }
            if packet.isICMP { packet.icmpType = UInt16.random(in: 0...UInt16.max, using: &generator) }
            if proto == IPProtocol.tcp { packet.tcpFlags = UInt8.random(in: 0...UInt8.max, using: &generator) }
            packet.inInterface = interfaces.randomElement(using: &generator) ?? ""
            packet.outInterface = interfaces.randomElement(using: &generator) ?? ""
            packet.state = states.randomElement(using: &generator) ?? .new
            if Bool.random(using: &generator) { packet.mark = UInt32.random(in: 0...UInt32.max, using: &generator) }
            let parsed = try Packet(parsing: packet.description)
            #expect(parsed == packet, "\(packet.description)")
        }
    }

    @Test func readsEveryClause() throws {
        let tcp = try Packet(parsing: "tcp 192.0.2.1:40000 -> 198.51.100.10:5061 in eth0 out eth1 state new flags ack")
        #expect(tcp.inInterface == "eth0" && tcp.outInterface == "eth1" && tcp.tcpFlags == 0x10 && tcp.state == .new)
        let udp = try Packet(parsing: "udp [2001:db8::1]:40000 -> [2001:db8:e::10]:3478 out eth0 state established")
        #expect(udp.family == .ipv6 && udp.sourcePort == 40000 && udp.destinationPort == 3478 && udp.state == .established)
        let icmp = try Packet(parsing: "icmpv6 2001:db8:ffff::7 -> 2001:db8:1::10 type 139 code 0 state new")
        #expect(icmp.layer4Protocol == IPProtocol.icmpv6 && icmp.icmpType == 139 << 8)
        let esp = try Packet(parsing: "esp 192.0.2.1 -> 198.51.100.10 in eth0")
        #expect(esp.layer4Protocol == 50 && esp.description == "50 192.0.2.1 -> 198.51.100.10 in eth0 state new")
        #expect(try Packet(parsing: "112 192.0.2.1 -> 224.0.0.18").layer4Protocol == 112)
        #expect(try Packet(parsing: "TCP 192.0.2.1:1 -> 192.0.2.2:2 mark 0x10").mark == 16)
    }

    @Test func fillsWhatTheTextLeavesOut() throws {
        let opening = try Packet(parsing: "tcp 192.0.2.7 -> 198.51.100.10:5061")
        #expect(opening.sourcePort == 40000 && opening.tcpFlags == 0x02 && opening.state == .new)
        #expect(try Packet(parsing: "tcp 192.0.2.7 -> 198.51.100.10:5061 state established").tcpFlags == 0x10)
        #expect(try Packet(parsing: "icmp 192.0.2.7 -> 198.51.100.10").icmpType == 8 << 8)
        #expect(try Packet(parsing: "icmpv6 2001:db8::7 -> 2001:db8::1 code 4").icmpType == 128 << 8 | 4)
    }

    @Test(arguments: [
        ("tcp 192.0.2.7 -> nowhere", "cannot read destination 'nowhere'"),
        ("tcp 192.0.2.7:1 198.51.100.10:5061", "expected 'PROTOCOL SOURCE -> DESTINATION'"),
        ("bogus 192.0.2.7 -> 198.51.100.10", "unknown protocol 'bogus'"),
        ("tcp 192.0.2.7 -> 198.51.100.10", "tcp needs a destination port"),
        ("udp 192.0.2.7:1 -> 198.51.100.10:70000", "destination port '70000'"),
        ("esp 192.0.2.7 -> 198.51.100.10:500", "esp has no ports"),
        ("tcp 192.0.2.7:1 -> [2001:db8::1]:2", "different address families"),
        ("icmp 2001:db8::7 -> 2001:db8::1", "write icmpv6"),
        ("tcp 192.0.2.7:1 -> 198.51.100.10:2 state open", "unknown state 'open'"),
        ("tcp 192.0.2.7:1 -> 198.51.100.10:2 flags syn,fast", "unknown TCP flag 'fast'"),
        ("udp 192.0.2.7:1 -> 198.51.100.10:2 flags syn", "'flags' is for tcp packets"),
        ("tcp 192.0.2.7:1 -> 198.51.100.10:2 type 3", "'type' is for icmp"),
        ("icmp 192.0.2.7 -> 198.51.100.10 type 300", "ICMP type '300'"),
        ("tcp 192.0.2.7:1 -> 198.51.100.10:2 in eth0 in eth1", "'in' given twice"),
        ("tcp 192.0.2.7:1 -> 198.51.100.10:2 in", "'in' needs a value"),
        ("tcp 192.0.2.7:1 -> 198.51.100.10:2 via eth0", "unexpected 'via'"),
        ("tcp 192.0.2.7:1 -> 198.51.100.10:2 in averyveryverylongname", "not an interface name"),
    ])
    func refusesBadTextWithAReason(text: String, message: String) {
        #expect(throws: Packet.SyntaxError.self) { try Packet(parsing: text) }
        do {
            _ = try Packet(parsing: text)
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }
}
