import CMnl
import CNftnl

/// Checks on reply messages that libnftnl's parsers assume instead of checking.
///
/// The kernel never sends such messages, but a netlink recording (`--netlink-recording`) is a file
/// anyone can edit, and libnftnl 1.2.4 crashes on it: `nftnl_expr_parse` calls `strcmp` on
/// `mnl_attr_get_str(tb[NFTA_EXPR_NAME])` without checking that the attribute was there, a NULL+4
/// read (found by `Fuzz/` target `fuzz-netlink`). A message that fails a check is reported as
/// undecodable instead of being handed to libnftnl.
enum AttributeCheck {
    /// One netlink attribute: its type (flags masked off) and the byte range of its payload.
    struct Attribute {
        var type: UInt16
        var payload: Range<Int>
    }

    /// The attributes in `range` of `bytes`, walked the way libmnl's `mnl_attr_for_each` walks them:
    /// each header must fit, its length must cover the header and stay in range; the walk stops at
    /// the first one that does not.
    static func attributes(in bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> [Attribute] {
        var found: [Attribute] = []
        var offset = range.lowerBound
        while offset + 4 <= range.upperBound {
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            guard length >= 4, length <= range.upperBound - offset else { break }
            let type = bytes.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self) & 0x3fff  // NLA_TYPE_MASK: without NLA_F_NESTED, NLA_F_NET_BYTEORDER
            found.append(Attribute(type: type, payload: offset + 4 ..< offset + length))
            offset += (length + 3) & ~3
        }
        return found
    }

    /// Whether every expression of a rule message has a non-empty, NUL-terminated name
    /// (`NFTA_RULE_EXPRESSIONS` → `NFTA_LIST_ELEM` → `NFTA_EXPR_NAME`), as libnftnl assumes.
    static func expressionsAreNamed(_ message: UnsafeMutablePointer<nlmsghdr>) -> Bool {
        let bytes = UnsafeRawBufferPointer(start: message, count: Int(message.pointee.nlmsg_len))
        let headers = MemoryLayout<nlmsghdr>.size + MemoryLayout<nfgenmsg>.size
        guard bytes.count >= headers else { return false }
        for list in attributes(in: bytes, headers ..< bytes.count) where list.type == UInt16(NFTA_RULE_EXPRESSIONS.rawValue) {
            for element in attributes(in: bytes, list.payload) {
                // libnftnl stops at the first element that is not NFTA_LIST_ELEM and fails the rule.
                guard element.type == UInt16(NFTA_LIST_ELEM.rawValue) else { break }
                // Like libnftnl, the last NFTA_EXPR_NAME counts.
                guard let name = attributes(in: bytes, element.payload).last(where: { $0.type == UInt16(NFTA_EXPR_NAME.rawValue) }),
                      !name.payload.isEmpty, bytes[name.payload].contains(0) else { return false }
            }
        }
        return true
    }
}
