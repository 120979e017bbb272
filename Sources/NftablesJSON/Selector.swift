import FirewallModel
import NftablesSemantics

/// A left-hand expression: the field, an optional `&` mask, and its nft spelling.
struct Selector: Sendable {
    var field: Field
    /// `field & mask`, for marks and TCP flags.
    var mask: UInt32?
    var text: String
    /// Why the model cannot test the field, when it is opaque.
    var unmodelledReason: String?
}

/// The left-hand side of a match: one selector or a concatenation (`ip saddr . tcp dport`).
enum SelectorExpression: Sendable {
    case single(Selector)
    case concatenation([Selector])

    var text: String {
        switch self {
        case .single(let selector): selector.text
        case .concatenation(let parts): parts.map(\.text).joined(separator: " . ")
        }
    }
}

/// Reads left-hand expressions (`payload`, `meta`, `ct`, `fib`, `&`, `concat`) into selectors.
struct SelectorReader {
    /// The table's family: in `ip`/`ip6` tables the family of `meta l4proto` and ports is fixed.
    let tableFamily: TableFamily

    func read(_ node: JSONNode) throws(NftablesJSONError) -> SelectorExpression {
        if let (key, body) = node.tagged, key == "concat" {
            let parts = try body.requireItems()
            guard !parts.isEmpty else { throw body.error("empty concatenation") }
            var selectors: [Selector] = []
            for part in parts { selectors.append(try selector(part)) }
            return .concatenation(selectors)
        }
        return .single(try selector(node))
    }

    func selector(_ node: JSONNode) throws(NftablesJSONError) -> Selector {
        guard let (key, body) = node.tagged else {
            throw node.error("expected an expression object, found \(node.compactText)")
        }
        switch key {
        case "payload": return try payload(body)
        case "meta": return try meta(body)
        case "ct": return try conntrack(body)
        case "fib": return try fib(body)
        case "numgen":
            guard let modulus = body["mod"]?.unsigned, modulus > 0, modulus <= UInt64(UInt32.max) else {
                return opaque("numgen " + body.compactText, "numgen without a modulus is not modelled")
            }
            let offset = UInt32(clamping: body["offset"]?.unsigned ?? 0)
            let field = Field.numgen(modulus: UInt32(modulus), offset: offset)
            return Selector(field: field, text: "numgen \(body["mode"]?.string ?? "random") mod \(modulus)" + (offset != 0 ? " offset \(offset)" : ""))
        case "&":
            let operands = try body.requireItems()
            guard operands.count == 2 else { throw body.error("'&' needs two operands") }
            var inner = try selector(operands[0])
            if inner.mask != nil { return opaque("\(inner.text) & …", "nested bitwise operations are not modelled") }
            let maskText = operands[1]
            guard let mask = maskValue(maskText, for: inner.field) else {
                return opaque("\(inner.text) & \(maskText.compactText)", "this mask is not modelled")
            }
            switch inner.field {
            case .packetMark, .connectionMark, .tcpFlags, .connectionStatus:
                inner.mask = mask
                inner.text += " & 0x" + String(mask, radix: 16)
                return inner
            default:
                return opaque("\(inner.text) & \(maskText.compactText)", "a bitwise mask on this field is not modelled")
            }
        default:
            return opaque(key + " " + body.compactText, "expression '\(key)' is not modelled")
        }
    }

    private func opaque(_ name: String, _ reason: String) -> Selector {
        Selector(field: .opaque(name), text: name, unmodelledReason: reason)
    }

    /// A mask is a number, or for TCP flags a flag name, a list of names or an `|` of them.
    private func maskValue(_ node: JSONNode, for field: Field) -> UInt32? {
        if let number = node.unsigned, number <= UInt64(UInt32.max) { return UInt32(number) }
        if field == .tcpFlags { return SelectorReader.flagBits(node).map(UInt32.init) }
        if field == .connectionStatus { return SelectorReader.statusBits(node) }
        return nil
    }

    /// `ct status` bits written as a name, a number, a list of names or nested `|` expressions.
    static func statusBits(_ node: JSONNode) -> UInt32? {
        if let number = node.unsigned { return number <= UInt64(UInt32.max) ? UInt32(number) : nil }
        if let name = node.string { return SymbolTables.connectionStatusBits[name] }
        var operands: JSONNodeItems = []
        if let items = node.items { operands = items } else if let (key, body) = node.tagged, key == "|", let items = body.items { operands = items } else { return nil }
        var bits: UInt32 = 0
        for operand in operands {
            guard let more = statusBits(operand) else { return nil }
            bits |= more
        }
        return bits
    }

