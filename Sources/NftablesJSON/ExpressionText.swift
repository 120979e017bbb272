/// Writes JSON values and expressions back in nft's own notation, for rule texts in reports.
enum ExpressionText {
    static func render(_ node: JSONNode) -> String {
        switch node.value {
        case .string(let text): return text
        case .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .array:
            return (node.items ?? []).map(render).joined(separator: ",")
        case .object:
            guard let (key, body) = node.tagged else { return node.compactText }
            switch key {
            case "set":
                let elements = body.itemsOrSingle
                let shown = elements.prefix(16)
                let more = elements.count > 16 ? ", … (\(elements.count) elements)" : ""
                return "{ " + shown.map { element in
                    if let pair = element.items, pair.count == 2 { return render(pair[0]) + " : " + render(pair[1]) }
                    return render(element)
                }.joined(separator: ", ") + more + " }"
            case "prefix": return "\(body["addr"].map(render) ?? "?")/\(body["len"].map(render) ?? "?")"
            case "range":
                if let items = body.items, items.count == 2 { return render(items[0]) + "-" + render(items[1]) }
                return "\(body["min"].map(render) ?? "?")-\(body["max"].map(render) ?? "?")"
            case "concat": return body.itemsOrSingle.map(render).joined(separator: " . ")
            case "elem": return body["val"].map(render) ?? body.compactText
            case "payload":
                if let proto = body["protocol"]?.string, let field = body["field"]?.string { return "\(proto) \(field)" }
                return "@" + [body["base"], body["offset"], body["len"]].map { $0.map(render) ?? "?" }.joined(separator: ",")
            case "meta":
                let name = body["key"]?.string ?? "?"
                return ["iifname", "oifname", "iif", "oif"].contains(name) ? name : "meta \(name)"
            case "ct": return "ct " + (body["dir"]?.string.map { "\($0) " } ?? "") + (body["key"]?.string ?? "?")
            case "&", "|", "^", "<<", ">>":
                let operands = body.itemsOrSingle.map(render)
                return operands.joined(separator: " \(key) ")
            case "accept", "drop", "continue", "return": return key
            case "jump", "goto": return "\(key) \(body["target"].map(render) ?? render(body))"
            default: return key + " " + body.compactText
            }
        }
    }
}

extension ExpressionText {
    /// One rule statement in nft notation (`tcp dport 22`, `ct state established,related`, `jump c`).
    static func statement(_ node: JSONNode) -> String {
        if let text = node.string {
            // nft 1.0.6 writes an anonymous chain as its nft text: keep the first line.
            let first = text.prefix { $0 != "\n" }
            return first.count < text.count ? first + " … }" : text
        }
        guard let (key, body) = node.tagged else { return node.compactText }
        switch key {
        case "match":
            let op = body["op"]?.string ?? "in"
            let left = body["left"].map(render) ?? "?"
            let right = body["right"].map(render) ?? "?"
            return left + (op == "==" || op == "in" ? " " : " \(op) ") + right
        case "accept", "drop", "continue", "return", "notrack", "masquerade", "redirect", "reject", "counter", "queue":
            guard !body.isNull, case .object(let members) = body.value, !members.isEmpty else { return key }
            if key == "counter" { return "counter" }
            return key + " " + members.map(\.0).sorted().compactMap { key in body[key].map { "\(key) \(render($0))" } }.joined(separator: " ")
        case "jump", "goto": return render(node)
        case "vmap": return "\(body["key"].map(render) ?? "?") vmap \(body["data"].map(render) ?? "?")"
        case "mangle": return "\(body["key"].map(render) ?? "?") set \(body["value"].map(render) ?? "?")"
        case "log":
            if let prefix = body["prefix"]?.string { return "log prefix \"\(prefix)\"" }
            return "log"
        case "limit":
            if let rate = body["rate"].map(render), let per = body["per"]?.string {
                return "limit rate " + (body["inv"]?.value == .bool(true) ? "over " : "") + "\(rate)/\(per)"
            }
            return "limit " + body.compactText
        case "snat", "dnat":
            return "\(key) to " + [body["addr"].map(render), body["port"].map { ":" + render($0) }].compactMap { $0 }.joined()
        default:
            return body.isNull ? key : key + " " + body.compactText
        }
    }
}
