import FirewallModel
import NftablesSemantics

/// What one statement of a rule contributes.
enum Statement {
    /// Conditions the packet must meet for the rest of the rule to run.
    case condition([Match])
    /// A non-terminal change to state the model tracks (`meta mark set`, `ct mark set`, `notrack`).
    case effect(Action)
    /// No influence on the packet's fate (`counter`, `log`, `set add`): kept in the rule text only.
    case sideEffect(String)
    /// The rule's verdict.
    case verdict(Action)
    /// A verdict map, already expanded: one exact key condition and verdict per element.
    case verdictMap([(matches: [Match], action: Action)])
    /// A statement the loader does not know: an opaque match; the rule's verdict is unknown if none follows.
    case unknown(Match, name: String)
}

/// Reads rule statements (`expr` items) into conditions, effects and verdicts.
struct StatementReader {
    var matches: MatchReader
    /// Chains of the table, for checking jump and goto targets.
    let chains: Set<String>

    var builder: MatchBuilder {
        get { matches.builder }
        set { matches.builder = newValue }
    }

    mutating func read(_ node: JSONNode) throws(NftablesJSONError) -> Statement {
        if let text = node.string, text.hasPrefix("jump {") || text.hasPrefix("goto {") {
            // nft 1.0.6 writes a rule's anonymous chain as nft text instead of JSON: its rules are lost.
            let match = builder.opaque("anonymous chain", reason: "the export holds the anonymous chain only as text (an nft 1.0.6 bug)",
                                       text: String(text.prefix(while: { $0 != "\n" })) + " … }")
            return .unknown(match, name: "anonymous chain")
        }
        guard let (key, body) = node.tagged else { throw node.error("expected a statement object with one key, found \(node.compactText)") }
        switch key {
        case "match":
            return .condition(try matches.read(body))
        case "accept": return .verdict(.verdict(.accept))
        case "drop": return .verdict(.verdict(.drop))
        case "reject": return .verdict(.verdict(.reject))
        case "continue": return .verdict(.continue("continue"))
        case "return": return .verdict(.return)
        case "jump", "goto":
            let target = try chainTarget(body)
            return .verdict(key == "jump" ? .jump(target) : .goto(target))
        case "verdict":
            // Some producers wrap verdicts: {"verdict": {"jump": {"target": …}}}.
            return try read(body)
        case "vmap":
            return .verdictMap(try verdictMap(body))
        case "counter", "log", "ct helper", "ct timeout", "ct expectation", "secmark", "dup":
            return .sideEffect(key)
        case "set", "map":
            // Dynamic set updates: the sets themselves become opaque to lookups (see NamedSet.isDynamic).
            // Per-element statements (`add @s { ip saddr limit rate over 5/minute }`) decide whether the rule goes on.
            if let statements = body["stmt"] {
                let text = ExpressionText.statement(node)
                if let throttle = JSONThrottles.meter(statements.itemsOrSingle) { return .condition([Match(.throttle(throttle), text: text)]) }
                if !statements.itemsOrSingle.allSatisfy({ $0.tagged?.key == "counter" }) {
                    return .condition([builder.opaque("meter", reason: "per-element statements other than rate limits, quotas and counts are not modelled", text: text)])
                }
            }
            return .sideEffect("\(key) \(body["op"]?.string ?? "update") \(body["set"].map(ExpressionText.render) ?? body["map"].map(ExpressionText.render) ?? "")")
        case "flow":
            builder.warn("'flow add \(body["flowtable"].map(ExpressionText.render) ?? "")': later packets of offloaded connections bypass the forward hook; not modelled")
            return .sideEffect("flow add")
        case "notrack":
            return .effect(.notrack)
        case "mangle":
            return try mangle(body)
        case "limit", "quota", "ct count", "meter", "tproxy", "numgen", "last":
            let text = key + " " + (body.isNull ? "" : body.compactText)
            let throttle = key == "meter" ? body["stmt"].flatMap { JSONThrottles.meter($0.itemsOrSingle) } : JSONThrottles.throttle(key, body)
            if let throttle { return .condition([Match(.throttle(throttle), text: text)]) }
            return .condition([builder.opaque(key, reason: "\(key) depends on traffic or state outside the packet", text: text)])
        case "xt":
            let name = body["name"]?.string ?? "?"
            if body["type"]?.string == "target" {
                builder.warn("iptables target '\(name)' (xt) is not modelled; its verdict is treated as unknown")
                return .verdict(.opaqueVerdict("xt \(name)"))
            }
            return .condition([builder.opaque("xt \(name)", reason: "iptables extension inside nftables is not modelled", text: "xt \(name)")])
        case "queue", "synproxy", "fwd":
            builder.warn("'\(key)' is not modelled; its verdict is treated as unknown")
            return .verdict(.opaqueVerdict(key))
        case "snat", "dnat", "masquerade", "redirect":
            let action = Action.nat(try nat(key, body))
            // `dnat ip to …` in an inet table leaves packets of the other family alone: the rule goes on.
            switch body["family"]?.string {
            case "ip": return .verdictMap([(matches: [Match(.addressFamily(.ipv4), text: "")], action: action)])
            case "ip6": return .verdictMap([(matches: [Match(.addressFamily(.ipv6), text: "")], action: action)])
            default: return .verdict(action)
            }
        default:
            let match = builder.opaque(key, reason: "statement '\(key)' is not modelled", text: key + " " + body.compactText)
            return .unknown(match, name: key)
        }
    }