    /// TCP flags written as a name, a number, a list of names or nested `|` expressions.
    static func flagBits(_ node: JSONNode) -> UInt8? {
        if let number = node.unsigned { return number <= 0xff ? UInt8(number) : nil }
        if let name = node.string { return SymbolTables.tcpFlags[name] }
        if let (key, body) = node.tagged {
            guard key == "|", let operands = body.items else { return nil }
            var bits: UInt8 = 0
            for operand in operands {
                guard let more = flagBits(operand) else { return nil }
                bits |= more
            }
            return bits
        }
        guard let items = node.items else { return nil }
        var bits: UInt8 = 0
        for item in items {
            guard let more = flagBits(item) else { return nil }
            bits |= more
        }
        return bits
    }

    private func payload(_ body: JSONNode) throws(NftablesJSONError) -> Selector {
        guard let proto = body["protocol"]?.string, let field = body["field"]?.string else {
            // Raw payload (`@th,16,16`): offsets into a header.
            if let base = body["base"]?.string {
                return opaque("@\(base),\(body["offset"]?.compactText ?? "?"),\(body["len"]?.compactText ?? "?")", "raw payload expressions are not modelled")
            }
            throw body.error("payload needs 'protocol' and 'field'")
        }
        let text = "\(proto) \(field)"
        func made(_ field: Field) -> Selector { Selector(field: field, text: text) }
        switch (proto, field) {
        case ("ip", "saddr"): return made(.address(.source, .ipv4))
        case ("ip", "daddr"): return made(.address(.destination, .ipv4))
        case ("ip6", "saddr"): return made(.address(.source, .ipv6))
        case ("ip6", "daddr"): return made(.address(.destination, .ipv6))
        case ("ip", "protocol"): return made(.layer4Protocol(.ipv4))
        // The first next header: the transport protocol of a packet without extension headers, which
        // are all the packets the model has (the bytecode reader reads it the same way).
        case ("ip6", "nexthdr"): return made(.layer4Protocol(.ipv6))
        case ("tcp", "sport"), ("udp", "sport"), ("sctp", "sport"), ("udplite", "sport"), ("th", "sport"):
            return made(.port(.source, protocolNumber: proto == "th" ? nil : IPProtocol.nftNumber(named: proto)))
        case ("tcp", "dport"), ("udp", "dport"), ("sctp", "dport"), ("udplite", "dport"), ("th", "dport"):
            return made(.port(.destination, protocolNumber: proto == "th" ? nil : IPProtocol.nftNumber(named: proto)))
        case ("tcp", "flags"): return made(.tcpFlags)
        case ("icmp", "type"): return made(.icmpType(.ipv4))
        case ("icmp", "code"): return made(.icmpCode(.ipv4))
        case ("icmpv6", "type"): return made(.icmpType(.ipv6))
        case ("icmpv6", "code"): return made(.icmpCode(.ipv6))
        default: return opaque(text, "payload field '\(text)' is not modelled")
        }
    }

    private func meta(_ body: JSONNode) throws(NftablesJSONError) -> Selector {
        let key = try body.member("key").requireString()
        switch key {
        case "l4proto": return Selector(field: .layer4Protocol(nil), text: "meta l4proto")
        case "iifname": return Selector(field: .interfaceName(input: true), text: "iifname")
        case "oifname": return Selector(field: .interfaceName(input: false), text: "oifname")
        case "iif": return Selector(field: .interfaceIndex(input: true), text: "iif")
        case "oif": return Selector(field: .interfaceIndex(input: false), text: "oif")
        case "mark": return Selector(field: .packetMark, text: "meta mark")
        case "nfproto": return Selector(field: .netfilterFamily(fromConnection: false), text: "meta nfproto")
        case "protocol": return Selector(field: .ethertype(fromLinkHeader: false), text: "meta protocol")
        default: return opaque("meta \(key)", "meta \(key) is not modelled")
        }
    }

    private func conntrack(_ body: JSONNode) throws(NftablesJSONError) -> Selector {
        let key = try body.member("key").requireString()
        let direction = body["dir"]?.string
        if direction == nil {
            switch key {
            case "state": return Selector(field: .connectionState, text: "ct state")
            case "status": return Selector(field: .connectionStatus, text: "ct status")
            case "mark": return Selector(field: .connectionMark, text: "ct mark")
            default: break
            }
        }
        let name = "ct " + (direction.map { "\($0) " } ?? "") + key
        return opaque(name, "\(name) is not modelled")
    }

    private func fib(_ body: JSONNode) throws(NftablesJSONError) -> Selector {
        let result = try body.member("result").requireString()
        let flags = (body["flags"]?.itemsOrSingle ?? []).compactMap(\.string)
        let name = "fib " + flags.joined(separator: " . ") + " " + result
        if result == "type", flags.count == 1, let side = flags.first.flatMap({ $0 == "saddr" ? PacketSide.source : $0 == "daddr" ? .destination : nil }) {
            return Selector(field: .fibType(side), text: name)
        }
        return opaque(name, "\(name) depends on the routing table and is not modelled")
    }
}
