import FirewallModel
import NftablesBytecode

/// Verdicts and statements: what a rule does once its matches hold, and the expressions that
/// filter by state the model does not keep (rates, quotas, connection counts, meters) as throttles.
extension RuleDelinearizer {
    func verdict(_ code: VerdictCode, chain: String?) throws(NftablesLoadingError) -> Action {
        switch code {
        case .accept: return .verdict(.accept)
        case .drop: return .verdict(.drop)
        case .return: return .return
        case .continue: return .continue("continue")
        case .jump, .goto:
            guard let chain else { throw error("\(code) without a chain") }
            guard chains.contains(chain) else { throw error("\(code) to missing chain '\(chain)'") }
            return code == .jump ? .jump(chain) : .goto(chain)
        case .queue: return .opaqueVerdict("queue")
        default: return .opaqueVerdict(code.description)
        }
    }

    func verdictText(_ code: VerdictCode, chain: String?) -> String {
        chain.map { "\(code) \($0)" } ?? code.description
    }

    mutating func statement(_ state: inout RuleState, _ expression: Expression) throws(NftablesLoadingError) {
        switch expression {
        case .counter:
            state.pieces.append(.text("counter"))
        case .log(let prefix, let group, _, _, _, _):
            state.logs = true
            state.pieces.append(.text("log" + (prefix.map { " prefix \"\($0)\"" } ?? "") + (group.map { " group \($0)" } ?? "")))
        case .limit(let rate, let unit, let burst, let type, let flags):
            let text = "limit rate \(flags & 1 != 0 ? "over " : "")\(rate)\(type == 1 ? " bytes" : "")/\([1: "second", 60: "minute", 3600: "hour", 86400: "day", 604800: "week"][unit] ?? "\(unit)s") burst \(burst)\(type == 1 ? " bytes" : " packets")"
            throttleOrOpaque(&state, module: "limit", text: text, expression: expression)
        case .quota(let bytes, _, let flags):
            throttleOrOpaque(&state, module: "quota", text: "quota \(flags & 1 != 0 ? "over " : "")\(bytes) bytes", expression: expression)
        case .connlimit(let count, let flags):
            throttleOrOpaque(&state, module: "connlimit", text: "ct count \(flags & 1 != 0 ? "over " : "")\(count)", expression: expression)
        case .reject(let type, let code):
            state.verdict = .verdict(.reject)
            state.pieces.append(.text(type == 1 ? "reject with tcp reset" : "reject type \(type) code \(code)"))
        case .notrack:
            state.effects.append(.notrack)
            state.pieces.append(.text("notrack"))
        case .queue(let number, _, _, _):
            state.verdict = .opaqueVerdict("queue")
            state.pieces.append(.text("queue num \(number)"))
            warn("'queue' hands the verdict to user space; treated as unknown")
        case .nat(let type, let family, let addressMin, let addressMax, let protoMin, let protoMax, _):
            let addresses = try addressRange(state, addressMin, addressMax, family: family)
            let ports = try portRange(state, protoMin, protoMax)
            if (addressMin != nil && addresses == nil) || (protoMin != nil && ports == nil) {
                warn("\(type) target is not a constant; modelled as keeping the original: \(expression)")
            }
            state.verdict = .nat(type == .dnat ? .destination(address: addresses, ports: ports) : .source(address: addresses, ports: ports))
            state.pieces.append(.text(natText(type.description, addresses, ports, family: family)))
            // `dnat ip to …` in an inet table leaves packets of the other family alone: the rule goes on.
            if let only = family == 2 ? AddressFamily.ipv4 : family == 10 ? AddressFamily.ipv6 : nil {
                state.matches.append(RuleState.Pending(match: Match(.addressFamily(only), text: ""), hidden: true))
            }
        case .masquerade(_, let protoMin, let protoMax):
            _ = try portRange(state, protoMin, protoMax)
            state.verdict = .nat(.masquerade)
            state.pieces.append(.text("masquerade"))
        case .redirect(let protoMin, let protoMax, _):
            let ports = try portRange(state, protoMin, protoMax)
            if protoMin != nil && ports == nil { warn("redirect port is not a constant; modelled as keeping the original: \(expression)") }
            state.verdict = .nat(.redirect(ports: ports))
            state.pieces.append(.text("redirect" + (ports.map { " to :\($0.portSyntax)" } ?? "")))
        case .metaSet(let key, let source):
            try setMark(&state, packet: true, key: key.description, source: source, expression: expression)
        case .ctSet(let key, let direction, let source):
            try setMark(&state, packet: false, key: direction == nil ? key.description : "\(key) (direction)", source: source, expression: expression)
        case .payloadWrite, .exthdr:
            state.effects.append(.continue(expression.name))
            state.pieces.append(.text(notation(expression)))
            warn("packet rewrite is not modelled; later rules are assumed to see the original packet: \(expression)")
        case .dynset(let op, _, _, let set, _, let expressions):
            let text = "\(["add", "update", "delete"][min(Int(op), 2)]) @\(set)"
            if expressions.isEmpty {
                state.pieces.append(.text(text))
            } else {
                // Per-element expressions (`meter`): a rate or quota per key decides whether the rule goes on.
                let shown = text + " { " + expressions.map { notation($0) }.joined(separator: " ") + " }"
                if let throttle = RuleDelinearizer.meter(op: op, expressions) {
                    appendThrottle(&state, throttle, text: shown)
                } else {
                    appendOpaque(&state, module: "meter", text: shown, expression: expression)
                }
            }
        case .objref(let type, let name, _, let setName):
            if let setName {
                appendOpaque(&state, module: "objref map", text: "object map @\(setName)", expression: expression)
            } else if let type, [2, 4, 5].contains(type) {
                let kinds: [UInt32: String] = [2: "quota", 4: "limit", 5: "ct count"]
                appendOpaque(&state, module: kinds[type]!, text: "\(kinds[type]!) name \"\(name ?? "")\"", expression: expression)
            } else {
                let kinds: [UInt32: String] = [1: "counter", 3: "ct helper set", 7: "ct timeout set", 8: "meta secmark set", 9: "ct expectation set"]
                if let kind = type.flatMap({ kinds[$0] }) {
                    state.pieces.append(.text("\(kind) \"\(name ?? "")\""))
                } else {
                    appendOpaque(&state, module: "objref", text: notation(expression), expression: expression)
                }
            }
        case .flowOffload(let table):
            state.pieces.append(.text("flow add @\(table)"))
            warn("'flow add @\(table)': offloaded flows bypass the hooks once established; modelled as a statement")
        case .match(let name, let revision, let info):
            if let (throttle, negated) = RuleDelinearizer.xtThrottle(name: name, revision: revision, info: info) {
                appendThrottle(&state, throttle, negated: negated, text: "-m \(name)")
            } else {
                xtMatch(&state, name: name, revision: revision, info: info, expression: expression)
            }
        case .target(let name, let revision, let info):
            xtTarget(&state, name: name, revision: revision, info: info, expression: expression)
        case .other("synproxy", _), .other("fwd", _):
            // These take the packet away (stolen or sent out elsewhere) for at least some packets.
            state.verdict = .opaqueVerdict(expression.name)
            state.pieces.append(.text(notation(expression)))
            warn("'\(expression.name)' decides outside the ruleset; its verdict is treated as unknown: \(expression)")
        case .other("dup", _), .other("last", _):
            state.pieces.append(.text(notation(expression)))
        case .other("tproxy", _):
            state.effects.append(.continue("tproxy"))
            state.pieces.append(.text(notation(expression)))
            warn("'tproxy' delivers to a local socket; not modelled: \(expression)")
        default:
            if case .other = expression { state.sawUnknownExpression = true }
            appendOpaque(&state, module: expression.name, text: notation(expression), expression: expression)
        }
    }