    private func chainTarget(_ body: JSONNode) throws(NftablesJSONError) -> String {
        let target = try (body.string != nil ? body : body.member("target")).requireString()
        guard chains.contains(target) else { throw body.error("unknown chain '\(target)'") }
        return target
    }

    /// A verdict inside a verdict map element.
    private func mapVerdict(_ node: JSONNode) throws(NftablesJSONError) -> Action {
        if let word = node.string {
            switch word {
            case "accept": return .verdict(.accept)
            case "drop": return .verdict(.drop)
            case "continue": return .continue("continue")
            case "return": return .return
            default: throw node.error("unknown verdict '\(word)'")
            }
        }
        guard let (key, body) = node.tagged else { throw node.error("expected a verdict, found \(node.compactText)") }
        switch key {
        case "accept": return .verdict(.accept)
        case "drop": return .verdict(.drop)
        case "reject": return .verdict(.reject)
        case "continue": return .continue("continue")
        case "return": return .return
        case "jump": return .jump(try chainTarget(body))
        case "goto": return .goto(try chainTarget(body))
        case "verdict": return try mapVerdict(body)
        default: throw node.error("unknown verdict '\(key)'")
        }
    }

    // MARK: Verdict maps

    /// `key vmap { k1 : v1, k2 : v2, * : v3 }` as one exact condition per element; the catch-all
    /// element takes what no other key matches.
    private mutating func verdictMap(_ body: JSONNode) throws(NftablesJSONError) -> [(matches: [Match], action: Action)] {
        let keyExpression = try matches.selectors.read(try body.member("key"))
        let data = try body.member("data")
        var pairs: [(key: JSONNode, verdict: JSONNode)] = []
        var mapName: String?
        var dynamicMap = false
        if let text = data.string, text.hasPrefix("@") {
            let name = String(text.dropFirst())
            guard let map = matches.sets[name], let values = map.data else { throw data.error("unknown map '\(name)'") }
            guard map.isVerdictMap else { throw data.error("map '\(name)' is not a verdict map") }
            pairs = Array(zip(map.keys, values))
            mapName = name
            dynamicMap = map.isDynamic
        } else if let (key, elements) = data.tagged, key == "set" {
            for element in elements.itemsOrSingle {
                let pair = ElementReader.unwrap(element)
                guard let parts = pair.items, parts.count == 2 else { throw element.error("verdict map element must be a [key, verdict] pair") }
                pairs.append((parts[0], parts[1]))
            }
        } else {
            throw data.error("expected a verdict map ('@name' or {\"set\": …}), found \(data.compactText)")
        }
        let keyText = keyExpression.text
        let mapText = mapName.map { "@" + $0 } ?? ExpressionText.render(data)
        var dependencies: [Match] = []
        let parts: [Selector]
        switch keyExpression {
        case .single(let selector): parts = [selector]
        case .concatenation(let selectors): parts = selectors
        }
        for part in parts {
            for dependency in builder.dependencies(of: part.field) where !dependencies.contains(dependency) { dependencies.append(dependency) }
        }
        // One condition per key; nil when a key cannot be modelled.
        var keyConditions: [Match?] = []
        var isCatchAll: [Bool] = []
        for pair in pairs {
            let key = ElementReader.unwrap(pair.key)
            isCatchAll.append(key.string == "*")
            let text = "\(keyText) \(ExpressionText.render(key)) (vmap \(mapText))"
            switch keyExpression {
            case .single(let selector):
                keyConditions.append(matches.condition(selector, items: [key], op: "==", isSet: true, text: text))
            case .concatenation(let selectors):
                keyConditions.append(matches.concatenated(selectors, key, text: text).map { Match(.oneOf([$0]), text: text) })
            }
        }
        var expanded: [(matches: [Match], action: Action)] = []
        // A map keyed by `numgen` (kube-proxy's nftables endpoint pick): each key is a per-connection
        // choice; when the keys cover every number numgen gives, the last takes what the others did not.
        if !dynamicMap, case .single(let selector) = keyExpression, case .numgen(let modulus, let offset) = selector.field {
            var covered = Set<UInt64>()
            for pair in pairs { if let number = ElementReader.unwrap(pair.key).unsigned { covered.insert(number) } }
            let exhaustive = (UInt64(offset)..<UInt64(offset) + UInt64(modulus)).allSatisfy(covered.contains)
            for (index, pair) in pairs.enumerated() {
                let action = try mapVerdict(pair.verdict)
                if exhaustive && index == pairs.count - 1 {
                    expanded.append((dependencies, action))
                } else {
                    let text = "\(keyText) \(ExpressionText.render(ElementReader.unwrap(pair.key))) (vmap \(mapText))"
                    let choice = OpaqueMatch(module: "numgen", reason: "\(keyText) picks per connection: each answer is followed", isChoice: true)
                    expanded.append((dependencies + [Match(.opaque(choice), text: text)], action))
                }
            }
            return expanded
        }
        let modelled = !dynamicMap && keyConditions.allSatisfy { $0 != nil } && !parts.contains { if case .opaque = $0.field { true } else { false } }
        let reason = dynamicMap ? "verdict map '\(mapName ?? "")' changes at run time" : "verdict map key is not modelled"
        for (index, pair) in pairs.enumerated() {
            let action = try mapVerdict(pair.verdict)
            let text = "\(keyText) \(ExpressionText.render(ElementReader.unwrap(pair.key))) (vmap \(mapText))"
            guard modelled, let condition = keyConditions[index] else {
                expanded.append((dependencies + [builder.opaque(keyText, reason: reason, text: text)], action))
                continue
            }
            if isCatchAll[index] {
                // The catch-all applies when no other key matches.
                let others = keyConditions.enumerated().filter { !isCatchAll[$0.offset] }.compactMap { $0.element }
                let none = Match(.oneOf(others.map { [$0] }), negated: true, text: "\(keyText) not in \(mapText)")
                expanded.append((dependencies + [none], action))
            } else {
                expanded.append((dependencies + [condition], action))
            }
        }
        return expanded
    }

