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
        if case .address(_, let family) = field {
            switch address(raw, family: family) {
            case nil: return nil
            case .anything: return .anything
            case .range(let range): return .numbers(IntervalSet(range))
            case .addresses(let set): return .numbers(set)
            }
        }
        let node = unwrap(raw)
        if node.string == "*" {
            if case .interfaceName = field { return .interface(InterfacePattern(name: "", isWildcard: true)) }
            return .anything
        }
        if let (key, body) = node.tagged {
            switch key {
            case "range":
                guard let bounds = rangeBounds(body), bounds.count == 2,
                      case .numbers(let low)? = read(bounds[0], for: field), case .numbers(let high)? = read(bounds[1], for: field),
                      let first = low.min, let last = high.ranges.last?.upperBound, first <= last else { return nil }
                return .numbers(IntervalSet(first...last))
            case "|" where field == .tcpFlags:
                return SelectorReader.flagBits(node).map { .numbers(IntervalSet(value: UInt128($0))) }
            default:
                return nil
            }
        }
        switch field {
        case .address:
            return nil // read by `address(_:family:)` above
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

    /// What one element of an address field stands for.
    enum AddressElement {
        /// `*`: every address.
        case anything
        /// An address, prefix or range.
        case range(ClosedRange<UInt128>)
        /// The odd set a prefix whose address holds a mask stands for (`"addr": "::/ff00::ff%"`).
        case addresses(AddressSet)

        /// The lowest and highest address, as a range's bound; nil for `*`.
        var bounds: ClosedRange<UInt128>? {
            switch self {
            case .anything: nil
            case .range(let range): range
            case .addresses(let set): set.min.flatMap { low in set.ranges.last.map { low...$0.upperBound } }
            }
        }
    }

    /// An address element of `family`, as `read(_:for:)` reads it for an address field, without
    /// wrapping it in a set: a set of a million elements is gathered as ranges.
    static func address(_ raw: JSONNode, family: AddressFamily) -> AddressElement? {
        let node = unwrap(raw)
        if let text = node.string { return address(text, family: family) }
        guard let (key, body) = node.tagged else { return nil }
        switch key {
        case "prefix":
            guard let address = body["addr"]?.string, let length = body["len"]?.unsigned else { return nil }
            guard !address.contains("/") else {
                // The prefix text is then read back as nft's own `ADDR/LEN` syntax would be.
                guard let prefix = AddressPrefix("\(address)/\(length)"), prefix.family == family else { return nil }
                return .addresses(prefix.addresses)
            }
            guard let address = IPAddress(address), address.family == family, length <= UInt64(family.bitWidth),
                  let range = AddressPrefix.range(of: address, length: Int(length)) else { return nil }
            return .range(range)
        case "range":
            guard let bounds = rangeBounds(body), bounds.count == 2,
                  let low = address(bounds[0], family: family)?.bounds, let high = address(bounds[1], family: family)?.bounds,
                  low.lowerBound <= high.upperBound else { return nil }
            return .range(low.lowerBound...high.upperBound)
        default:
            return nil
        }
    }

    /// An address element written as a string: an address of `family`, or `*`.
    static func address(_ text: String, family: AddressFamily) -> AddressElement? {
        if text == "*" { return .anything }
        guard let address = IPAddress(text), address.family == family else { return nil }
        return .range(address.value...address.value)
    }

    /// A range's bounds: an array (`[low, high]`, whose length the caller checks) or `min` and `max`.
    private static func rangeBounds(_ body: JSONNode) -> JSONNodeItems? {
        if let items = body.items { return items }
        guard let low = body["min"], let high = body["max"] else { return nil }
        return [low, high]
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