    /// A native rate limit, quota or connection count as a throttle, or opaque when its flags are unknown.
    private mutating func throttleOrOpaque(_ state: inout RuleState, module: String, text: String, expression: Expression) {
        if let throttle = RuleDelinearizer.throttle(expression) {
            appendThrottle(&state, throttle, text: text)
        } else {
            appendOpaque(&state, module: module, text: text, expression: expression)
        }
    }

    /// `meta mark set …` and `ct mark set …` from an immediate, the other mark, or a masked copy of the same mark.
    private mutating func setMark(_ state: inout RuleState, packet: Bool, key: String, source: Register, expression: Expression) throws(NftablesLoadingError) {
        let value = try read(source, state)
        let name = packet ? "meta \(key) set" : "ct \(key) set"
        guard key == "mark" else {
            state.effects.append(.continue(name))
            state.pieces.append(.text(name))
            if packet { note("'\(name)' does not change what the model decides") }
            return
        }
        var action: Action?
        var shown = ""
        switch (value.constant, value.field, value.mask, value.xor) {
        case (let bytes?, _, nil, nil) where bytes.count >= 4:
            let mark = UInt32(truncatingIfNeeded: RegisterValue(field: .packetMark, length: 4).integer(bytes))
            action = packet ? .setMark(value: mark, mask: 0xffff_ffff) : .connectionMark(.set(value: mark, mask: 0xffff_ffff))
            shown = "0x" + String(mark, radix: 16)
        case (nil, .connectionMark, nil, nil) where packet:
            action = .connectionMark(.restore)
            shown = "ct mark"
        case (nil, .packetMark, nil, nil) where !packet:
            action = .connectionMark(.save)
            shown = "meta mark"
        case (nil, let field, let mask?, let xor?) where field == (packet ? .packetMark : .connectionMark):
            // mark = (mark & m) ^ x, which the model writes as (mark & ~mask) ^ value.
            let m = UInt32(truncatingIfNeeded: value.integer(mask)), x = UInt32(truncatingIfNeeded: value.integer(xor))
            action = packet ? .setMark(value: x, mask: ~m) : .connectionMark(.set(value: x, mask: ~m))
            shown = "\(field.name) & 0x\(String(m, radix: 16)) ^ 0x\(String(x, radix: 16))"
        default:
            break
        }
        if let action {
            state.effects.append(action)
            state.pieces.append(.text("\(name) \(shown)"))
        } else {
            state.effects.append(.continue(name))
            state.pieces.append(.text("\(name) \(value.field.name)"))
            warn("'\(name)' from \(value.field.name) is not modelled; later mark tests may be wrong: \(expression)")
        }
    }

