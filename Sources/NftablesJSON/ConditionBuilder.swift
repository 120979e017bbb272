import FirewallModel

/// Turns selectors and their value sets into model matches, with the implicit dependencies nft
/// adds (`tcp dport` needs `meta l4proto tcp`; `ip saddr` in an inet table needs `meta nfproto ipv4`).
///
/// Dependencies are separate, never negated matches: a negated header match still requires the header.
struct ConditionBuilder {
    let tableFamily: TableFamily
    private(set) var diagnostics: [Diagnostic] = []
    /// Where warnings about opaque matches point (the rule being read).
    var location: SourceLocation

    init(tableFamily: TableFamily, location: SourceLocation) {
        self.tableFamily = tableFamily
        self.location = location
    }

    // MARK: Dependencies

    /// The header checks nft inserts before reading `field`.
    func dependencies(of field: Field) -> [Match] {
        var result: [Match] = []
        func family(_ family: AddressFamily) {
            if tableFamily != .ip && tableFamily != .ip6 {
                result.append(Match(.addressFamily(family), text: "meta nfproto \(family == .ipv4 ? "ipv4" : "ipv6")"))
            }
        }
        func transport(_ number: UInt8) {
            let name = SymbolTables.protocols.first { $0.value == number && $0.key != "ipv6-icmp" && $0.key != "ipencap" }?.key ?? "\(number)"
            result.append(Match(.layer4Protocol(ProtocolSet(value: number)), text: "meta l4proto \(name)"))
        }
        switch field {
        case .address(_, let addressFamily): family(addressFamily)
        case .port(_, let number?): transport(number)
        case .layer4Protocol(let addressFamily?): family(addressFamily)
        case .icmpType(let addressFamily), .icmpCode(let addressFamily):
            family(addressFamily)
            transport(addressFamily == .ipv4 ? 1 : 58)
        case .tcpFlags: transport(6)
        default: break
        }
        return result
    }

    // MARK: Opaque

    /// An opaque match with its warning.
    mutating func opaque(_ name: String, reason: String, text: String) -> Match {
        diagnostics.append(Diagnostic(.warning, "'\(text)': \(reason); treated as unknown", at: location))
        return Match(.opaque(OpaqueMatch(module: name, reason: reason)), text: text)
    }

    mutating func warn(_ message: String) {
        diagnostics.append(Diagnostic(.warning, message, at: location))
    }

    mutating func note(_ message: String) {
        diagnostics.append(Diagnostic(.note, message, at: location))
    }

    // MARK: Conditions

    /// How a value set is compared with the field.
    enum Comparison { case equal, bitTest }

