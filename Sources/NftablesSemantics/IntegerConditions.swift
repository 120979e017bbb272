import FirewallModel

/// Conditions for fields compared as the kernel compares them: integers read from the field's
/// bytes (network order for packet fields, host order for marks and ct state), under a mask.
extension ConditionBuilder {
    /// The condition "the first `length` bytes of `field`, under `mask`, lie in `values`".
    public func condition(_ field: Field, length: Int, mask: UInt128?, in values: IntervalSet<UInt128>) -> Condition? {
        let maximum: UInt128 = length >= 16 ? UInt128.max : (UInt128(1) << UInt128(8 * length)) - 1
        switch field {
        case .address(let side, let family):
            return address(side: side, family: family, length: length, mask: mask, values: values)
        case .port(let side, let number):
            guard mask == nil || mask == maximum, length == 2 else { return nil }
            let ports = PortSet(ranges: values.ranges.compactMap { clamp($0, to: UInt16.self) })
            if number == nil {
                // `th`: ports for port-carrying protocols; for any other protocol the same bytes mean something else.
                return .oneOf([
                    [Match(.port(side, ports), text: "")],
                    [Match(.layer4Protocol(ProtocolSet.withPorts.complement()), text: ""),
                     Match(.opaque(OpaqueMatch(module: "th", reason: "transport header bytes of a protocol without ports")), text: "")],
                ])
            }
            // The model's port condition implies tcp, udp, sctp or udplite: dccp ports cannot be expressed.
            guard number != IPProtocol.dccp else { return nil }
            return .port(side, ports)
        case .layer4Protocol:
            guard mask == nil, length == 1 else { return nil }
            return .layer4Protocol(ProtocolSet(ranges: values.ranges.compactMap { clamp($0, to: UInt8.self) }))
        case .tcpFlags:
            guard length == 1, let singles = singles(values, limit: 256) else { return nil }
            let flagMask = UInt8(truncatingIfNeeded: mask ?? 0xff)
            let conditions = singles.map { Condition.tcpFlags(mask: flagMask, compare: UInt8(truncatingIfNeeded: $0)) }
            return anyOf(conditions)
        case .icmpType, .icmpCode:
            guard mask == nil else { return nil }
            switch (field, length) {
            case (.icmpType, 2):
                return .icmpType(IntervalSet(ranges: values.ranges.compactMap { clamp($0, to: UInt16.self) }))
            case (.icmpType, 1):
                return .icmpType(Self.icmpTypes(values.ranges.compactMap { clamp($0, to: UInt8.self) }))
            case (.icmpCode, 1):
                return .icmpType(Self.icmpCodes(values.ranges.compactMap { clamp($0, to: UInt8.self) }))
            default:
                return nil
            }
        case .netfilterFamily:
            guard mask == nil else { return nil }
            return families(values, fromEthertype: false)
        case .ethertype:
            guard mask == nil, length == 2 else { return nil }
            return families(values, fromEthertype: true)
        case .packetMark, .connectionMark:
            guard length == 4, let singles = singles(values, limit: Self.integerMarkLimit) else { return nil }
            let markMask = UInt32(truncatingIfNeeded: mask ?? 0xffff_ffff)
            let isPacket = field == .packetMark
            return anyOf(singles.map {
                isPacket ? .packetMark(value: UInt32(truncatingIfNeeded: $0), mask: markMask)
                    : .connectionMark(value: UInt32(truncatingIfNeeded: $0), mask: markMask)
            })
        case .connectionState:
            guard length == 4 else { return nil }
            // A connection is in exactly one state, so `(state & mask) in values` is decided per state.
            var states: ConnectionStates = []
            for (state, bit) in SymbolTables.connectionStateBits where values.contains(bit & (mask ?? UInt128(UInt32.max))) { states.insert(state) }
            return .connectionState(states)
        case .connectionStatus:
            guard length == 4, let mask, let set = SymbolTables.translationStatus(mask: UInt32(truncatingIfNeeded: mask), {
                values.contains(UInt128($0))
            }) else { return nil }
            return .connectionTranslationStatus(set)
        case .interfaceName(let input):
            guard mask == nil, let patterns = interfacePatterns(values, length: length) else { return nil }
            return anyOf(patterns.map { input ? .inInterface($0) : .outInterface($0) })
        case .interfaceIndex(let input):
            guard mask == nil, let singles = singles(values, limit: 64) else { return nil }
            var conditions: [Condition] = []
            for index in singles {
                guard let name = interfaceNames[UInt32(truncatingIfNeeded: index)] else { return nil }
                let pattern = InterfacePattern(name: name, isWildcard: false)
                conditions.append(input ? .inInterface(pattern) : .outInterface(pattern))
            }
            return anyOf(conditions)
        case .fibType(let side):
            guard mask == nil, let singles = singles(values, limit: 16) else { return nil }
            var types = Set<AddressType>()
            for number in singles {
                guard let type = SymbolTables.addressType(number: number) else { return nil }
                types.insert(type)
            }
            return .addressType(side, types)
        case .opaque, .composite, .numgen:
            return nil
        }
    }

