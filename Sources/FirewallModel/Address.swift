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

    /// Parses dotted IPv4 (`192.0.2.1`) or IPv6 text (`2001:db8::1`, `::ffff:192.0.2.1`).
    public init?(_ text: String) {
        if text.contains(":") {
            guard let value = IPAddress.parseIPv6(text) else { return nil }
            self.init(family: .ipv6, value: value)
        } else {
            guard let value = IPAddress.parseIPv4(text) else { return nil }
            self.init(family: .ipv4, value: UInt128(value))
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

    static func parseIPv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let octet = UInt32(part), octet <= 255 else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    static func parseIPv6(_ text: String) -> UInt128? {
        var text = Substring(text)
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }
        var halves: [String] = []
        if let range = text.firstRange(of: "::") {
            halves = [String(text[..<range.lowerBound]), String(text[range.upperBound...])]
            if halves[1].contains("::") { return nil }
        } else {
            halves = [String(text)]
        }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseIPv4(String(piece)) else { return nil }
                    result.append(UInt16(v4 >> 16))
                    result.append(UInt16(v4 & 0xffff))
                } else {
                    guard !piece.isEmpty, piece.count <= 4, let group = UInt16(piece, radix: 16) else { return nil }
                    result.append(group)
                }
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        var all: [UInt16]
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count <= 7 else { return nil }
            all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard head.count == 8 else { return nil }
            all = head
        }
        return all.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
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
            guard length >= 0 && length <= width else { return nil }
            mask = length == 0 ? 0 : (fullMask << (width - length)) & fullMask
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
