import NftablesSemantics

/// Whether a rule as a script writes it and the same rule as fwaudit lists it from the kernel say
/// the same thing, up to what nft itself rewrites when it loads and lists a rule.
///
/// Both sides become canonical words: quotes dropped, sets and comma lists sorted (`{ 80, 443 }`
/// is `{ 443, 80 }`, a one-element set is its element), service names and protocol numbers as nft
/// prints them, counters' figures and `==` gone, and a protocol check a later field implies
/// (`meta l4proto tcp tcp dport 22`) dropped. The comment is compared on its own.
enum RuleTextComparison {
    /// Whether `script` (a rule's tokens) and the kernel's rule texts and comment agree.
    ///
    /// `kernelTexts` has one text per path of the rule: a map lookup splits a rule into one path per
    /// key, each with the key's values instead of the map. Then the script must look up a map, and
    /// what it writes before the map's key must begin every path.
    static func agree(script: [ScriptToken], kernelTexts: [String], kernelComment: String?, looksUpMap: Bool) -> Bool {
        let (scriptWords, scriptComment) = canonical(script)
        let kernel = kernelTexts.map { canonical(ScriptToken.scan($0)) }
        guard let first = kernel.first, scriptComment == (kernelComment ?? first.comment) else { return false }
        if !looksUpMap { return kernel.contains { $0.words == scriptWords } }
        guard let mapIndex = scriptWords.firstIndex(where: { $0 == "vmap" || $0 == "map" }) else { return false }
        let before = Array(scriptWords[..<mapIndex])
        let prefix = Array(before.dropLast(concatenationKey(before).isEmpty ? min(2, before.count) : keyLength(before)))
        return kernel.allSatisfy { $0.words.starts(with: prefix) }
    }

    /// How many words the key before a map takes: two per selector, one per `.` between them.
    static func keyLength(_ words: [String]) -> Int {
        var index = words.count, length = 0
        while index >= 2 {
            index -= 2
            length += 2
            guard index >= 1, words[index - 1] == "." else { break }
            index -= 1
            length += 1
        }
        return length
    }

    /// Protocol numbers nft prints by name.
    static let protocolNames: [String: String] = [
        "1": "icmp", "2": "igmp", "6": "tcp", "17": "udp", "33": "dccp", "47": "gre", "50": "esp", "51": "ah",
        "58": "icmpv6", "132": "sctp", "136": "udplite", "ipv6-icmp": "icmpv6",
    ]

    /// `meta pkttype` names, which fwaudit lists as numbers.
    static let packetTypes: [String: String] = ["host": "0", "broadcast": "1", "multicast": "2", "other": "3"]