    /// Addresses whose first `length` bytes, masked by a prefix mask, lie in `values`.
    private func address(side: PacketSide, family: AddressFamily, length: Int, mask: UInt128?, values: IntervalSet<UInt128>) -> Condition? {
        let loadedBits = 8 * length
        let width = family.bitWidth
        guard loadedBits <= width else { return nil }
        let full: UInt128 = length >= 16 ? UInt128.max : (UInt128(1) << UInt128(loadedBits)) - 1
        let maskValue = mask ?? full
        let prefix = maskValue.nonzeroBitCount
        // The mask must be a prefix: ones from the top of the loaded bytes, then zeros.
        guard prefix == 0 || maskValue == full ^ ((UInt128(1) << UInt128(loadedBits - prefix)) - 1) else { return nil }
        // A zero mask keeps nothing of the address: every address, or none.
        if prefix == 0 { return .address(side, values.contains(0) ? AddressSet(family.domain) : AddressSet()) }
        let zeros = loadedBits - prefix
        let hostBits = width - prefix
        var ranges: [ClosedRange<UInt128>] = []
        for range in values.ranges {
            // Masked values have their low `zeros` bits clear: the k with k << zeros inside the range.
            let low = zeros == 0 ? range.lowerBound : (range.lowerBound + (UInt128(1) << UInt128(zeros)) - 1) >> UInt128(zeros)
            let high = zeros == 0 ? range.upperBound : range.upperBound >> UInt128(zeros)
            guard low <= high else { continue }
            let span: UInt128 = hostBits >= 128 ? UInt128.max : (UInt128(1) << UInt128(hostBits)) - 1
            ranges.append((low << UInt128(hostBits))...((high << UInt128(hostBits)) | span))
        }
        return .address(side, AddressSet(ranges: ranges))
    }

    private func families(_ values: IntervalSet<UInt128>, fromEthertype: Bool) -> Condition {
        let numbers = (fromEthertype ? SymbolTables.ethertypes : SymbolTables.netfilterFamilies).keys.sorted()
        return anyOf(numbers.compactMap { number in
            values.contains(number) ? SymbolTables.addressFamily(number, ethertype: fromEthertype).map { .addressFamily($0) } : nil
        })
    }

    /// Interface patterns for name values: exact names, or prefix wildcards (a shorter compare, or
    /// an interval from the prefix padded with zeros to the prefix padded with 0xff).
    private func interfacePatterns(_ values: IntervalSet<UInt128>, length: Int) -> [InterfacePattern]? {
        var patterns: [InterfacePattern] = []
        for range in values.ranges {
            let low = bigEndianBytes(range.lowerBound, count: length)
            let high = bigEndianBytes(range.upperBound, count: length)
            if range.lowerBound == range.upperBound {
                if let nul = low.firstIndex(of: 0) {
                    patterns.append(InterfacePattern(name: String(decoding: low[..<nul], as: UTF8.self), isWildcard: false))
                } else {
                    patterns.append(InterfacePattern(name: String(decoding: low, as: UTF8.self), isWildcard: length < 16))
                }
                continue
            }
            var common = 0
            while common < length, low[common] == high[common] { common += 1 }
            guard low[common...].allSatisfy({ $0 == 0 }), high[common...].allSatisfy({ $0 == 0xff }), !low[..<common].contains(0) else { return nil }
            patterns.append(InterfacePattern(name: String(decoding: low[..<common], as: UTF8.self), isWildcard: true))
        }
        return patterns
    }

    /// The values of a set of few single values, or nil when it holds more than `limit`.
    private func singles(_ values: IntervalSet<UInt128>, limit: Int) -> [UInt128]? {
        var result: [UInt128] = []
        for range in values.ranges {
            guard range.upperBound - range.lowerBound < UInt128(limit), result.count <= limit else { return nil }
            var value = range.lowerBound
            while true {
                result.append(value)
                if value == range.upperBound { break }
                value += 1
            }
        }
        return result.count <= limit ? result : nil
    }

    private func anyOf(_ conditions: [Condition]) -> Condition {
        conditions.count == 1 ? conditions[0] : .oneOf(conditions.map { [Match($0, text: "")] })
    }

    private func clamp<T: FixedWidthInteger & UnsignedInteger>(_ range: ClosedRange<UInt128>, to: T.Type) -> ClosedRange<T>? {
        guard range.lowerBound <= UInt128(T.max) else { return nil }
        return T(range.lowerBound)...T(min(range.upperBound, UInt128(T.max)))
    }
}

/// The low `count` bytes of an integer, most significant first.
func bigEndianBytes(_ value: UInt128, count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: value >> UInt128(8 * (count - 1 - $0))) }
}