    // MARK: Mangling

    private mutating func mangle(_ body: JSONNode) throws(NftablesJSONError) -> Statement {
        let key = try body.member("key")
        let value = try body.member("value")
        let target = try matches.selectors.selector(key)
        let text = "\(target.text) set \(ExpressionText.render(value))"
        switch target.field {
        case .packetMark:
            if let source = try? matches.selectors.selector(value), source.field == .connectionMark, source.mask == nil {
                return .effect(.connectionMark(.restore))
            }
            if let (mask, xor) = maskedUpdate(value, of: .packetMark) { return .effect(.setMark(value: xor, mask: mask)) }
        case .connectionMark:
            if let source = try? matches.selectors.selector(value), source.field == .packetMark, source.mask == nil {
                return .effect(.connectionMark(.save))
            }
            if let (mask, xor) = maskedUpdate(value, of: .connectionMark) { return .effect(.connectionMark(.set(value: xor, mask: mask))) }
        case .address, .port, .layer4Protocol, .icmpType, .icmpCode, .tcpFlags, .connectionState:
            builder.warn("'\(text)' rewrites a field the analysis reads; later matches see the old value")
            return .sideEffect(text)
        default:
            return .sideEffect(text)
        }
        builder.warn("'\(text)' is not modelled; later mark matches may see the old value")
        return .sideEffect(text)
    }

