/// The IP version a ruleset, zone or packet belongs to.
public enum AddressFamily: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    case ipv4, ipv6

    /// Every address of the family, as an interval of 128-bit integers.
    public var domain: ClosedRange<UInt128> {
        switch self {
        case .ipv4: 0...UInt128(UInt32.max)
        case .ipv6: 0...UInt128.max
        }
    }

    public var bitWidth: Int { self == .ipv4 ? 32 : 128 }
    public var description: String { self == .ipv4 ? "IPv4" : "IPv6" }

    public static func < (lhs: AddressFamily, rhs: AddressFamily) -> Bool { lhs == .ipv4 && rhs == .ipv6 }
}

/// One IP address of either family; IPv4 uses the low 32 bits of `value`.
public struct IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var family: AddressFamily
    public var value: UInt128

    public init(family: AddressFamily, value: UInt128) {
        self.family = family
        self.value = value
    }

    /// Parses dotted IPv4 (`192.0.2.1`) or IPv6 text (`2001:db8::1`, `::ffff:192.0.2.1`); an
    /// IPv6 zone (`fe80::1%eth0`) is ignored.
    public init?(_ text: String) {
        var text = text
        var isASCII = true
        let address = text.withUTF8 { bytes in
            isASCII = bytes.allSatisfy { $0 < 0x80 }
            return isASCII ? IPAddress.parseASCII(bytes) : nil
        }
        if let address {
            self = address
        } else {
            // Only an IPv6 zone may hold other characters; grapheme clusters decide where it starts.
            guard !isASCII, text.contains(":"), let value = IPAddress.parseIPv6(text) else { return nil }
            self.init(family: .ipv6, value: value)
        }
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        (lhs.family, lhs.value) < (rhs.family, rhs.value)
    }

    public var description: String { IPAddress.format(value, family: family) }

    public static func format(_ value: UInt128, family: AddressFamily) -> String {
        switch family {
        case .ipv4:
            let v = UInt32(truncatingIfNeeded: value)
            return "\(v >> 24).\((v >> 16) & 0xff).\((v >> 8) & 0xff).\(v & 0xff)"
        case .ipv6:
            var groups: [UInt16] = []
            for index in 0..<8 { groups.append(UInt16(truncatingIfNeeded: value >> (112 - 16 * index))) }
            // Longest run of two or more zero groups becomes "::" (RFC 5952).
            var bestStart = -1, bestLength = 1, runStart = -1
            for index in 0...8 {
                if index < 8 && groups[index] == 0 {
                    if runStart < 0 { runStart = index }
                } else if runStart >= 0 {
                    if index - runStart > bestLength { bestStart = runStart; bestLength = index - runStart }
                    runStart = -1
                }
            }
            func hex(_ range: Range<Int>) -> String {
                groups[range].map { String($0, radix: 16) }.joined(separator: ":")
            }
            if bestStart < 0 { return hex(0..<8) }
            return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
        }
    }

    /// ASCII address text: IPv6 when it holds a colon, read up to its zone, else dotted IPv4.
    private static func parseASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> IPAddress? {
        if bytes.contains(UInt8(ascii: ":")) {
            let end = bytes.firstIndex(of: UInt8(ascii: "%")) ?? bytes.count
            return AddressText.ipv6(bytes, 0..<end).map { IPAddress(family: .ipv6, value: $0) }
        }
        return AddressText.ipv4(bytes, 0..<bytes.count).map { IPAddress(family: .ipv4, value: UInt128($0)) }
    }

    /// Non-ASCII IPv6 text, up to a zone (`%…`). The zone is found by Character, so that a `%`
    /// joined to a combining mark starts none; the address before it must be ASCII.
    private static func parseIPv6(_ text: String) -> UInt128? {
        var address = Substring(text)
        if let percent = address.firstIndex(of: "%") { address = address[..<percent] }
        return address.withUTF8 { bytes in
            bytes.allSatisfy { $0 < 0x80 } ? AddressText.ipv6(bytes, 0..<bytes.count) : nil
        }
    }
}

