import FirewallModel

/// Renders a field's compared values the way nft prints them (`22`, `{ 80, 443 }`, `10.0.0.0/8`,
/// `"eth*"`, `established,related`), for rule texts in reports.
public enum ValueText {
    /// The values `values` of the first `length` bytes of `field`, given the condition they made (if any).
    public static func render(_ field: Field, length: Int, _ values: IntervalSet<UInt128>, condition: Condition?) -> String {
        switch (field, condition) {
        case (.address(_, let family), .address(_, let set)?):
            let text = set.addressSyntax(family: family)
            return text.contains(",") ? "{ \(text.split(separator: ",").joined(separator: ", ")) }" : text
        case (.connectionState, .connectionState(let states)?):
            return states.isEmpty ? "{ }" : states.description
        case (.layer4Protocol, _):
            return list(values) { protocolName($0) }
        case (.netfilterFamily, _):
            return list(values) { SymbolTables.netfilterFamilies[$0] ?? "\($0)" }
        case (.ethertype, _):
            return list(values) { SymbolTables.ethertypes[$0] ?? "0x" + String($0, radix: 16) }
        case (.interfaceName, _):
            return list(values) { raw in
                let bytes = bigEndianBytes(raw, count: length)
                if let nul = bytes.firstIndex(of: 0) { return "\"\(String(decoding: bytes[..<nul], as: UTF8.self))\"" }
                return "\"\(String(decoding: bytes, as: UTF8.self))\(length < 16 ? "*" : "")\""
            }
        case (.tcpFlags, _):
            let names = SymbolTables.tcpFlagNames
            return list(values) { raw in
                let set = names.indices.filter { raw >> UInt128($0) & 1 == 1 }.map { names[$0] }
                return set.isEmpty ? "0x0" : set.joined(separator: "|")
            }
        case (.icmpType(let family), _) where length == 2:
            // Type and code read at once: `icmp type destination-unreachable icmp code port-unreachable`.
            let proto = family == .ipv4 ? "icmp" : "icmpv6"
            let pairs = values.ranges.count == 1 && values.ranges[0].lowerBound == values.ranges[0].upperBound
            guard pairs, values.ranges[0].lowerBound <= 0xffff else { return list(values) { "\($0 >> 8) . \($0 & 0xff)" } }
            let value = values.ranges[0].lowerBound
            return "\(icmpName(value >> 8, family: family, code: false)) \(proto) code \(icmpName(value & 0xff, family: family, code: true))"
        case (.icmpType(let family), _), (.icmpCode(let family), _):
            return icmpList(values.ranges, family: family, code: field == .icmpCode(family))
        case (.fibType, _):
            return list(values) { SymbolTables.addressType(number: $0)?.rawValue ?? "\($0)" }
        case (.interfaceIndex, let condition?) where !interfaceNames(condition).isEmpty:
            // Indexes the snapshot named: `iif "lo"`, as nft lists them.
            let names = interfaceNames(condition).map { "\"\($0)\"" }
            return names.count == 1 ? names[0] : "{ \(names.joined(separator: ", ")) }"
        case (.packetMark, _), (.connectionMark, _), (.interfaceIndex, _), (.opaque, _):
            return list(values) { "0x" + String($0, radix: 16) }
        default:
            return list(values) { "\($0)" }
        }
    }

    /// ICMP types or codes as nft prints them: single values by name where nft has one, ranges as
    /// numbers (`{ nd-router-advert, nd-neighbor-solicit }`, `133-140`); `ranges` may be unmerged set elements.
    public static func icmpList(_ ranges: [ClosedRange<UInt128>], family: AddressFamily, code: Bool) -> String {
        let items = ranges.prefix(64).map { range in
            range.lowerBound == range.upperBound ? icmpName(range.lowerBound, family: family, code: code) : "\(range.lowerBound)-\(range.upperBound)"
        }
        let more = ranges.count > 64 ? ", …" : ""
        return items.count == 1 && more.isEmpty ? items[0] : "{ \(items.joined(separator: ", "))\(more) }"
    }

    /// One ICMP type or code by its nft name, or as a number.
    static func icmpName(_ value: UInt128, family: AddressFamily, code: Bool) -> String {
        guard value <= 0xff else { return "\(value)" }
        let byte = UInt8(value)
        let name = code ? SymbolTables.icmpCodeName(byte, family: family) : SymbolTables.icmpTypeName(byte, family: family)
        return name ?? "\(value)"
    }

    /// The interface names an interface condition (or a choice of them) tests.
    static func interfaceNames(_ condition: Condition) -> [String] {
        switch condition {
        case .inInterface(let pattern), .outInterface(let pattern): [pattern.name]
        case .oneOf(let alternatives): alternatives.flatMap { $0.flatMap { interfaceNames($0.condition) } }
        default: []
        }
    }

    /// A protocol number as nft prints it after `meta l4proto`: by name for the protocols nft reads
    /// headers of (the port-carrying ones, ICMP and ICMPv6), as a number otherwise.
    public static func protocolName(_ number: UInt128) -> String {
        guard number <= 0xff else { return "\(number)" }
        let byte = UInt8(number)
        let named = Field.portProtocols.contains(byte) || byte == IPProtocol.icmp || byte == IPProtocol.icmpv6
        return named ? IPProtocol.name(of: byte) ?? "\(number)" : "\(number)"
    }

    /// `a`, `a-b`, or `{ a, b-c }`.
    public static func list(_ values: IntervalSet<UInt128>, _ name: (UInt128) -> String) -> String {
        let items = values.ranges.prefix(64).map { $0.lowerBound == $0.upperBound ? name($0.lowerBound) : "\(name($0.lowerBound))-\(name($0.upperBound))" }
        let more = values.ranges.count > 64 ? ", …" : ""
        return items.count == 1 && more.isEmpty ? items[0] : "{ \(items.joined(separator: ", "))\(more) }"
    }

    /// `meta mark & 0x000000ff` for masked non-address fields, the field name otherwise.
    public static func subject(_ field: Field, mask: UInt128?) -> String {
        switch field {
        case .address, .connectionState: return field.name
        default: break
        }
        guard let mask else { return field.name }
        return "\(field.name) & 0x\(String(mask, radix: 16))"
    }
}