    /// `new = (old & ~mask) ^ value` for constant and bitwise updates of a mark, or nil.
    private func maskedUpdate(_ value: JSONNode, of field: Field) -> (mask: UInt32, value: UInt32)? {
        if let number = value.unsigned, number <= UInt64(UInt32.max) { return (0xffff_ffff, UInt32(number)) }
        guard let (op, body) = value.tagged, let operands = body.items, operands.count == 2,
              let constant = operands[1].unsigned, constant <= UInt64(UInt32.max) else { return nil }
        let c = UInt32(constant)
        // The inner operand: the mark itself, or `mark & M` under `|`.
        if let inner = try? matches.selectors.selector(operands[0]), inner.field == field {
            let m = inner.mask ?? 0xffff_ffff
            switch op {
            case "&": return (~(m & c), 0)
            case "|": return (~m | c, c)
            case "^": return (~m, c)
            default: return nil
            }
        }
        return nil
    }

    // MARK: NAT

    private mutating func nat(_ key: String, _ body: JSONNode) throws(NftablesJSONError) -> NatAction {
        let address = body.isNull ? nil : body["addr"]
        let port = body.isNull ? nil : body["port"]
        let addresses = address.flatMap(natAddresses)
        let ports = port.flatMap(natPorts)
        if address != nil && addresses == nil || port != nil && ports == nil {
            builder.warn("'\(key)' to \(address.map(ExpressionText.render) ?? "") \(port.map(ExpressionText.render) ?? ""): the translated address or port is not modelled exactly")
        }
        switch key {
        case "snat": return .source(address: addresses, ports: ports)
        case "dnat": return .destination(address: addresses, ports: ports)
        case "redirect": return .redirect(ports: ports)
        default: return .masquerade
        }
    }

    private func natAddresses(_ node: JSONNode) -> AddressSet? {
        if let text = node.string, let address = IPAddress(text) { return AddressSet(value: address.value) }
        if let (key, body) = node.tagged {
            switch key {
            case "range":
                guard let bounds = body.items, bounds.count == 2, let low = bounds[0].string.flatMap(IPAddress.init),
                      let high = bounds[1].string.flatMap(IPAddress.init), low.family == high.family, low.value <= high.value else { return nil }
                return AddressSet(low.value...high.value)
            case "prefix":
                guard let address = body["addr"]?.string, let length = body["len"]?.unsigned else { return nil }
                return AddressPrefix("\(address)/\(length)")?.addresses
            case "map":
                // `dnat to ip daddr map { … }`: one of the map's values.
                guard let data = body["data"] else { return nil }
                var values: [JSONNode] = []
                if let text = data.string, text.hasPrefix("@"), let map = matches.sets[String(text.dropFirst())], let mapData = map.data {
                    values = mapData
                } else if let (setKey, elements) = data.tagged, setKey == "set" {
                    for element in elements.itemsOrSingle {
                        guard let parts = ElementReader.unwrap(element).items, parts.count == 2 else { return nil }
                        values.append(parts[1])
                    }
                } else {
                    return nil
                }
                var union = AddressSet()
                for value in values {
                    guard let set = natAddresses(value) else { return nil }
                    union = union.union(set)
                }
                return union.isEmpty ? nil : union
            default: return nil
            }
        }
        return nil
    }

    private func natPorts(_ node: JSONNode) -> PortSet? {
        if let number = node.unsigned, number <= 0xffff { return PortSet(value: UInt16(number)) }
        if let (key, body) = node.tagged, key == "range", let bounds = body.items, bounds.count == 2,
           let low = bounds[0].unsigned, let high = bounds[1].unsigned, low <= high, high <= 0xffff {
            return PortSet(UInt16(low)...UInt16(high))
        }
        return nil
    }
}
