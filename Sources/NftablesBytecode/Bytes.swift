/// Raw bytes of a register value, set key or element, exactly as the kernel holds them.
///
/// Packet fields are in network byte order; meta and ct values (mark, state, interface index)
/// are in host byte order. The bytecode IR never interprets them: the delinearizer does.
public struct Bytes: Sendable, Hashable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var count: Int { bytes.count }

    /// The value printed as the kernel's 32-bit register words in host order (`0x00001600` for
    /// port 22 in network order), the notation of `nft --debug=netlink`.
    public var description: String {
        guard !bytes.isEmpty else { return "" }
        var words: [String] = []
        var index = 0
        while index < bytes.count {
            var word: UInt32 = 0
            for offset in 0..<4 where index + offset < bytes.count {
                word |= UInt32(bytes[index + offset]) << (8 * offset)
            }
            words.append("0x" + hex(word))
            index += 4
        }
        return words.joined(separator: " ")
    }

    /// Parses the notation of `description`; the byte count must be given because words are padded.
    public init?(words text: String, count: Int) {
        var result: [UInt8] = []
        for token in text.split(separator: " ") {
            guard token.hasPrefix("0x"), let word = UInt32(token.dropFirst(2), radix: 16) else { return nil }
            for offset in 0..<4 { result.append(UInt8(truncatingIfNeeded: word >> (8 * offset))) }
        }
        guard result.count >= count, result.count - count < 4 else { return nil }
        self.bytes = Array(result.prefix(count))
    }

    /// The bytes read as an unsigned integer in network (big-endian) order.
    public var bigEndianValue: UInt64 { bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) } }

    /// The bytes read as an unsigned integer in host (little-endian) order.
    public var hostValue: UInt64 { bytes.prefix(8).reversed().reduce(0) { $0 << 8 | UInt64($1) } }
}

func hex(_ word: UInt32) -> String {
    let digits = String(word, radix: 16)
    return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