/// Reads address text from its UTF-8 bytes, building no substrings, so that the million
/// elements of a blocklist parse quickly. Each part is read as `UInt32(_:radix:)` reads it.
enum AddressText {
    /// `a.b.c.d`: four parts of one to three bytes, each at most 255.
    static func ipv4(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        var start = range.lowerBound
        while true {
            var end = start
            while end < range.upperBound, bytes[end] != UInt8(ascii: ".") { end += 1 }
            guard let octet = number(bytes, start..<end, radix: 10, maximumLength: 3), octet <= 255 else { return nil }
            value = value << 8 | octet
            parts += 1
            if end == range.upperBound { return parts == 4 ? value : nil }
            guard parts < 4 else { return nil }
            start = end + 1
        }
    }

    /// Eight colon-separated groups of one to four hex digits, a run of them shortened to `::`
    /// once, the last two optionally written as dotted IPv4.
    static func ipv6(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt128? {
        var gap: Int?
        var index = range.lowerBound
        while index + 1 < range.upperBound {
            if bytes[index] == UInt8(ascii: ":"), bytes[index + 1] == UInt8(ascii: ":") {
                // `::` shortens one run only.
                if gap != nil { return nil }
                gap = index
                index += 2
            } else {
                index += 1
            }
        }
        guard let gap else {
            guard let all = groups(bytes, range), all.count == 8 else { return nil }
            return all.value
        }
        guard let head = groups(bytes, range.lowerBound..<gap), let tail = groups(bytes, (gap + 2)..<range.upperBound),
              head.count + tail.count <= 7 else { return nil }
        return head.value << (16 * (8 - head.count)) | tail.value
    }

    /// The groups of one side of `::` (none when the side is empty) as a number, and how many there
    /// are; nil when a group is malformed or there are more than eight.
    private static func groups(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> (value: UInt128, count: Int)? {
        if range.isEmpty { return (0, 0) }
        var value: UInt128 = 0
        var count = 0
        var start = range.lowerBound
        while true {
            var end = start
            while end < range.upperBound, bytes[end] != UInt8(ascii: ":") { end += 1 }
            let isLast = end == range.upperBound
            if isLast, bytes[start..<end].contains(UInt8(ascii: ".")) {
                guard let v4 = ipv4(bytes, start..<end) else { return nil }
                value = value << 32 | UInt128(v4)
                count += 2
            } else {
                guard let group = number(bytes, start..<end, radix: 16, maximumLength: 4) else { return nil }
                value = value << 16 | UInt128(group)
                count += 1
            }
            guard count <= 8 else { return nil }
            if isLast { return (value, count) }
            start = end + 1
        }
    }

    /// One to `maximumLength` bytes: an optional sign, then digits of `radix` (10 or 16). A minus
    /// is allowed before zero only, as for `UInt32("-0")`.
    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, radix: UInt32, maximumLength: Int) -> UInt32? {
        guard !range.isEmpty, range.count <= maximumLength else { return nil }
        var index = range.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative || bytes[index] == UInt8(ascii: "+") { index += 1 }
        guard index < range.upperBound else { return nil }
        var value: UInt32 = 0
        while index < range.upperBound {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: digit = UInt32(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: digit = UInt32(byte - UInt8(ascii: "A")) + 10
            default: return nil
            }
            value = value * radix + digit
            index += 1
        }
        return negative && value != 0 ? nil : value
    }
}

/// An address with a prefix length or mask: `192.0.2.0/24`, `10.0.0.0/255.0.0.0`, `2001:db8::/32`.
public struct AddressPrefix: Sendable, Hashable, CustomStringConvertible {
    public var family: AddressFamily
    /// The addresses covered, as a contiguous or (for non-contiguous masks) general set.
    public var addresses: AddressSet
    public var text: String

    /// Parses `ADDR`, `ADDR/LEN` or `ADDR/DOTTED-MASK`; a host address has a full-length prefix.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let width = address.family.bitWidth
        family = address.family
        self.text = text
        var mask: UInt128
        let fullMask: UInt128 = width == 32 ? UInt128(UInt32.max) : UInt128.max
        if parts.count == 1 {
            mask = fullMask
        } else if let length = Int(parts[1]), parts[1].allSatisfy(\.isNumber) {
            guard let lengthMask = AddressPrefix.mask(length: length, family: family) else { return nil }
            mask = lengthMask
        } else if let dotted = IPAddress(String(parts[1])), dotted.family == address.family {
            mask = dotted.value
        } else {
            return nil
        }
        let base = address.value & mask
        let hostBits = ~mask & fullMask
        if hostBits & (hostBits &+ 1) == 0 {
            addresses = AddressSet(base...(base | hostBits))
        } else {
            // A non-contiguous mask: enumerate is impossible in general; keep the exact set when small.
            addresses = AddressPrefix.nonContiguous(base: base, mask: mask, fullMask: fullMask)
        }
    }