    private func addressRange(_ state: RuleState, _ low: Register?, _ high: Register?, family: UInt32) throws(NftablesLoadingError) -> AddressSet? {
        guard let low else { return nil }
        let size = family == NetfilterFamily.ip6.rawValue ? 16 : 4
        func address(_ register: Register) throws(NftablesLoadingError) -> UInt128? {
            let value = try read(register, state)
            guard let bytes = value.constant, bytes.count >= size else { return nil }
            return bytes.bytes.prefix(size).reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
        }
        guard let first = try address(low) else { return nil }
        let last = try high.map { (r: Register) throws(NftablesLoadingError) in try address(r) } ?? first
        guard let last, first <= last else { return nil }
        return AddressSet(first...last)
    }

    private func portRange(_ state: RuleState, _ low: Register?, _ high: Register?) throws(NftablesLoadingError) -> PortSet? {
        guard let low else { return nil }
        func port(_ register: Register) throws(NftablesLoadingError) -> UInt16? {
            let value = try read(register, state)
            guard let bytes = value.constant, bytes.count >= 2 else { return nil }
            return UInt16(bytes.bytes[0]) << 8 | UInt16(bytes.bytes[1])
        }
        guard let first = try port(low) else { return nil }
        let last = try high.map { (r: Register) throws(NftablesLoadingError) in try port(r) } ?? first
        guard let last, first <= last else { return nil }
        return PortSet(first...last)
    }

    private func natText(_ kind: String, _ addresses: AddressSet?, _ ports: PortSet?, family: UInt32) -> String {
        let addressFamily: AddressFamily = family == NetfilterFamily.ip6.rawValue ? .ipv6 : .ipv4
        var text = "\(kind) to"
        if let addresses { text += " " + addresses.addressSyntax(family: addressFamily) }
        if let ports { text += ":" + ports.portSyntax }
        return text
    }
}