    /// The one match for "`selector` takes one of `elements`" (negated: none of them), without dependencies;
    /// nil when a value cannot be modelled.
    func condition(_ selector: Selector, _ elements: [ElementValue], negated: Bool, comparison: Comparison = .equal, text: String) -> Match? {
        if elements.contains(.anything) { return Match(.oneOf([[]]), negated: negated, text: text) }
        let field = selector.field
        func numbers() -> IntervalSet<UInt128>? {
            // Collected first and normalised once: large sets stay linear-logarithmic.
            var ranges: [ClosedRange<UInt128>] = []
            for element in elements {
                guard case .numbers(let set) = element else { return nil }
                ranges += set.ranges
            }
            var union = IntervalSet(ranges: ranges)
            if let domain = field.numericDomain { union = union.intersection(IntervalSet(domain)) }
            return union
        }
        func either(_ alternatives: [Match]) -> Match {
            alternatives.count == 1 && !(negated && alternatives[0].negated)
                ? Match(alternatives[0].condition, negated: negated, text: text)
                : Match(.oneOf(alternatives.map { [$0] }), negated: negated, text: text)
        }
        switch field {
        case .address(let side, _):
            guard let set = numbers() else { return nil }
            return Match(.address(side, set), negated: negated, text: text)
        case .port(let side, let number):
            guard let set = numbers() else { return nil }
            let ports = PortSet(ranges: set.ranges.map { UInt16($0.lowerBound)...UInt16($0.upperBound) })
            if number != nil { return Match(.port(side, ports), negated: negated, text: text) }
            // `th`: ports for port-carrying protocols; the same bytes mean something else in other protocols.
            // (The caller notes this once per match; see MatchReader.)
            let other = OpaqueMatch(module: "th", reason: "th reads transport header bytes of protocols without ports")
            return Match(.oneOf([
                [Match(.port(side, ports), negated: negated, text: text)],
                [Match(.layer4Protocol(JSONPortProtocols.set), negated: true, text: "meta l4proto != { tcp, udp, sctp, udplite }"),
                 Match(.opaque(other), text: text)],
            ]), text: text)
        case .layer4Protocol:
            guard let set = numbers() else { return nil }
            return Match(.layer4Protocol(ProtocolSet(ranges: set.ranges.map { UInt8($0.lowerBound)...UInt8($0.upperBound) })), negated: negated, text: text)
        case .icmpType, .icmpCode:
            guard let set = numbers() else { return nil }
            var combined: [ClosedRange<UInt16>] = []
            if case .icmpType = field {
                for range in set.ranges { combined.append(UInt16(range.lowerBound) << 8...(UInt16(range.upperBound) << 8 | 0xff)) }
            } else {
                for type in UInt16(0)...255 {
                    for range in set.ranges { combined.append((type << 8 | UInt16(range.lowerBound))...(type << 8 | UInt16(range.upperBound))) }
                }
            }
            return Match(.icmpType(IntervalSet(ranges: combined)), negated: negated, text: text)
        case .tcpFlags:
            guard let set = numbers() else { return nil }
            let mask = UInt8(truncatingIfNeeded: selector.mask ?? 0xff)
            var alternatives: [Match] = []
            switch comparison {
            case .equal:
                // Values with bits outside the mask can never be the masked flags.
                for range in set.ranges {
                    for value in range where UInt8(value) & ~mask == 0 {
                        alternatives.append(Match(.tcpFlags(mask: mask, compare: UInt8(value)), text: text))
                    }
                }
            case .bitTest:
                // `tcp flags syn,ack`: at least one of the bits is set.
                let bits = set.ranges.reduce(UInt8(0)) { $0 | UInt8($1.lowerBound) } & mask
                for bit in 0..<8 where bits >> UInt8(bit) & 1 == 1 {
                    alternatives.append(Match(.tcpFlags(mask: 1 << UInt8(bit), compare: 1 << UInt8(bit)), text: text))
                }
            }
            if alternatives.isEmpty { return Match(.oneOf([]), negated: negated, text: text) }
            return either(alternatives)
        case .packetMark, .connectionMark:
            guard let set = numbers(), set.approximateCount <= 64 else { return nil }
            let mask = selector.mask ?? 0xffff_ffff
            var alternatives: [Match] = []
            for range in set.ranges {
                for value in range {
                    let condition: Condition = field == .packetMark
                        ? .packetMark(value: UInt32(value), mask: mask) : .connectionMark(value: UInt32(value), mask: mask)
                    alternatives.append(Match(condition, text: text))
                }
            }
            return either(alternatives)
        case .interfaceName(let input), .interfaceIndex(let input):
            var alternatives: [Match] = []
            for element in elements {
                guard case .interface(let pattern) = element else { return nil }
                alternatives.append(Match(input ? .inInterface(pattern) : .outInterface(pattern), text: text))
            }
            return either(alternatives)
        case .connectionState:
            var states: ConnectionStates = []
            for element in elements {
                guard case .states(let more) = element else { return nil }
                states.formUnion(more)
            }
            return Match(.connectionState(states), negated: negated, text: text)
        case .addressFamily, .linkProtocol:
            var families: Set<AddressFamily> = []
            for element in elements {
                guard case .family(let family) = element else { return nil }
                families.insert(family)
            }
            if families.count == 2 { return Match(.oneOf([[]]), negated: negated, text: text) }
            guard let family = families.first else { return Match(.oneOf([]), negated: negated, text: text) }
            return Match(.addressFamily(family), negated: negated, text: text)
        case .fibType(let side):
            var types: Set<AddressType> = []
            for element in elements {
                guard case .addressTypes(let more) = element else { return nil }
                types.formUnion(more)
            }
            return Match(.addressType(side, types), negated: negated, text: text)
        case .unmodelled:
            return nil
        }
    }
}

/// The protocols whose packets carry ports in the model: tcp, udp, sctp and udplite.
enum JSONPortProtocols {
    static let set = ProtocolSet.withPorts
}