    public var description: String { text }

    /// The addresses of `address/length`, nil when `length` is outside the family's width: the one
    /// range of `AddressPrefix("ADDR/LEN")?.addresses`, without writing the text and reading it back.
    public static func range(of address: IPAddress, length: Int) -> ClosedRange<UInt128>? {
        guard let mask = mask(length: length, family: address.family) else { return nil }
        let base = address.value & mask
        return base...(base | ~mask & address.family.domain.upperBound)
    }

    /// The mask of a prefix `length` bits long, nil outside `0...bitWidth`.
    private static func mask(length: Int, family: AddressFamily) -> UInt128? {
        let width = family.bitWidth
        guard length >= 0 && length <= width else { return nil }
        let fullMask: UInt128 = width == 32 ? UInt128(UInt32.max) : UInt128.max
        return length == 0 ? 0 : (fullMask << (width - length)) & fullMask
    }

    /// The exact set for a non-contiguous mask, built from its trailing contiguous block.
    private static func nonContiguous(base: UInt128, mask: UInt128, fullMask: UInt128) -> AddressSet {
        // Free bits above the lowest contiguous run of host bits are enumerated (bounded to 2^12 blocks).
        let hostBits = ~mask & fullMask
        let trailing = UInt128(1) << UInt128((~hostBits).trailingZeroBitCount) &- 1
        let upperFree = hostBits & ~trailing
        let freeCount = upperFree.nonzeroBitCount
        guard freeCount <= 12 else { return AddressSet(0...fullMask) }
        var blocks: [ClosedRange<UInt128>] = []
        let freeBits = (0..<128).filter { upperFree >> UInt128($0) & 1 == 1 }
        for combination in 0..<(1 << freeCount) {
            var value = base
            for (index, bit) in freeBits.enumerated() where combination >> index & 1 == 1 { value |= UInt128(1) << UInt128(bit) }
            blocks.append(value...(value | trailing))
        }
        return AddressSet(ranges: blocks)
    }
}

extension IntervalSet where Bound == UInt128 {
    /// Addresses written as the fewest prefixes, e.g. `192.0.2.0/24` or `10.0.0.1-10.0.0.5` for odd ranges.
    public func addressSyntax(family: AddressFamily) -> String {
        if isFull(in: family.domain) { return "any" }
        let missing = complement(in: family.domain)
        if missing.ranges.count < ranges.count {
            return "any except " + missing.addressSyntax(family: family)
        }
        return ranges.map { range in
            let prefixes = AddressSet.prefixes(covering: range, family: family)
            if prefixes.count <= 2 {
                return prefixes.joined(separator: ",")
            }
            return "\(IPAddress.format(range.lowerBound, family: family))-\(IPAddress.format(range.upperBound, family: family))"
        }.joined(separator: ",")
    }

    static func prefixes(covering range: ClosedRange<UInt128>, family: AddressFamily) -> [String] {
        var result: [String] = []
        var low = range.lowerBound
        let width = family.bitWidth
        while low <= range.upperBound {
            var size = low == 0 ? width : Swift.min(low.trailingZeroBitCount, width)
            while size > 0 {
                let span = size >= 128 ? UInt128.max : (UInt128(1) << UInt128(size)) - 1
                if span <= range.upperBound - low { break }
                size -= 1
            }
            let text = IPAddress.format(low, family: family)
            result.append(size == 0 ? text : "\(text)/\(width - size)")
            if result.count > 2 { return result }
            let span = size >= 128 ? UInt128.max : (UInt128(1) << UInt128(size)) - 1
            if low > UInt128.max - span - 1 || low + span >= range.upperBound { break }
            low = low + span + 1
        }
        return result
    }
}
