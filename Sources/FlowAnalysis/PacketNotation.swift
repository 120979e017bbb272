import FirewallModel

/// Reading packets back from the notation `Packet.description` prints, so that an example packet
/// from a report can be pasted into `fwaudit explain --packet` as it is:
///
///     PROTO SRC -> DST [type N code M] [in IF] [out IF] [state S[,S…]] [flags F[,F…]|none] [mark N]
///
/// `PROTO` is a protocol name from `/etc/protocols` (`tcp`, `icmpv6`, `esp`) or a number; endpoints
/// of protocols with ports carry them (`192.0.2.1:40000`, `[2001:db8::1]:40000`). The clauses after
/// the endpoints may come in any order, each once. What the text leaves out takes the value of the
/// first packet of a connection: source port 40000, state new, TCP flags `syn` for a new packet and
/// `ack` otherwise, ICMP echo request (type 8, or 128 for ICMPv6) with code 0.
extension Packet {
    /// Why a packet text cannot be read; `description` is a short lower-case message.
    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// The source port a text without one gets: an ordinary ephemeral port.
    public static let defaultSourcePort: UInt16 = 40000

    /// Parses the notation `description` prints; `Packet(parsing: packet.description) == packet`
    /// for every packet whose connection mark is 0 and whose fields unused by its protocol are 0.
    public init(parsing text: String) throws(SyntaxError) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        guard words.count >= 4, words[2] == "->" else {
            throw SyntaxError("expected 'PROTOCOL SOURCE -> DESTINATION', as in 'tcp 192.0.2.7:40000 -> 198.51.100.10:5061'")
        }
        let protocolNumber = try Packet.protocolNumber(words[0])
        let (source, sourcePort) = try Packet.endpoint(words[1], role: "source")
        let (destination, destinationPort) = try Packet.endpoint(words[3], role: "destination")
        guard source.family == destination.family else {
            throw SyntaxError("source \(words[1]) and destination \(words[3]) are of different address families")
        }
        let family = source.family
        if protocolNumber == IPProtocol.icmp && family == .ipv6 { throw SyntaxError("icmp with IPv6 addresses: write icmpv6") }
        if protocolNumber == IPProtocol.icmpv6 && family == .ipv4 { throw SyntaxError("icmpv6 with IPv4 addresses: write icmp") }
        self.init(family: family, layer4Protocol: protocolNumber, source: source.value, destination: destination.value)
        if hasPorts {
            guard let destinationPort else { throw SyntaxError("\(protocolName) needs a destination port, as in \(Packet.example(words[3], family))") }
            self.sourcePort = sourcePort ?? Packet.defaultSourcePort
            self.destinationPort = destinationPort
        } else if sourcePort != nil || destinationPort != nil {
            throw SyntaxError("\(words[0]) has no ports")
        }

