import FirewallModel
import NftablesBytecode

/// Reads fields of an xt extension's info structure at the offsets of the Linux UAPI headers:
/// host order (little-endian here) for plain integers, network order where the header says `__be`.
struct XtInfo {
    let bytes: [UInt8]

    init(_ info: Bytes) { bytes = info.bytes }

    func has(_ size: Int) -> Bool { bytes.count >= size }

    func u8(_ offset: Int) -> UInt8 { offset < bytes.count ? bytes[offset] : 0 }

    func u16(_ offset: Int) -> UInt16 { UInt16(u8(offset)) | UInt16(u8(offset + 1)) << 8 }

    func u32(_ offset: Int) -> UInt32 { UInt32(u16(offset)) | UInt32(u16(offset + 2)) << 16 }

    func be16(_ offset: Int) -> UInt16 { UInt16(u8(offset)) << 8 | UInt16(u8(offset + 1)) }

    /// A `union nf_inet_addr` as an address of `family`.
    func address(_ offset: Int, _ family: AddressFamily) -> UInt128 {
        (0..<(family == .ipv4 ? 4 : 16)).reduce(UInt128(0)) { $0 << 8 | UInt128(u8(offset + $1)) }
    }

    /// A NUL-terminated string in a fixed-size array.
    func string(_ offset: Int, size: Int) -> String {
        let slice = bytes.dropFirst(offset).prefix(size)
        return String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
    }
}

extension RuleDelinearizer {
    /// The address family of an iptables-nft table (`ip` or `ip6`); nil for other families.
    var xtFamily: AddressFamily? {
        switch tableFamily {
        case .ip: .ipv4
        case .ip6: .ipv6
        default: nil
        }
    }
}
