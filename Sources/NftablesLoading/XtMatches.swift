import FirewallModel
import NftablesBytecode

/// iptables-nft's `match` expressions: xt match extensions decoded from their kernel info
/// structures into the same conditions the iptables-save loader gives for the same options.
/// What is not decoded exactly stays an opaque match with a warning.
extension RuleDelinearizer {
    mutating func xtMatch(_ state: inout RuleState, name: String, revision: UInt32, info bytes: Bytes, expression: Expression) {
        let info = XtInfo(bytes)
        var decoded: [Match]?
        switch (name, revision) {
        case ("conntrack", 1...3): decoded = conntrack(info, revision: revision, state: &state, expression: expression)
        case ("state", 0) where info.has(4):
            let mask = info.u32(0)
            decoded = states(mask, untracked: 1 << 6).map { [Match(.connectionState($0), text: "-m state --state \($0.description.uppercased())")] }
        case ("multiport", 0...1): decoded = multiport(info, revision: revision)
        case ("comment", 0) where info.has(1):
            let comment = info.string(0, size: 256)
            state.comments.append(comment)
            decoded = [Match(.comment(comment), text: "-m comment --comment \"\(comment)\"")]
        case ("tcp", 0) where info.has(12): decoded = tcp(info)
        case ("udp", 0) where info.has(10), ("udplite", 0) where info.has(10):
            decoded = portRanges(info, inverse: info.u8(8), module: name)
        case ("icmp", 0) where info.has(4) && xtFamily == .ipv4, ("icmp6", 0) where info.has(4) && xtFamily == .ipv6:
            decoded = [icmp(info, v6: name == "icmp6")]
        case ("iprange", 1) where info.has(65) && xtFamily != nil: decoded = iprange(info, family: xtFamily!)
        case ("addrtype", 1) where info.has(8): decoded = addrtype(info, state: &state, expression: expression)
        case ("mark", 1) where info.has(9), ("connmark", 1) where info.has(9):
            let mark = info.u32(0), mask = info.u32(4)
            let condition: Condition = name == "mark" ? .packetMark(value: mark, mask: mask) : .connectionMark(value: mark, mask: mask)
            decoded = [Match(condition, negated: info.u8(8) & 1 != 0, text: "-m \(name) --mark 0x\(String(mark, radix: 16))/0x\(String(mask, radix: 16))")]
        default:
            decoded = nil
        }
        guard let decoded else {
            appendOpaque(&state, module: name, text: "-m \(name)", expression: expression)
            return
        }
        for match in decoded { state.append(match) }
    }

    /// `ipt_icmp` / `ip6t_icmp`: type, code range and inversion. Type 255 is `any` for ICMP only
    /// (the IPv6 match compares it like any other type); the text is iptables-save's.
    private func icmp(_ info: XtInfo, v6: Bool) -> Match {
        let type = UInt16(info.u8(0)), low = UInt16(info.u8(1)), high = UInt16(info.u8(2))
        let any = type == 0xff && !v6
        // An inverted code range (low above high) matches no code.
        let types = any ? IntervalSet<UInt16>.full : low > high ? IntervalSet() : IntervalSet(type << 8 | low...type << 8 | high)
        let value = any ? "any" : low == 0 && high == 0xff ? "\(type)" : "\(type)/\(low)"
        let negated = info.u8(3) & 1 != 0
        return Match(.icmpType(types), negated: negated,
                     text: "-m \(v6 ? "icmp6" : "icmp") \(negated ? "! " : "")--icmp\(v6 ? "v6" : "")-type \(value)")
    }

    /// xt state bits (`XT_STATE_BIT`): invalid 1, established 2, related 4, new 8, untracked as given; nil with other bits.
    private func states(_ mask: UInt32, untracked: UInt32) -> ConnectionStates? {
        let bits: [(UInt32, ConnectionStates)] = [(1, .invalid), (2, .established), (4, .related), (8, .new), (untracked, .untracked)]
        var states: ConnectionStates = []
        var rest = mask
        for (bit, state) in bits where mask & bit != 0 {
            states.insert(state)
            rest &= ~bit
        }
        return rest == 0 ? states : nil
    }

    /// `xt_conntrack_mtinfo1/2/3`: `--ctstate` is decoded; other tests (`--ctproto`, tuples, status, expiry, direction) stay opaque.
    private mutating func conntrack(_ info: XtInfo, revision: UInt32, state: inout RuleState, expression: Expression) -> [Match]? {
        guard info.has(revision == 1 ? 152 : 154) else { return nil }
        let matchFlags = info.u16(146), invertFlags = info.u16(148)
        let stateMask = revision == 1 ? UInt32(info.u8(150)) : UInt32(info.u16(150))
        var result: [Match] = []
        if matchFlags & 1 != 0 {
            // XT_CONNTRACK_STATE_SNAT/DNAT (64, 128) are the translation; untracked is 256.
            var translated: UInt8 = 0
            if stateMask & 64 != 0 { translated |= TranslationStatus.source }
            if stateMask & 128 != 0 { translated |= TranslationStatus.destination }
            guard let states = states(stateMask & ~UInt32(64 | 128), untracked: 256) else { return nil }
            var names = states.isEmpty ? [] : [states.description.uppercased()]
            if translated & TranslationStatus.source != 0 { names.append("SNAT") }
            if translated & TranslationStatus.destination != 0 { names.append("DNAT") }
            result.append(Match(Condition.connectionState(states, translated: translated), negated: invertFlags & 1 != 0,
                                text: "-m conntrack \(invertFlags & 1 != 0 ? "! " : "")--ctstate \(names.joined(separator: ","))"))
        }
        let others = matchFlags & ~UInt16(1) & ~UInt16(1 << 13)
        if others != 0 {
            let text = "-m conntrack (flags 0x\(String(others, radix: 16)))"
            result.append(Match(.opaque(OpaqueMatch(module: "conntrack", reason: "conntrack tests other than --ctstate are not modelled")), text: text))
            warn("'\(text)' is not modelled; treated as unknown: \(expression)")
        }
        return result
    }

