import FirewallModel

/// Conditions for fields compared with values as nft writes them (names, prefixes, ranges, sets).
extension ConditionBuilder {
    /// How a value set is compared with the field: equality, or `in` with a flag list (any bit set).
    public enum Comparison: Sendable { case equal, bitTest }

    /// The one match for "`field` (under `mask`) takes one of `elements`" (negated: none of them),
    /// without dependencies; nil when a value cannot be modelled.
    public func condition(_ field: Field, _ elements: [FieldValue], negated: Bool, comparison: Comparison = .equal,
                          mask: UInt32? = nil, text: String) -> Match? {
        if elements.contains(.anything) { return Match(.oneOf([[]]), negated: negated, text: text) }
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
            let other = OpaqueMatch(module: "th", reason: "th reads transport header bytes of protocols without ports")
            return Match(.oneOf([
                [Match(.port(side, ports), negated: negated, text: text)],
                [Match(.layer4Protocol(ProtocolSet.withPorts), negated: true, text: "meta l4proto != { tcp, udp, sctp, udplite }"),
                 Match(.opaque(other), text: text)],
            ]), text: text)
        case .layer4Protocol:
            guard let set = numbers() else { return nil }
            return Match(.layer4Protocol(ProtocolSet(ranges: set.ranges.map { UInt8($0.lowerBound)...UInt8($0.upperBound) })), negated: negated, text: text)
        case .icmpType, .icmpCode:
            guard let set = numbers() else { return nil }
            let bytes = set.ranges.map { UInt8($0.lowerBound)...UInt8($0.upperBound) }
            let combined = if case .icmpType = field { Self.icmpTypes(bytes) } else { Self.icmpCodes(bytes) }
            return Match(.icmpType(combined), negated: negated, text: text)
        case .tcpFlags:
            guard let set = numbers() else { return nil }
            let flagMask = UInt8(truncatingIfNeeded: mask ?? 0xff)
            var alternatives: [Match] = []
            switch comparison {
            case .equal:
                // Values with bits outside the mask can never be the masked flags.
                for range in set.ranges {
                    for value in range where UInt8(value) & ~flagMask == 0 {
                        alternatives.append(Match(.tcpFlags(mask: flagMask, compare: UInt8(value)), text: text))
                    }
                }
            case .bitTest:
                // `tcp flags syn,ack`: at least one of the bits is set.
                let bits = set.ranges.reduce(UInt8(0)) { $0 | UInt8($1.lowerBound) } & flagMask
                for bit in 0..<8 where bits >> UInt8(bit) & 1 == 1 {
                    alternatives.append(Match(.tcpFlags(mask: 1 << UInt8(bit), compare: 1 << UInt8(bit)), text: text))
                }
            }
            if alternatives.isEmpty { return Match(.oneOf([]), negated: negated, text: text) }
            return either(alternatives)
        case .connectionStatus:
            guard let set = numbers() else { return nil }
            let translated: IntervalSet<UInt8>?
            switch comparison {
            case .equal:
                // The whole status compared holds bits the model does not know (`assured`, `confirmed`).
                guard let mask else { return nil }
                translated = SymbolTables.translationStatus(mask: mask) { set.contains(UInt128($0)) }
            case .bitTest:
                // `ct status dnat`: at least one of the bits is set.
                let bits = set.ranges.reduce(UInt32(0)) { $0 | UInt32(truncatingIfNeeded: $1.lowerBound) } & (mask ?? 0xffff_ffff)
                translated = SymbolTables.translationStatus(mask: bits) { $0 != 0 }
            }
            guard let translated else { return nil }
            return Match(.connectionTranslationStatus(translated), negated: negated, text: text)
        case .packetMark, .connectionMark:
            guard let set = numbers(), set.approximateCount <= Double(Self.typedMarkLimit) else { return nil }
            let markMask = mask ?? 0xffff_ffff
            var alternatives: [Match] = []
            for range in set.ranges {
                for value in range {
                    let condition: Condition = field == .packetMark
                        ? .packetMark(value: UInt32(value), mask: markMask) : .connectionMark(value: UInt32(value), mask: markMask)
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
        case .netfilterFamily, .ethertype:
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
        case .opaque, .composite, .numgen:
            return nil
        }
    }
}
