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
        return expressionsAreSound(bytes, attributes(in: bytes, headers ..< bytes.count),
                                   single: nil, list: UInt16(NFTA_RULE_EXPRESSIONS.rawValue))
    }

    /// Whether one expression nest (`NFTA_EXPR_NAME`, `NFTA_EXPR_DATA`) has a non-empty,
    /// NUL-terminated name, as `nftnl_expr_parse` assumes, and its verdicts name their chains.
    static func expressionIsSound(_ bytes: UnsafeRawBufferPointer, _ nest: Range<Int>) -> Bool {
        let fields = attributes(in: bytes, nest)
        guard let name = fields.last(where: { $0.type == UInt16(NFTA_EXPR_NAME.rawValue) }),
              !name.payload.isEmpty, bytes[name.payload].contains(0) else { return false }
        let nameText = String(decoding: bytes[name.payload].prefix { $0 != 0 }, as: UTF8.self)
        guard let dataTypes = dataAttributes[nameText],
              let data = fields.last(where: { $0.type == UInt16(NFTA_EXPR_DATA.rawValue) }) else { return true }
        return attributes(in: bytes, data.payload).allSatisfy { !dataTypes.contains($0.type) || verdictsHaveChains(bytes, $0.payload) }
    }

    /// Whether the expressions in `fields` are sound: `single` holds one expression nest,
    /// `list` a list of NFTA_LIST_ELEM expression nests (libnftnl stops at the first other type).
    static func expressionsAreSound(_ bytes: UnsafeRawBufferPointer, _ fields: [Attribute], single: UInt16?, list: UInt16) -> Bool {
        for field in fields {
            if field.type == single, !expressionIsSound(bytes, field.payload) { return false }
            guard field.type == list else { continue }
            for element in attributes(in: bytes, field.payload) {
                guard element.type == UInt16(NFTA_LIST_ELEM.rawValue) else { break }
                guard expressionIsSound(bytes, element.payload) else { return false }
            }
        }
        return true
    }

    /// Whether a set message's expressions (NFTA_SET_EXPR, NFTA_SET_EXPRESSIONS) are sound; an
    /// unnamed one crashed libnftnl in `nftnl_set_nlmsg_parse` the same way as in a rule.
    static func setExpressionsAreNamed(_ message: UnsafeMutablePointer<nlmsghdr>) -> Bool {
        let bytes = UnsafeRawBufferPointer(start: message, count: Int(message.pointee.nlmsg_len))
        let headers = MemoryLayout<nlmsghdr>.size + MemoryLayout<nfgenmsg>.size
        guard bytes.count >= headers else { return false }
        return expressionsAreSound(bytes, attributes(in: bytes, headers ..< bytes.count),
                                   single: UInt16(NFTA_SET_EXPR.rawValue), list: UInt16(NFTA_SET_EXPRESSIONS.rawValue))
    }

    /// The attributes of each expression that hold `nft_data` (values or verdicts), by expression name.
    static let dataAttributes: [String: [UInt16]] = [
        "immediate": [UInt16(NFTA_IMMEDIATE_DATA.rawValue)],
        "cmp": [UInt16(NFTA_CMP_DATA.rawValue)],
        "range": [UInt16(NFTA_RANGE_FROM_DATA.rawValue), UInt16(NFTA_RANGE_TO_DATA.rawValue)],
        "bitwise": [UInt16(NFTA_BITWISE_MASK.rawValue), UInt16(NFTA_BITWISE_XOR.rawValue), UInt16(NFTA_BITWISE_DATA.rawValue)],
    ]

    /// Whether a jump or goto in an `nft_data` nest names its chain. libnftnl 1.2.4's
    /// `nftnl_parse_verdict` strdup()s the NFTA_VERDICT_CHAIN string without checking that the
    /// attribute is there (found by `fuzz-netlink`: strdup of NULL+4).
    static func verdictsHaveChains(_ bytes: UnsafeRawBufferPointer, _ nest: Range<Int>) -> Bool {
        for verdict in attributes(in: bytes, nest) where verdict.type == UInt16(NFTA_DATA_VERDICT.rawValue) {
            let fields = attributes(in: bytes, verdict.payload)
            guard let code = fields.last(where: { $0.type == UInt16(NFTA_VERDICT_CODE.rawValue) }), code.payload.count >= 4 else { continue }
            let value = Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: code.payload.lowerBound, as: Int32.self))
            guard value == NFT_JUMP.rawValue || value == NFT_GOTO.rawValue else { continue }
            guard let chain = fields.last(where: { $0.type == UInt16(NFTA_VERDICT_CHAIN.rawValue) }),
                  !chain.payload.isEmpty, bytes[chain.payload].contains(0) else { return false }
        }
        return true
    }

    /// Whether every element of a set-element message carries only attribute types up to
    /// NFTA_SET_ELEM_EXPRESSIONS. libnftnl 1.2.4's `nftnl_set_elem_parse_attr_cb` bounds the type
    /// by NFTA_SET_MAX but stores it in a table sized for NFTA_SET_ELEM_MAX, so a larger type
    /// writes past that stack array (found by `fuzz-netlink`, SEGV in nftnl_set_elems_iter_next).
    static func elementAttributesAreKnown(_ message: UnsafeMutablePointer<nlmsghdr>) -> Bool {
        let bytes = UnsafeRawBufferPointer(start: message, count: Int(message.pointee.nlmsg_len))
        let headers = MemoryLayout<nlmsghdr>.size + MemoryLayout<nfgenmsg>.size
        guard bytes.count >= headers else { return false }
        for list in attributes(in: bytes, headers ..< bytes.count) where list.type == UInt16(NFTA_SET_ELEM_LIST_ELEMENTS.rawValue) {
            for element in attributes(in: bytes, list.payload) {
                guard element.type == UInt16(NFTA_LIST_ELEM.rawValue) else { break }
                let fields = attributes(in: bytes, element.payload)
                if fields.contains(where: { $0.type > UInt16(NFTA_SET_ELEM_EXPRESSIONS.rawValue) }) { return false }
                let dataTypes = [NFTA_SET_ELEM_KEY, NFTA_SET_ELEM_KEY_END, NFTA_SET_ELEM_DATA].map { UInt16($0.rawValue) }
                for field in fields where dataTypes.contains(field.type) {
                    guard verdictsHaveChains(bytes, field.payload) else { return false }
                }
                guard expressionsAreSound(bytes, fields, single: UInt16(NFTA_SET_ELEM_EXPR.rawValue),
                                          list: UInt16(NFTA_SET_ELEM_EXPRESSIONS.rawValue)) else { return false }
            }
        }
        return true
    }
}
