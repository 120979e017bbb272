import FirewallModel
import NftablesBytecode

/// Renders a field's compared values the way nft prints them (`22`, `{ 80, 443 }`, `10.0.0.0/8`,
/// `"eth*"`, `established,related`), for the rule text in reports.
enum ValueText {
    static func render(_ value: RegisterValue, _ values: IntervalSet<UInt128>, condition: Condition?) -> String {
        switch (value.field, condition) {
        case (.address, .address(_, let set)?):
            let family: AddressFamily = if case .address(_, let f) = value.field { f } else { .ipv4 }
            let text = set.addressSyntax(family: family)
            return text.contains(",") ? "{ \(text.split(separator: ",").joined(separator: ", ")) }" : text
        case (.connectionState, .connectionState(let states)?):
            return states.isEmpty ? "{ }" : states.description
        case (.layer4Protocol, _):
            let names: [UInt128: String] = [1: "icmp", 6: "tcp", 17: "udp", 33: "dccp", 58: "ipv6-icmp", 132: "sctp", 136: "udplite"]
            return list(values) { names[$0] ?? "\($0)" }
        case (.netfilterFamily, _):
            return list(values) { [2: "ipv4", 10: "ipv6"][$0] ?? "\($0)" }
        case (.ethertype, _):
            return list(values) { [0x0800: "ip", 0x86dd: "ip6", 0x0806: "arp"][$0] ?? "0x" + String($0, radix: 16) }
        case (.interfaceName, _):
            return list(values) { raw in
                let bytes = bigEndianBytes(raw, count: value.length)
                if let nul = bytes.firstIndex(of: 0) { return "\"\(String(decoding: bytes[..<nul], as: UTF8.self))\"" }
                return "\"\(String(decoding: bytes, as: UTF8.self))\(value.length < 16 ? "*" : "")\""
            }
        case (.tcpFlags, _):
            let names = ["fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr"]
            return list(values) { raw in
                let set = names.indices.filter { raw >> UInt128($0) & 1 == 1 }.map { names[$0] }
                return set.isEmpty ? "0x0" : set.joined(separator: "|")
            }
        case (.fibType, _):
            return list(values) { $0 < AddressType.allCases.count ? AddressType.allCases[Int($0)].rawValue : "\($0)" }
        case (.mark, _), (.connectionMark, _), (.interfaceIndex, _), (.opaque, _), (.immediate, _):
            return list(values) { "0x" + String($0, radix: 16) }
        default:
            return list(values) { "\($0)" }
        }
    }

    /// `a`, `a-b`, or `{ a, b-c }`.
    static func list(_ values: IntervalSet<UInt128>, _ name: (UInt128) -> String) -> String {
        let items = values.ranges.prefix(64).map { $0.lowerBound == $0.upperBound ? name($0.lowerBound) : "\(name($0.lowerBound))-\(name($0.upperBound))" }
        let more = values.ranges.count > 64 ? ", …" : ""
        return items.count == 1 && more.isEmpty ? items[0] : "{ \(items.joined(separator: ", "))\(more) }"
    }

    /// `meta mark & 0x000000ff` for masked non-address fields, the field name otherwise.
    static func subject(_ value: RegisterValue) -> String {
        switch value.field {
        case .address, .connectionState: return value.field.name
        default: break
        }
        guard let mask = value.mask else { return value.field.name }
        return "\(value.field.name) & 0x\(String(value.integer(mask), radix: 16))"
    }
}