    /// `xt_multiport` (revision 0) and `xt_multiport_v1` (ranges and inversion); ports in host order.
    private func multiport(_ info: XtInfo, revision: UInt32) -> [Match]? {
        guard info.has(revision == 0 ? 32 : 48) else { return nil }
        let kind = info.u8(0), count = Int(info.u8(1))
        guard count <= 15, kind <= 2 else { return nil }
        var ranges: [ClosedRange<UInt16>] = []
        var index = 0
        while index < count {
            let port = info.u16(2 + 2 * index)
            if revision == 1, info.u8(32 + index) != 0, index + 1 < count {
                let high = info.u16(2 + 2 * (index + 1))
                guard port <= high else { return nil }
                ranges.append(port...high)
                index += 2
            } else {
                ranges.append(port...port)
                index += 1
            }
        }
        let set = PortSet(ranges: ranges)
        let negated = revision == 1 && info.u8(47) != 0
        let option = ["--sports", "--dports", "--ports"][Int(kind)]
        let condition: Condition = kind == 2 ? .eitherPort(set) : .port(kind == 0 ? .source : .destination, set)
        return [Match(condition, negated: negated, text: "-m multiport \(negated ? "! " : "")\(option) \(set.portSyntax)")]
    }

    /// `xt_tcp`: port ranges, flags; TCP options stay opaque.
    private func tcp(_ info: XtInfo) -> [Match]? {
        guard info.u8(8) == 0 else { return nil }
        var result = portRanges(info, inverse: info.u8(11), module: "tcp") ?? []
        let mask = info.u8(9), compare = info.u8(10)
        if mask != 0 {
            result.append(Match(.tcpFlags(mask: mask, compare: compare), negated: info.u8(11) & 0x04 != 0,
                                text: "--tcp-flags 0x\(String(mask, radix: 16)) 0x\(String(compare, radix: 16))"))
        }
        return result
    }

    /// The `spts[2]`/`dpts[2]` ranges of `xt_tcp`/`xt_udp`; the full range means no test.
    private func portRanges(_ info: XtInfo, inverse: UInt8, module: String) -> [Match]? {
        var result: [Match] = []
        for (side, offset, bit) in [(PacketSide.source, 0, UInt8(1)), (.destination, 4, 2)] {
            let low = info.u16(offset), high = info.u16(offset + 2)
            let negated = inverse & bit != 0
            if low == 0 && high == 0xffff && !negated { continue }
            guard low <= high else { return nil }
            let set = PortSet(low...high)
            result.append(Match(.port(side, set), negated: negated, text: "\(negated ? "! " : "")--\(side == .source ? "s" : "d")port \(set.portSyntax)"))
        }
        return result
    }

    /// `xt_iprange_mtinfo`: source and destination ranges with their own inversion.
    private func iprange(_ info: XtInfo, family: AddressFamily) -> [Match]? {
        let flags = info.u8(64)
        var result: [Match] = []
        for (side, offset, bit, invert) in [(PacketSide.source, 0, UInt8(1), UInt8(0x10)), (.destination, 32, 2, 0x20)] where flags & bit != 0 {
            let low = info.address(offset, family), high = info.address(offset + 16, family)
            guard low <= high else { return nil }
            let negated = flags & invert != 0
            result.append(Match(.address(side, AddressSet(low...high)), negated: negated,
                                text: "-m iprange \(negated ? "! " : "")--\(side == .source ? "src" : "dst")-range \(IPAddress.format(low, family: family))-\(IPAddress.format(high, family: family))"))
        }
        return result
    }

    /// `xt_addrtype_info_v1`: type bitmasks in `AddressType` order; limiting to an interface stays opaque.
    private mutating func addrtype(_ info: XtInfo, state: inout RuleState, expression: Expression) -> [Match]? {
        let source = info.u16(0), destination = info.u16(2), flags = info.u32(4)
        func types(_ mask: UInt16) -> Set<AddressType> {
            Set(AddressType.allCases.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element))
        }
        guard flags & 0x0c == 0 else { return nil }
        var result: [Match] = []
        for (side, mask, invert) in [(PacketSide.source, source, UInt32(1)), (.destination, destination, 2)] where mask != 0 {
            let set = types(mask)
            let negated = flags & invert != 0
            let names = AddressType.allCases.filter(set.contains).map { $0.rawValue.uppercased() }.joined(separator: ",")
            result.append(Match(.addressType(side, set), negated: negated, text: "-m addrtype \(negated ? "! " : "")--\(side == .source ? "src" : "dst")-type \(names)"))
        }
        return result
    }
}
