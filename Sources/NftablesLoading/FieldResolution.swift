import FirewallModel
import NftablesBytecode
import NftablesSemantics

/// What the program has established about the packet's protocols before a load.
struct ProtocolContext: Sendable, Hashable {
    /// Known from the table family or a preceding `meta nfproto`/`meta protocol` check.
    var family: AddressFamily?
    /// The match that established `family`, when a match did.
    var familyMatch: Int?
    /// Known from a preceding `meta l4proto`, `ip protocol` or `ip6 nexthdr` check.
    var layer4: UInt8?
    var layer4Match: Int?
}

/// Resolves loads (`payload`, `meta`, `ct`, `fib`) to fields, as nft's delinearizer does with
/// its payload and meta templates.
enum FieldResolution {
    /// The field a payload load reads, given the protocol context; nil dependency when none was used.
    static func payload(base: PayloadBase, offset: Int, length: Int, context: ProtocolContext) -> (Field, dependency: Int?) {
        switch base {
        case .network:
            guard let family = context.family else {
                return (.opaque("\(length)b @ network header + \(offset)"), nil)
            }
            let dependency = context.familyMatch
            let (source, destination, size) = family == .ipv4 ? (12, 16, 4) : (8, 24, 16)
            if offset == source, length <= size { return (.address(.source, family), dependency) }
            if offset == destination, length <= size { return (.address(.destination, family), dependency) }
            if family == .ipv4, offset == 9, length == 1 { return (.layer4Protocol(.ipv4), dependency) }
            if family == .ipv6, offset == 6, length == 1 { return (.layer4Protocol(.ipv6), dependency) }
            if family == .ipv4, offset == 12, length == 8 {
                return (.composite([.init(field: .address(.source, .ipv4), length: 4), .init(field: .address(.destination, .ipv4), length: 4)]), dependency)
            }
            if family == .ipv6, offset == 8, length == 32 {
                return (.composite([.init(field: .address(.source, .ipv6), length: 16), .init(field: .address(.destination, .ipv6), length: 16)]), dependency)
            }
            let names: [Int: String] = family == .ipv4 ? [8: "ip ttl", 1: "ip dscp", 4: "ip id", 2: "ip length"] : [7: "ip6 hoplimit", 4: "ip6 length"]
            return (.opaque(names[offset] ?? "\(family == .ipv4 ? "ip" : "ip6") header \(length)b @ \(offset)"), dependency)
        case .transport:
            guard let number = context.layer4 else {
                // nft's `th`: no protocol was checked, so the bytes mean ports only for port-carrying protocols.
                if (offset == 0 || offset == 2), length == 2 { return (.port(offset == 0 ? .source : .destination, protocolNumber: nil), nil) }
                return (.opaque("th \(length)b @ \(offset)"), nil)
            }
            let dependency = context.layer4Match
            switch number {
            case _ where Field.portProtocols.contains(number):
                if (offset == 0 || offset == 2), length == 2 {
                    return (.port(offset == 0 ? .source : .destination, protocolNumber: number), dependency)
                }
                if number == IPProtocol.tcp, offset == 13, length == 1 { return (.tcpFlags, dependency) }
                if offset == 0, length == 4 {
                    return (.composite([.init(field: .port(.source, protocolNumber: number), length: 2),
                                        .init(field: .port(.destination, protocolNumber: number), length: 2)]), dependency)
                }
            case IPProtocol.icmp, IPProtocol.icmpv6:
                let family: AddressFamily = number == IPProtocol.icmp ? .ipv4 : .ipv6
                // The model's ICMP condition reads the ICMP header of the packet's own family. With no family
                // check (`meta l4proto ipv6-icmp icmpv6 type …` in an inet table) the kernel would also read the
                // first bytes of ICMPv6 carried over IPv4, which is not traffic a host serves (DESIGN §3):
                // exact for every packet the audit considers. A check of the other family stays opaque.
                if context.family == nil || context.family == family, offset <= 1, offset + length <= 2 {
                    return (offset == 0 ? .icmpType(family) : .icmpCode(family), dependency)
                }
            default:
                break
            }
            return (.opaque("transport header \(length)b @ \(offset) of protocol \(number)"), dependency)
        case .link:
            if offset == 12, length == 2 { return (.ethertype(fromLinkHeader: true), nil) }
            return (.opaque("ether header \(length)b @ \(offset)"), nil)
        case .inner, .tunnel:
            return (.opaque("\(base) header \(length)b @ \(offset)"), nil)
        }
    }

    /// The field a `meta` load reads.
    static func meta(_ key: MetaKey) -> Field {
        switch key.description {
        case "l4proto": .layer4Protocol(nil)
        case "nfproto": .netfilterFamily(fromConnection: false)
        case "protocol": .ethertype(fromLinkHeader: false)
        case "mark": .packetMark
        case "iifname": .interfaceName(input: true)
        case "oifname": .interfaceName(input: false)
        case "iif": .interfaceIndex(input: true)
        case "oif": .interfaceIndex(input: false)
        default: .opaque("meta \(key)")
        }
    }

    /// The field a `ct` load reads.
    static func conntrack(_ key: ConntrackKey, direction: UInt8?) -> Field {
        switch (key.description, direction) {
        case ("state", nil): .connectionState
        case ("status", nil): .connectionStatus
        case ("mark", nil): .connectionMark
        case ("l3protocol", _): .netfilterFamily(fromConnection: true)
        default: .opaque("ct " + (direction.map { $0 == 0 ? "original " : "reply " } ?? "") + key.description)
        }
    }

    /// The field a `fib` lookup yields: route types of one address are exact, the rest opaque.
    static func fib(flags: UInt32, result: UInt32) -> Field {
        let typeResult: UInt32 = 3
        if result == typeResult, flags == 1 { return .fibType(.source) }
        if result == typeResult, flags == 2 { return .fibType(.destination) }
        return .opaque(Expression.fib(flags: flags, result: result, destination: .verdict).description
            .replacingPrefix("[ ", with: "").replacingSuffix(" => reg 0 ]", with: ""))
    }
}

extension Field {
    /// The family and whether it is the code, for an ICMP or ICMPv6 type or code field.
    var icmpFamily: (AddressFamily, code: Bool)? {
        switch self {
        case .icmpType(let family): (family, false)
        case .icmpCode(let family): (family, true)
        default: nil
        }
    }
}

extension String {
    func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }

    func replacingSuffix(_ suffix: String, with replacement: String) -> String {
        hasSuffix(suffix) ? dropLast(suffix.count) + replacement : self
    }
}
