/// A register of the nf_tables virtual machine, numbered as the kernel reports it.
///
/// The kernel reports 16-byte registers as 1…4 (`NFT_REG_1`…) and 4-byte registers as 8…23
/// (`NFT_REG32_00`…); 0 is the verdict register. Concatenations fill consecutive 4-byte words, so
/// the delinearizer works with `word`, the register's offset in 4-byte units.
public struct Register: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var number: UInt32

    public init(_ number: UInt32) { self.number = number }

    public static let verdict = Register(0)

    /// The register's first 4-byte word: verdict 0…3, `NFT_REG_1` = 4, `NFT_REG32_00` = 4.
    public var word: Int {
        if number <= 4 { return Int(number) * 4 }
        return Int(number) - 8 + 4
    }

    /// The register that starts `words` 4-byte words after this one, in the kernel's numbering.
    public func advanced(byWords words: Int) -> Register {
        let target = word + words
        return target % 4 == 0 ? Register(UInt32(target / 4)) : Register(UInt32(target - 4 + 8))
    }

    public var description: String { "reg \(number)" }
    public static func < (lhs: Register, rhs: Register) -> Bool { lhs.word < rhs.word }
}
