import FirewallModel
import NftablesSemantics

/// Reads right-hand values for a field: scalars, `prefix`, `range`, element wrappers and symbolic names.
///
/// Returns nil when a value is well-formed JSON but names something the tables do not know;
/// the caller then makes the match opaque instead of guessing.
enum ElementReader {
    /// Strips the `{"elem": {"val": …}}` wrapper that carries timeouts, counters and comments.
    static func unwrap(_ node: JSONNode) -> JSONNode {
        if let (key, body) = node.tagged, key == "elem", let inner = body["val"] { return unwrap(inner) }
        return node
    }

    static func read(_ raw: JSONNode, for field: Field) -> FieldValue? {
        let node = unwrap(raw)
        if node.string == "*" {
            if case .interfaceName = field { return .interface(InterfacePattern(name: "", isWildcard: true)) }
            return .anything
        }
        if let (key, body) = node.tagged {
            switch key {
            case "prefix":
                guard case .address(_, let family) = field, let address = body["addr"]?.string, let length = body["len"]?.unsigned,
                      let prefix = AddressPrefix("\(address)/\(length)"), prefix.family == family else { return nil }
                return .numbers(prefix.addresses)
            case "range":
                let bounds: [JSONNode]
                if let items = body.items { bounds = items } else if let low = body["min"], let high = body["max"] { bounds = [low, high] } else { return nil }
                guard bounds.count == 2, case .numbers(let low)? = read(bounds[0], for: field), case .numbers(let high)? = read(bounds[1], for: field),
                      let first = low.min, let last = high.ranges.last?.upperBound, first <= last else { return nil }
                return .numbers(IntervalSet(first...last))
            case "|" where field == .tcpFlags:
                return SelectorReader.flagBits(node).map { .numbers(IntervalSet(value: UInt128($0))) }
            default:
                return nil
            }
        }
        switch field {
        case .address(_, let family):
            guard let text = node.string, let address = IPAddress(text), address.family == family else { return nil }
            return .numbers(IntervalSet(value: address.value))
        case .port:
            if let number = node.unsigned, number <= 0xffff { return .numbers(IntervalSet(value: UInt128(number))) }
            if let name = node.string, let port = SymbolTables.services[name] { return .numbers(IntervalSet(value: UInt128(port))) }
            return nil
        case .layer4Protocol:
            if let number = node.unsigned, number <= 0xff { return .numbers(IntervalSet(value: UInt128(number))) }
            return node.string.flatMap(IPProtocol.nftNumber(named:)).map { .numbers(IntervalSet(value: UInt128($0))) }
        case .icmpType(let family):
            return byte(node, names: family == .ipv4 ? SymbolTables.icmpTypes : SymbolTables.icmpv6Types)
        case .icmpCode(let family):
            return byte(node, names: family == .ipv4 ? SymbolTables.icmpCodes : SymbolTables.icmpv6Codes)
        case .tcpFlags:
            return SelectorReader.flagBits(node).map { .numbers(IntervalSet(value: UInt128($0))) }
        case .connectionStatus:
            return SelectorReader.statusBits(node).map { .numbers(IntervalSet(value: UInt128($0))) }
        case .packetMark, .connectionMark:
            guard let number = node.unsigned, number <= UInt64(UInt32.max) else { return nil }
            return .numbers(IntervalSet(value: UInt128(number)))
        case .interfaceName:
            guard let text = node.string, let pattern = interfacePattern(text) else { return nil }
            return .interface(pattern)
        case .interfaceIndex:
            // A number means the interface had no name when exported: its identity is unknown.
            guard let text = node.string, node.unsigned == nil, !text.isEmpty else { return nil }
            return .interface(InterfacePattern(name: text, isWildcard: false))
        case .connectionState:
            var states: ConnectionStates = []
            for item in node.itemsOrSingle {
                guard let name = item.string, let state = ConnectionStates(name: name) else { return nil }
                states.formUnion(state)
            }
            return .states(states)
        case .netfilterFamily, .ethertype:
            // A family is written by name (`ipv4`, `ip6`) or number (`2`, `34525`).
            let ethertype = if case .ethertype = field { true } else { false }
            let number: UInt128? = node.unsigned.map { UInt128($0) }
                ?? node.string.flatMap { UInt128($0) ?? SymbolTables.familyNumber(named: $0, ethertype: ethertype) }
            guard let number, let family = SymbolTables.addressFamily(number, ethertype: ethertype) else { return nil }
            return .family(family)
        case .fibType:
            var types: Set<AddressType> = []
            for item in node.itemsOrSingle {
                guard let name = item.string, let type = SymbolTables.addressTypes[name] else { return nil }
                types.insert(type)
            }
            return .addressTypes(types)
        case .opaque, .composite, .numgen:
            return nil
        }
    }

    private static func byte(_ node: JSONNode, names: [String: UInt8]) -> FieldValue? {
        if let number = node.unsigned, number <= 0xff { return .numbers(IntervalSet(value: UInt128(number))) }
        if let name = node.string, let value = names[name] { return .numbers(IntervalSet(value: UInt128(value))) }
        return nil
    }

    /// `eth*` is a prefix wildcard; `\*` is a literal star; other escapes are kept as written.
    static func interfacePattern(_ text: String) -> InterfacePattern? {
        var name = ""
        var escaped = false
        var wildcard = false
        for character in text {
            if wildcard { return nil }
            if escaped { name.append(character); escaped = false; continue }
            if character == "\\" { escaped = true; continue }
            if character == "*" { wildcard = true; continue }
            name.append(character)
        }
        if escaped { name.append("\\") }
        guard name.utf8.count <= 15 else { return nil }
        return InterfacePattern(name: name, isWildcard: wildcard)
    }
}
