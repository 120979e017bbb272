import FirewallModel

/// A value that does not parse; the rule parser adds the location of its word.
struct ValueError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Parsers for the values iptables options take: addresses, ports, marks, flags, ICMP types.
enum Values {
    // MARK: Numbers

    /// An unsigned number the way `strtoul(…, 0)` reads it: `0x1f` hex, `017` octal, else decimal.
    static func number(_ text: some StringProtocol, max: UInt64) -> UInt64? {
        var digits = Substring(text)
        var radix = 10
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            digits = digits.dropFirst(2)
            radix = 16
        } else if digits.count > 1, digits.hasPrefix("0") {
            digits = digits.dropFirst()
            radix = 8
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = UInt64(digits, radix: radix), value <= max else { return nil }
        return value
    }

    /// A mark and optional mask, `VALUE[/MASK]`; the mask defaults to all ones.
    static func markAndMask(_ text: String) throws(ValueError) -> (value: UInt32, mask: UInt32, hasMask: Bool) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let value = number(parts[0], max: UInt64(UInt32.max)) else { throw ValueError("malformed mark '\(text)'") }
        if parts.count == 1 { return (UInt32(value), .max, false) }
        guard let mask = number(parts[1], max: UInt64(UInt32.max)) else { throw ValueError("malformed mark mask '\(text)'") }
        return (UInt32(value), UInt32(mask), true)
    }

    static func mark(_ text: String) throws(ValueError) -> UInt32 {
        guard let value = number(text, max: UInt64(UInt32.max)) else { throw ValueError("malformed mark '\(text)'") }
        return UInt32(value)
    }

    // MARK: Protocols

    /// A `-p` value: a name (case-insensitive) or a number 0...255.
    static func protocolNumber(_ text: String) throws(ValueError) -> UInt8 {
        if let number = UInt8(text) { return number }
        let name = text.lowercased()
        // `all` is iptables' own word for "any protocol"; the rest are /etc/protocols names.
        if name == "all" { return 0 }
        if let number = IPProtocol.number(named: name) { return number }
        throw ValueError("unknown protocol '\(text)'")
    }

    // MARK: Addresses

    /// `-s`/`-d` values: `ADDR`, `ADDR/LEN`, `ADDR/DOTTED-MASK`; a comma list is the union.
    static func addresses(_ text: String, family: AddressFamily) throws(ValueError) -> AddressSet {
        var set = AddressSet()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let prefix = AddressPrefix(String(item)) else { throw ValueError("malformed address '\(item)'") }
            guard prefix.family == family else { throw familyMismatch(String(item), family: family) }
            set = set.union(prefix.addresses)
        }
        return set
    }

    /// One address, family-checked.
    static func address(_ text: String, family: AddressFamily) throws(ValueError) -> IPAddress {
        guard let address = IPAddress(text) else { throw ValueError("malformed address '\(text)'") }
        guard address.family == family else { throw familyMismatch(text, family: family) }
        return address
    }

    /// `iprange` values: `FROM-TO` (or a single address).
    static func addressRange(_ text: String, family: AddressFamily) throws(ValueError) -> AddressSet {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        let low = try address(String(parts[0]), family: family)
        let high = parts.count == 2 ? try address(String(parts[1]), family: family) : low
        guard low.value <= high.value else { throw ValueError("empty address range '\(text)'") }
        return AddressSet(low.value...high.value)
    }

    static func familyMismatch(_ text: String, family: AddressFamily) -> ValueError {
        let other: AddressFamily = family == .ipv4 ? .ipv6 : .ipv4
        return ValueError("\(other.rawValue) address '\(text)' in an \(family.rawValue) ruleset")
    }

    // MARK: Ports

    /// One port: a number or a service name.
    static func port(_ text: some StringProtocol) throws(ValueError) -> UInt16 {
        guard !text.isEmpty else { throw ValueError("empty port") }
        if text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let number = UInt16(text) else { throw ValueError("port '\(text)' out of range") }
            return number
        }
        if let number = NameTables.services[text.lowercased()] { return number }
        throw ValueError("unknown service '\(text)'")
    }

    /// `PORT`, `FROM:TO`, `:TO` (from 0) or `FROM:` (to 65535).
    static func portRange(_ text: some StringProtocol, separator: Character = ":") throws(ValueError) -> ClosedRange<UInt16> {
        guard let index = text.firstIndex(of: separator) else {
            let single = try port(text)
            return single...single
        }
        let lowText = text[..<index], highText = text[text.index(after: index)...]
        let low = lowText.isEmpty ? 0 : try port(lowText)
        let high = highText.isEmpty ? UInt16.max : try port(highText)
        guard low <= high else { throw ValueError("empty port range '\(text)'") }
        return low...high
    }

    /// A multiport list: `22,80,1000:2000`.
    static func portList(_ text: String) throws(ValueError) -> PortSet {
        var ranges: [ClosedRange<UInt16>] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw ValueError("malformed port list '\(text)'") }
            ranges.append(try portRange(item))
        }
        return PortSet(ranges: ranges)
    }

    // MARK: TCP flags

    /// A comma-separated list of flag names.
    static func tcpFlags(_ text: String) throws(ValueError) -> UInt8 {
        var flags: UInt8 = 0
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let flag = NameTables.tcpFlags[name.uppercased()] else { throw ValueError("unknown tcp flag '\(name)'") }
            flags |= flag
        }
        return flags
    }

    // MARK: ICMP

    /// `--icmp-type`/`--icmpv6-type`: a name, `TYPE` (every code) or `TYPE/CODE`, as `type << 8 | code`.
    static func icmpType(_ text: String, ipv6: Bool) throws(ValueError) -> IntervalSet<UInt16> {
        let names = ipv6 ? NameTables.icmpv6Names : NameTables.icmpNames
        let lowered = text.lowercased()
        // `any` is the ICMP match's; ip6tables refuses it.
        if lowered == "any" && !ipv6 { return .full }
        if let entry = names[lowered] {
            let type = UInt16(entry.type) << 8
            return IntervalSet((type | UInt16(entry.codes.lowerBound))...(type | UInt16(entry.codes.upperBound)))
        }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let type = UInt8(parts[0]) else { throw ValueError("unknown \(ipv6 ? "icmpv6" : "icmp") type '\(text)'") }
        // Type 255 is how the kernel match stores `any`.
        if type == 0xff && !ipv6 { return .full }
        if parts.count == 1 { return IntervalSet((UInt16(type) << 8)...(UInt16(type) << 8 | 0xff)) }
        guard let code = UInt8(parts[1]) else { throw ValueError("malformed icmp code in '\(text)'") }
        return IntervalSet(value: UInt16(type) << 8 | UInt16(code))
    }

    // MARK: Connection states and address types

    /// `--ctstate`/`--state` lists: the states, and the `TranslationStatus` bits of the virtual
    /// states `DNAT` and `SNAT` (the connection was translated), which `--ctstate` also takes.
    static func connectionStates(_ text: String) throws(ValueError) -> (states: ConnectionStates, translated: UInt8) {
        var states: ConnectionStates = []
        var translated: UInt8 = 0
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            switch name.uppercased() {
            case "DNAT": translated |= TranslationStatus.destination
            case "SNAT": translated |= TranslationStatus.source
            default:
                guard let state = ConnectionStates(name: String(name)) else { throw ValueError("unknown connection state '\(name)'") }
                states.insert(state)
            }
        }
        return (states, translated)
    }

    /// `--src-type`/`--dst-type` lists.
    static func addressTypes(_ text: String) throws(ValueError) -> Set<AddressType> {
        var types: Set<AddressType> = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let type = AddressType(rawValue: name.lowercased()) else { throw ValueError("unknown address type '\(name)'") }
            types.insert(type)
        }
        return types
    }

    // MARK: NAT

    /// `--to-destination`/`--to-source`: `[ADDR[-ADDR]][:PORT[-PORT]]`, IPv6 addresses in brackets
    /// when ports follow. A `/BASE` after the ports (shifted mapping) keeps the range.
    static func natTarget(_ text: String, family: AddressFamily) throws(ValueError) -> (addresses: AddressSet?, ports: PortSet?) {
        var addressText = Substring(text)
        var portText: Substring?
        if family == .ipv6 {
            if text.hasPrefix("[") {
                // [A] or [A]-[B], then optional :PORTS
                guard let close = text.lastIndex(of: "]") else { throw ValueError("malformed nat address '\(text)'") }
                addressText = text[...close]
                let rest = text[text.index(after: close)...]
                if !rest.isEmpty {
                    guard rest.hasPrefix(":") else { throw ValueError("malformed nat address '\(text)'") }
                    portText = rest.dropFirst()
                }
                addressText = Substring(addressText.filter { $0 != "[" && $0 != "]" })
            }
        } else if let colon = text.firstIndex(of: ":") {
            addressText = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        var addresses: AddressSet?
        if !addressText.isEmpty {
            addresses = try addressRange(String(addressText), family: family)
        }
        var ports: PortSet?
        if var portText {
            if let slash = portText.firstIndex(of: "/") { portText = portText[..<slash] }
            ports = PortSet(try portRange(portText, separator: "-"))
        }
        if addresses == nil && ports == nil { throw ValueError("empty nat address '\(text)'") }
        return (addresses, ports)
    }
}
