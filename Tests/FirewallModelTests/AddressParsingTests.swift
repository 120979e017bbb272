import FirewallModel
import Testing

/// What address text `IPAddress(_:)` accepts, read from UTF-8 bytes; the reading by Characters
/// it replaced is kept below as `CharacterAddressReading`, and both must agree on every text.
@Suite struct AddressParsing {
    static func ipv4(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32) -> IPAddress {
        IPAddress(family: .ipv4, value: UInt128(a << 24 | b << 16 | c << 8 | d))
    }

    @Test func dottedIPv4HasFourDecimalPartsOfAtMost255() {
        #expect(IPAddress("192.0.2.1") == Self.ipv4(192, 0, 2, 1))
        #expect(IPAddress("0.0.0.0") == Self.ipv4(0, 0, 0, 0))
        #expect(IPAddress("255.255.255.255") == Self.ipv4(255, 255, 255, 255))
        // Leading zeros are decimal, not octal, up to three digits a part.
        #expect(IPAddress("010.001.000.009") == Self.ipv4(10, 1, 0, 9))
    }

    @Test(arguments: [
        "", ".", "1.2.3", "1.2.3.4.5", "1.2.3.4.", ".1.2.3", "1..2.3", "256.1.1.1", "1.2.3.256", "1.2.3.0256",
        "1.2.3.1000", "a.b.c.d", "1.2.3.4a", "x1.2.3.4", " 1.2.3.4", "1.2.3.4 ", "1.2.3.-1", "1.2.3.+", "1.2.3.-",
        "0x1.2.3.4", "1.2.3.4/24", "1.2.3.4%eth0", "1,2,3,4", "1.2.3.4\n", "1.2.3.4\r\n",
    ])
    func malformedIPv4IsRefused(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    /// A part is read as `UInt32(_:)` reads it, sign included, within three characters.
    @Test func signedPartsAreReadAsUInt32ReadsThem() {
        #expect(IPAddress("+1.2.3.4") == Self.ipv4(1, 2, 3, 4))
        #expect(IPAddress("1.2.3.-0") == Self.ipv4(1, 2, 3, 0))
        #expect(IPAddress("1.2.3.+99") == Self.ipv4(1, 2, 3, 99))
        #expect(IPAddress("1.2.3.+255") == nil)
    }

    @Test func ipv6GroupsAndTheirShortening() throws {
        #expect(IPAddress("::") == IPAddress(family: .ipv6, value: 0))
        #expect(IPAddress("::1") == IPAddress(family: .ipv6, value: 1))
        #expect(IPAddress("1::") == IPAddress(family: .ipv6, value: UInt128(1) << 112))
        #expect(IPAddress("2001:DB8::1") == IPAddress("2001:db8:0:0:0:0:0:1"))
        #expect(IPAddress("1:2:3:4:5:6:7:8")?.value == 0x0001_0002_0003_0004_0005_0006_0007_0008)
        #expect(IPAddress("1:2:3::5:6:7:8")?.value == 0x0001_0002_0003_0000_0005_0006_0007_0008)
        #expect(IPAddress("::ffff:192.0.2.1")?.value == 0xffff_c000_0201)
        #expect(IPAddress("1:2:3:4:5:6:192.0.2.1")?.value == 0x0001_0002_0003_0004_0005_0006_c000_0201)
        // Dotted IPv4 may end either side of `::`, as it always could.
        #expect(IPAddress("1.2.3.4::")?.value == 0x0102_0304 << 96)
        // A zone names the link; the address is the part before it.
        #expect(IPAddress("fe80::1%eth0") == IPAddress("fe80::1"))
        #expect(IPAddress("fe80::1%") == IPAddress("fe80::1"))
        #expect(IPAddress("fe80::1%ethé") == IPAddress("fe80::1"))
        #expect(try #require(IPAddress("::1")).family == .ipv6)
    }

    @Test(arguments: [
        ":", ":::", "::::", "1::2::3", "::1::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8", "::1:2:3:4:5:6:7:8",
        "12345::", "g::", "1:2:3:4:5:6:7:", ":1:2:3:4:5:6:7", "::1.2.3", "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4",
        "::-1", "::1 ", " ::1", "::1/64", "%eth0", "1.2.3.4%:", "::é", "é::1",
    ])
    func malformedIPv6IsRefused(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    /// A `%` joined to a combining mark is one Character, not the start of a zone.
    @Test func aZoneStartsAtAPercentCharacter() {
        #expect(IPAddress("fe80::1%\u{301}eth0") == nil)
        #expect(IPAddress("fe80::1%eth\u{301}0") == IPAddress("fe80::1"))
        #expect(IPAddress("1.2.3.4%:\u{301}") == nil)
    }

    /// Every text over an alphabet of the separators, signs, digits and a few others reads the
    /// same as by Characters.
    @Test func bytesAndCharactersAgree() {
        let alphabet: [String] = ["0", "1", "2", "5", "9", "a", "F", "g", ".", ".", ":", ":", "%", "+", "-", " ", "/", "é", "\u{301}"]
        var generator = SplitMix(seed: 0x5eed)
        var texts = ["1.2.3.4", "::", "::ffff:1.2.3.4", "255.255.255.255", "ffff::ffff"]
        for _ in 0..<60_000 {
            let length = Int(generator.next() % 18)
            texts.append((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }.joined())
        }
        // Mutations of valid addresses reach the deeper checks.
        for base in ["192.168.100.200", "2001:db8::1", "1:2:3:4:5:6:7:8", "::ffff:10.0.0.1", "fe80::1%eth0"] {
            let characters = Array(base)
            for index in characters.indices {
                for replacement in alphabet {
                    var changed = characters
                    changed[index] = Character(replacement)
                    texts.append(String(changed))
                    texts.append(String(characters[..<index]) + replacement + String(characters[index...]))
                }
                texts.append(String(characters[..<index]) + String(characters[(index + 1)...]))
            }
        }
        var disagreements: [String] = []
        for text in texts where IPAddress(text) != CharacterAddressReading.address(text) { disagreements.append(text) }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    @Test func prefixAddressesAgreeWithPrefixText() throws {
        for (text, family) in [("192.0.2.77", AddressFamily.ipv4), ("2001:db8::1", .ipv6), ("0.0.0.0", .ipv4), ("::", .ipv6)] {
            let address = try #require(IPAddress(text))
            #expect(address.family == family)
            for length in [-1, 0, 1, 7, 24, 31, 32, 33, 64, 127, 128, 129] {
                #expect(AddressPrefix.range(of: address, length: length).map { AddressSet($0) } == AddressPrefix("\(text)/\(length)")?.addresses)
            }
        }
        #expect(AddressPrefix.range(of: Self.ipv4(192, 0, 2, 77), length: 24) == UInt128(0xc000_0200)...UInt128(0xc000_02ff))
    }
}

/// A small deterministic generator, so a failing text can be found again.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// The reading by Characters and substrings that `IPAddress(_:)` used before it read bytes:
/// the reference for what the byte reading must accept.
enum CharacterAddressReading {
    static func address(_ text: String) -> IPAddress? {
        if text.contains(":") {
            return ipv6(text).map { IPAddress(family: .ipv6, value: $0) }
        }
        return ipv4(text).map { IPAddress(family: .ipv4, value: UInt128($0)) }
    }

    static func ipv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let octet = UInt32(part), octet <= 255 else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    static func ipv6(_ text: String) -> UInt128? {
        var text = Substring(text)
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }
        var halves: [String]
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
                    guard let v4 = ipv4(String(piece)) else { return nil }
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
        let all: [UInt16]
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