        var seen: Set<String> = []
        var flags: UInt8?
        var icmpType: UInt16?, icmpCode: UInt16?
        var index = 4
        /// The value word after a clause keyword.
        func value(of keyword: String) throws(SyntaxError) -> String {
            guard index + 1 < words.count else { throw SyntaxError("'\(keyword)' needs a value") }
            index += 2
            return words[index - 1]
        }
        while index < words.count {
            let keyword = words[index].lowercased()
            guard ["type", "code", "in", "out", "state", "flags", "mark"].contains(keyword) else {
                throw SyntaxError("unexpected '\(words[index])' (expected type, code, in, out, state, flags or mark)")
            }
            guard seen.insert(keyword).inserted else { throw SyntaxError("'\(keyword)' given twice") }
            let word = try value(of: keyword)
            switch keyword {
            case "type", "code":
                guard isICMP else { throw SyntaxError("'\(keyword)' is for icmp and icmpv6 packets, not \(protocolName)") }
                guard let number = UInt8(word) else { throw SyntaxError("ICMP \(keyword) '\(word)' is not a number from 0 to 255") }
                if keyword == "type" { icmpType = UInt16(number) } else { icmpCode = UInt16(number) }
            case "in": inInterface = try Packet.interfaceName(word)
            case "out": outInterface = try Packet.interfaceName(word)
            case "state":
                var states: ConnectionStates = []
                for name in word.split(separator: ",", omittingEmptySubsequences: false) {
                    guard let state = ConnectionStates(name: String(name)) else {
                        throw SyntaxError("unknown state '\(name)' (expected new, established, related, invalid or untracked)")
                    }
                    states.insert(state)
                }
                state = states
            case "flags":
                guard layer4Protocol == IPProtocol.tcp else { throw SyntaxError("'flags' is for tcp packets, not \(protocolName)") }
                flags = try Packet.flags(word)
            default:
                mark = try Packet.mark(word)
            }
        }
        if isICMP {
            let echoRequest: UInt16 = family == .ipv4 ? 8 : 128
            self.icmpType = (icmpType ?? echoRequest) << 8 | (icmpCode ?? 0)
        }
        if layer4Protocol == IPProtocol.tcp { tcpFlags = flags ?? (state == .new ? 0x02 : 0x10) }
    }

    /// A protocol by `/etc/protocols` name (any case) or by number.
    static func protocolNumber(_ word: String) throws(SyntaxError) -> UInt8 {
        if let number = IPProtocol.number(named: word.lowercased()) { return number }
        if let number = UInt8(word) { return number }
        throw SyntaxError("unknown protocol '\(word)' (a name from /etc/protocols such as tcp, udp, icmp, icmpv6, esp, or a number from 0 to 255)")
    }

    /// `192.0.2.1`, `192.0.2.1:40000`, `2001:db8::1` or `[2001:db8::1]:40000`.
    static func endpoint(_ text: String, role: String) throws(SyntaxError) -> (IPAddress, UInt16?) {
        func port(_ digits: Substring) throws(SyntaxError) -> UInt16 {
            guard let port = UInt16(digits) else { throw SyntaxError("\(role) port '\(digits)' is not a number from 0 to 65535") }
            return port
        }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"),
                  let address = IPAddress(String(text[text.index(after: text.startIndex)..<close])), address.family == .ipv6 else {
                throw SyntaxError("cannot read \(role) '\(text)' (expected an IPv6 address in brackets, as in [2001:db8::1]:40000)")
            }
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return (address, nil) }
            guard rest.hasPrefix(":") else { throw SyntaxError("cannot read \(role) '\(text)' (expected ':PORT' after ']')") }
            return (address, try port(rest.dropFirst()))
        }
        if let address = IPAddress(text) { return (address, nil) }
        if let colon = text.lastIndex(of: ":"), let address = IPAddress(String(text[..<colon])), address.family == .ipv4 {
            return (address, try port(text[text.index(after: colon)...]))
        }
        throw SyntaxError("cannot read \(role) '\(text)' (expected ADDRESS or ADDRESS:PORT, with IPv6 addresses in brackets before a port)")
    }

    /// An interface name as Linux allows it: 1 to 15 bytes, no `/`, no whitespace.
    static func interfaceName(_ word: String) throws(SyntaxError) -> String {
        guard !word.isEmpty, word.utf8.count <= 15, !word.contains("/") else {
            throw SyntaxError("'\(word)' is not an interface name (1 to 15 characters, no '/')")
        }
        return word
    }

    /// TCP flags as `flagNames` prints them: `syn`, `syn,ack`, `none`.
    static func flags(_ word: String) throws(SyntaxError) -> UInt8 {
        if word.lowercased() == "none" { return 0 }
        var flags: UInt8 = 0
        for name in word.lowercased().split(separator: ",", omittingEmptySubsequences: false) {
            guard let bit = flagBits.first(where: { $0.0 == name })?.1 else {
                throw SyntaxError("unknown TCP flag '\(name)' (expected fin, syn, rst, psh, ack, urg, ece, cwr or none)")
            }
            flags |= bit
        }
        return flags
    }

    /// A packet mark, hexadecimal with `0x` or decimal.
    static func mark(_ word: String) throws(SyntaxError) -> UInt32 {
        let value = word.lowercased().hasPrefix("0x") ? UInt32(word.dropFirst(2), radix: 16) : UInt32(word)
        guard let value else { throw SyntaxError("mark '\(word)' is not a 32-bit number") }
        return value
    }

    /// The destination with an example port, for the message about a missing one.
    static func example(_ destination: String, _ family: AddressFamily) -> String {
        family == .ipv6 ? "[\(destination)]:443" : "\(destination):443"
    }
}