    /// The words of a rule and its comment.
    static func canonical(_ tokens: [ScriptToken]) -> (words: [String], comment: String?) {
        var comment: String?
        var kept: [ScriptToken] = []
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            if token.kind == .word, token.text == "comment", index + 1 < tokens.count, tokens[index + 1].kind == .string {
                comment = tokens[index + 1].text
                index += 2
                continue
            }
            if token.kind != .separator { kept.append(token) }
            index += 1
        }
        var words = grouped(kept[...])
        words = withFlagMasks(words)
        words = withStatusBitTests(words)
        words = withoutNoise(words)
        words = withoutImpliedProtocols(words)
        return (words, comment)
    }

    /// Words with every brace set and comma list turned into one sorted word; one-element sets unwrapped.
    static func grouped(_ tokens: ArraySlice<ScriptToken>) -> [String] {
        var words: [String] = []
        var index = tokens.startIndex
        /// Whether the last word may start a comma list (`established,related`).
        var listStart: Int?
        var list: [String] = []
        func closeList() {
            if let start = listStart, !list.isEmpty {
                words[start] = group(list)
            }
            listStart = nil
            list = []
        }
        while index < tokens.endIndex {
            let token = tokens[index]
            switch token.kind {
            case .open:
                closeList()
                var depth = 1, end = index + 1
                while end < tokens.endIndex, depth > 0 {
                    if tokens[end].kind == .open { depth += 1 }
                    if tokens[end].kind == .close { depth -= 1 }
                    if depth > 0 { end += 1 }
                }
                let key = concatenationKey(words)
                let members = elements(tokens[(index + 1)..<min(end, tokens.endIndex)]).map { element in
                    // The kernel's listing repeats the key's selectors inside each element.
                    key.isEmpty ? element : element.split(separator: " ").filter { !key.contains(String($0)) }.joined(separator: " ")
                }
                words.append(group(members))
                index = end + 1
                continue
            case .comma:
                if listStart == nil, !words.isEmpty {
                    listStart = words.count - 1
                    list = [words[words.count - 1]]
                }
                if index + 1 < tokens.endIndex, tokens[index + 1].kind == .word || tokens[index + 1].kind == .string {
                    list.append(word(tokens[index + 1], after: words.last))
                    index += 2
                    continue
                }
            case .close, .separator:
                break
            case .word, .string:
                closeList()
                words.append(word(token, after: words.last))
            }
            index += 1
        }
        closeList()
        return words
    }

    /// The elements of a set's body, each as canonical words joined by a space.
    static func elements(_ tokens: ArraySlice<ScriptToken>) -> [String] {
        var result: [String] = []
        var current: [ScriptToken] = []
        var depth = 0
        for token in tokens {
            if token.kind == .open { depth += 1 }
            if token.kind == .close { depth -= 1 }
            if token.kind == .comma, depth == 0 {
                if !current.isEmpty { result.append(grouped(current[...]).joined(separator: " ")) }
                current = []
            } else if token.kind != .separator {
                current.append(token)
            }
        }
        if !current.isEmpty { result.append(grouped(current[...]).joined(separator: " ")) }
        return result
    }

    /// The selector words of a concatenated key written just before a set (`meta l4proto . th dport`), else none.
    static func concatenationKey(_ words: [String]) -> Set<String> {
        var index = words.count
        var key: Set<String> = []
        while index >= 2 {
            key.insert(words[index - 1])
            key.insert(words[index - 2])
            index -= 2
            guard index >= 1, words[index - 1] == "." else { break }
            index -= 1
        }
        return key.count > 2 ? key : []
    }

    static func group(_ elements: [String]) -> String {
        elements.count == 1 ? elements[0] : "{" + elements.sorted().joined(separator: ", ") + "}"
    }

    /// One word as nft prints it: service names as ports, protocol numbers as names, hex as decimal,
    /// host prefixes (`/32`, `/128`) dropped.
    static func word(_ token: ScriptToken, after previous: String?) -> String {
        var text = token.text
        if token.kind == .string { return text }
        // A value with nothing before it is a set element: of a port set, when it is a service name.
        if let port = SymbolTables.services[text], previous.map({ $0.hasSuffix("port") || $0 == "." }) ?? true {
            text = String(port)
        }
        if let name = protocolNames[text], ["l4proto", "protocol", "nexthdr"].contains(previous ?? "") || text == "ipv6-icmp" {
            text = name
        }
        if previous == "pkttype", let number = packetTypes[text] { text = number }
        if text.hasPrefix("0x"), let value = UInt64(text.dropFirst(2), radix: 16) { text = String(value) }
        if text.hasSuffix("/32"), text.contains(".") { text.removeLast(3) }
        if text.hasSuffix("/128"), text.contains(":") { text.removeLast(4) }
        return text
    }

    /// A parenthesised list of TCP flags (`(syn | ack)`, `(fin|syn)`) as the number nft lists for the mask.
    static func withFlagMasks(_ words: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < words.count {
            guard words[index].hasPrefix("("), let end = words[index...].firstIndex(where: { $0.hasSuffix(")") }) else {
                result.append(words[index])
                index += 1
                continue
            }
            let inside = words[index...end].joined().dropFirst().dropLast()
            let names = inside.split(separator: "|").map(String.init)
            let bits = names.compactMap { SymbolTables.tcpFlags[$0] }
            if !names.isEmpty, bits.count == names.count {
                result.append(String(bits.reduce(0, |)))
            } else {
                result += words[index...end]
            }
            index = end + 1
        }
        return result
    }

    /// `ct status dnat` as the bit test the kernel runs and fwaudit prints: `ct status & 32 != 0`.
    static func withStatusBitTests(_ words: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < words.count {
            if words[index] == "status", index > 0, words[index - 1] == "ct", index + 1 < words.count {
                let names = words[index + 1].split(separator: ",").map(String.init)
                let bits = names.compactMap { SymbolTables.connectionStatusBits[$0] }
                if !names.isEmpty, bits.count == names.count {
                    result += ["status", "&", String(bits.reduce(0, |)), "!=", "0"]
                    index += 2
                    continue
                }
            }
            result.append(words[index])
            index += 1
        }
        return result
    }

    /// Counter figures and equality operators, which nft adds or drops when listing.
    static func withoutNoise(_ words: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            if (word == "packets" || word == "bytes"), index + 1 < words.count, UInt64(words[index + 1]) != nil {
                index += 2
                continue
            }
            if word == "==" || word == "eq" || word == "counter" { index += 1; continue }
            // `log … flags all` is listed without its flags.
            if word == "flags", index + 1 < words.count, words[index + 1] == "all", result.contains("log") { index += 2; continue }
            if word == "burst", index + 2 < words.count, words[index + 1] == "5", words[index + 2] == "packets" { index += 3; continue }
            // How a rule rejects is printed differently by nft and fwaudit; the verdict itself must agree.
            if word == "reject" { result.append(word); break }
            result.append(word)
            index += 1
        }
        return result
    }

    /// A protocol check (`meta l4proto X`, `ip protocol X`, `ip6 nexthdr X`) left out when a later
    /// field of protocol X implies it, as nft's listing leaves it out.
    static func withoutImpliedProtocols(_ words: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < words.count {
            if index + 2 < words.count, ["meta l4proto", "ip protocol", "ip6 nexthdr"].contains("\(words[index]) \(words[index + 1])") {
                let protocolName = words[index + 2]
                if words[(index + 3)...].contains(protocolName) {
                    index += 3
                    continue
                }
            }
            result.append(words[index])
            index += 1
        }
        return result
    }
}
