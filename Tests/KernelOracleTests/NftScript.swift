import Foundation
import FirewallModel

/// Writes a generated ruleset as an nft script for `nft -f`, so the native nftables path (kernel
/// expressions, read back over netlink and delinearized) meets the same random rules as iptables.
///
/// The oracle compares the kernel and fwaudit on the *script*, so the script need not mean exactly
/// what the iptables text means; it follows it closely anyway, so probes aimed at the iptables
/// rules' boundaries land on the script's. Both styles put raw, mangle and filter chains on the
/// same hooks at priorities -300, -150 and 0.
///
/// - `inet`: one `table inet fwaudit_rules` holding every chain (`filter_INPUT`, `raw_u1`, …):
///   several base chains of one table on one hook; existing interfaces matched by index (`iif`);
///   multiport lists, address prefixes and ranges as named interval sets, written in turn as
///   given, as adjacent intervals and as overlapping intervals nft merges (`IntervalShape`).
/// - `perFamily`: one `ip`/`ip6` table per iptables table, chains named as in iptables; interfaces
///   by name; multiport lists as anonymous sets.
/// - `mixed`: the filter table as `inet fwaudit_rules` (written as in `inet`), raw and mangle as
///   `ip`/`ip6` tables (as in `perFamily`): tables of two families on the same hooks.
///
/// Outside the inet table, IPv4 protocols are matched as `ip protocol`, single ports as `th`
/// ports, several conntrack states as an anonymous set rather than a bitmask, and a positive
/// address prefix of a rule ending in a verdict as a one-element verdict map.
///
/// Throttles become the nft throttle with the same within-limits answer: `limit` a `limit rate`,
/// `hashlimit` a `meter` with a per-source limit, `connlimit` `ct count`, `quota` `quota`, and
/// `recent` a per-source limit in a dynamic set (`add @w…`, in the inet table) or a `meter`;
/// `over` where the iptables match (with its `!`) does not match within limits.
///
/// In all styles, a positive multiport match whose target is a verdict becomes a verdict map, and a
/// positive address prefix together with a positive single port becomes a concatenation
/// (`ip saddr . tcp dport { 10.0.0.0/8 . 22 }`), as does an ICMP type with its code.
struct NftScript {
    enum Style: String, Sendable, Hashable, CaseIterable {
        case inet
        case perFamily = "per-family"
        case mixed
    }

    let ruleset: GeneratedRuleset
    let style: Style

    /// The style of ruleset `index` of a campaign: alternating, so both are exercised.
    static func style(forRuleset index: Int) -> Style { [.inet, .perFamily, .mixed][index % 3] }

    static let priorities = ["raw": -300, "mangle": -150, "filter": 0]
    static let tableName = "fwaudit_rules"

    private var isV4: Bool { ruleset.family == .ipv4 }
    private var addressFamily: String { isV4 ? "ip" : "ip6" }

    /// The script, with `header` lines written as `#` comments first.
    func text(header: [String] = []) -> String {
        var lines = header.map { "# " + $0 }
        var sets: [String] = []
        var counter = 0
        for table in ruleset.tables where !isInet(table.name) {
            lines.append("table \(addressFamily) \(table.name) {")
            for chain in table.chains { lines += self.chain(chain, table: table.name, sets: &sets, counter: &counter) }
            lines.append("}")
        }
        let inetTables = ruleset.tables.filter { isInet($0.name) }
        if !inetTables.isEmpty {
            // Named sets are declared in the one inet table, before the chains that use them.
            var chains: [String] = []
            for table in inetTables {
                for chain in table.chains { chains += self.chain(chain, table: table.name, sets: &sets, counter: &counter) }
            }
            lines.append("table inet \(NftScript.tableName) {")
            lines += sets.map { "    " + $0 }
            lines += chains
            lines.append("}")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Whether iptables table `table` is written into the inet table.
    private func isInet(_ table: String) -> Bool { style == .inet || (style == .mixed && table == "filter") }

    private func chainName(_ name: String, table: String) -> String { isInet(table) ? "\(table)_\(name)" : name }

    private func chain(_ chain: GeneratedRuleset.Chain, table: String, sets: inout [String], counter: inout Int) -> [String] {
        var lines = ["    chain \(chainName(chain.name, table: table)) {"]
        if let policy = chain.policy, table == "nat" {
            // nat chains: the destination translations before routing, the source ones after.
            let priority = ["PREROUTING": -100, "OUTPUT": -100, "INPUT": 100, "POSTROUTING": 100][chain.name]!
            lines.append("        type nat hook \(chain.name.lowercased()) priority \(priority); policy \(policy.lowercased());")
        } else if let policy = chain.policy {
            let hook = chain.name.lowercased()
            // iptables-nft registers mangle OUTPUT as a route chain (re-routing after a mark changes).
            let type = table == "mangle" && chain.name == "OUTPUT" && !isInet(table) ? "route" : "filter"
            lines.append("        type \(type) hook \(hook) priority \(NftScript.priorities[table] ?? 0); policy \(policy.lowercased());")
        }
        for rule in chain.rules {
            for line in self.rule(rule, table: table, sets: &sets, counter: &counter) { lines.append("        " + line) }
        }
        lines.append("    }")
        return lines
    }

    // MARK: - Rules

    /// One rule as one or two nft rules (`multiport --ports` is an "either port" match: two disjoint rules).
    private func rule(_ rule: GeneratedRuleset.Rule, table: String, sets: inout [String], counter: inout Int) -> [String] {
        var statements: [String] = []
        var comment: String?
        var proto = "th"
        var eitherPorts: [String]?
        var vmapKey: (field: String, elements: [String])?
        let verdict = rule.target.flatMap { verdictStatement($0, table: table) }
        var matches = rule.matches
        // A positive prefix and a positive single port: one concatenated lookup.
        if let address = matches.firstIndex(where: { $0.hasPrefix("-s ") || $0.hasPrefix("-d ") }),
           let port = matches.firstIndex(where: { ($0.hasPrefix("-m tcp --") || $0.hasPrefix("-m udp --")) && ($0.contains("port ")) }),
           let protoIndex = matches.firstIndex(where: { $0 == "-p tcp" || $0 == "-p udp" }) {
            let protoName = String(matches[protoIndex].dropFirst(3))
            let addressWords = matches[address].split(separator: " ")
            let portWords = matches[port].split(separator: " ")
            let field = "\(addressFamily) \(addressWords[0] == "-s" ? "saddr" : "daddr") . \(protoName) \(portWords[2] == "--sport" ? "sport" : "dport")"
            statements.append("meta l4proto \(protoName)")
            statements.append("\(field) { \(addressWords[1]) . \(portWords[3].replacingOccurrences(of: ":", with: "-")) }")
            matches = matches.enumerated().filter { ![address, port, protoIndex].contains($0.offset) }.map(\.element)
            proto = protoName
        }
        for match in matches {
            var words = match.split(separator: " ").map(String.init)
            var negated = false
            if words.first == "!" { negated = true; words.removeFirst() }
            if words.count >= 2, words[0] == "-m" {
                let module = words[1]
                words.removeFirst(2)
                if words.first == "!" { negated = true; words.removeFirst() }
                let op = negated ? "!= " : ""
                switch module {
                case "tcp", "udp":
                    switch words[0] {
                    case "--dport", "--sport":
                        // Outside the inet table, a port of the transport header whatever the protocol (`th`).
                        let header = isInet(table) ? module : "th"
                        statements.append("\(header) \(words[0].dropFirst(2)) \(op)\(words[1].replacingOccurrences(of: ":", with: "-"))")
                    case "--syn":
                        statements.append("tcp flags & (fin|syn|rst|ack) \(negated ? "!=" : "==") syn")
                    case "--tcp-flags":
                        statements.append("tcp flags & (\(flags(words[1]))) \(negated ? "!=" : "==") \(flags(words[2]))")
                    default:
                        statements.append("# unknown \(match)")
                    }
                case "multiport":
                    let elements = NftScript.mergedPorts(words[1])
                    let option = words[0]
                    if option == "--ports" {
                        if negated {
                            statements.append("\(proto) sport != { \(elements.joined(separator: ", ")) }")
                            statements.append("\(proto) dport != { \(elements.joined(separator: ", ")) }")
                        } else {
                            eitherPorts = elements
                        }
                    } else {
                        let field = "\(proto) \(option == "--dports" ? "dport" : "sport")"
                        if !negated, verdict.map(NftScript.isMapVerdict) == true, vmapKey == nil {
                            vmapKey = (field, elements)
                        } else if isInet(table) {
                            counter += 1
                            let shape = NftScript.IntervalShape(counter)
                            let name = "ports\(shape.suffix)\(counter)"
                            let written = NftScript.portElements(elements, shape: shape)
                            sets.append("set \(name) { type inet_service; flags interval;\(shape.flags) elements = { \(written.joined(separator: ", ")) } }")
                            statements.append("\(field) \(op)@\(name)")
                        } else {
                            statements.append("\(field) \(op){ \(elements.joined(separator: ", ")) }")
                        }
                    }
                case "iprange":
                    let field = "\(addressFamily) \(words[0] == "--src-range" ? "saddr" : "daddr")"
                    statements.append(addressMatch(field, words[1], negated: negated, table: table, sets: &sets, counter: &counter))
                case "conntrack" where ["dnat", "snat"].contains(words[1].lowercased()):
                    // The translation states are status bits in nft: `ct status dnat`.
                    statements.append("ct status \(op)\(words[1].lowercased())")
                case "conntrack", "state":
                    // A bitmask test in the inet table, a set lookup elsewhere (a packet has one state).
                    let states = words[1].lowercased()
                    statements.append(isInet(table) || !states.contains(",") ? "ct state \(op)\(states)"
                                      : "ct state \(op){ \(states.split(separator: ",").joined(separator: ", ")) }")
                case "mark":
                    statements.append(markMatch("meta mark", words[1], negated: negated))
                case "connmark":
                    statements.append(markMatch("ct mark", words[1], negated: negated))
                case "comment":
                    comment = words[1]
                case "icmp", "icmp6":
                    statements += icmpMatch(words[1], v6: module == "icmp6", negated: negated)
                case "limit", "hashlimit", "connlimit", "quota", "recent":
                    statements.append(throttle(module, words, negated: negated, table: table, sets: &sets))
                default:
                    statements.append("# unknown \(match)")
                }
                continue
            }
            let op = negated ? "!= " : ""
            switch words[0] {
            case "-s", "-d":
                let field = "\(addressFamily) \(words[0] == "-s" ? "saddr" : "daddr")"
                // Outside the inet table, a positive prefix of a rule ending in a verdict (and no
                // positive multiport list, which takes the map) is a one-element verdict map.
                let listTakesMap = matches.contains { $0.hasPrefix("-m multiport --dports") || $0.hasPrefix("-m multiport --sports") }
                if !negated, !isInet(table), !listTakesMap, vmapKey == nil, let verdict, NftScript.isMapVerdict(verdict) {
                    vmapKey = (field, [words[1]])
                } else {
                    statements.append(addressMatch(field, words[1], negated: negated, table: table, sets: &sets, counter: &counter))
                }
            case "-i", "-o": statements.append(interfaceMatch(words[1], input: words[0] == "-i", op: op, table: table))
            case "-p":
                // IPv4 outside the inet table: the IP header's protocol field rather than meta l4proto.
                let key = isV4 && !isInet(table) ? "ip protocol" : "meta l4proto"
                statements.append("\(key) \(op)\(words[1])")
                if !negated { proto = words[1] == "tcp" || words[1] == "udp" ? words[1] : "th" }
            default: statements.append("# unknown \(match)")
            }
        }
        var tail: [String] = []
        if let vmapKey, let verdict {
            tail.append("\(vmapKey.field) vmap { \(vmapKey.elements.map { "\($0) : \(verdict)" }.joined(separator: ", ")) }")
        } else if let target = rule.target {
            tail += targetStatements(target, table: table)
        }
        if statements.isEmpty && tail.isEmpty { tail.append("counter") }
        if let comment { tail.append("comment \"\(comment)\"") }
        guard let ports = eitherPorts else { return [(statements + tail).joined(separator: " ")] }
        let list = "{ \(ports.joined(separator: ", ")) }"
        // A meter belongs to one rule: the second rule gets its own.
        let second = statements.map { $0.replacingOccurrences(of: #"^meter (\w+) "#, with: "meter $1_2 ", options: .regularExpression) }
        return [(statements + ["\(proto) sport \(list)"] + tail).joined(separator: " "),
                (second + ["\(proto) sport != \(list)", "\(proto) dport \(list)"] + tail).joined(separator: " ")]
    }

    /// The nft throttle for an iptables throttle match (`words` are its options, `!` left out).
    private func throttle(_ module: String, _ words: [String], negated: Bool, table: String, sets: inout [String]) -> String {
        let within: Bool
        switch module {
        case "hashlimit": within = words.contains("--hashlimit-upto")
        case "connlimit": within = words.contains("--connlimit-upto") != negated
        case "recent": within = words.contains("--set") != negated
        case "quota": within = !negated
        default: within = true
        }
        let over = within ? "" : "over "
        let rate = "limit rate \(over)10000/second burst 10000 packets"
        let name = words.firstIndex(where: { $0 == "--hashlimit-name" || $0 == "--name" }).map { words[$0 + 1] } ?? "m"
        switch module {
        case "connlimit": return "ct count \(over)100000"
        case "quota": return "quota \(over)1000 mbytes"
        case "limit": return rate
        case "recent" where isInet(table):
            sets.append("set \(name) { type \(isV4 ? "ipv4_addr" : "ipv6_addr"); size 65535; flags dynamic; }")
            return "add @\(name) { \(addressFamily) saddr \(rate) }"
        default:
            return "meter \(name) size 65535 { \(addressFamily) saddr \(rate) }"
        }
    }

    /// Verdicts a verdict map can hold.
    static func isMapVerdict(_ verdict: String) -> Bool {
        ["accept", "drop", "return"].contains(verdict) || verdict.hasPrefix("jump ") || verdict.hasPrefix("goto ")
    }

    /// The nft verdict for an iptables target that is one, nil otherwise.
    private func verdictStatement(_ target: String, table: String) -> String? {
        switch target {
        case "-j ACCEPT": return "accept"
        case "-j DROP": return "drop"
        case "-j RETURN": return "return"
        default:
            if target.hasPrefix("-j u") { return "jump \(chainName(String(target.dropFirst(3)), table: table))" }
            if target.hasPrefix("-g u") { return "goto \(chainName(String(target.dropFirst(3)), table: table))" }
            return nil
        }
    }

    private func targetStatements(_ target: String, table: String) -> [String] {
        if let verdict = verdictStatement(target, table: table) { return [verdict] }
        let words = target.split(separator: " ").map(String.init)
        switch words[1] {
        case "REJECT":
            if isInet(table) { return ["reject with icmpx type port-unreachable"] }
            return [isV4 ? "reject with icmp type port-unreachable" : "reject with icmpv6 type port-unreachable"]
        case "LOG": return ["log prefix \"\(words.last!)\""]
        case "MARK": return [markSet("meta mark", words[3])]
        case "CONNMARK":
            switch words[2] {
            case "--save-mark": return ["ct mark set meta mark"]
            case "--restore-mark": return ["meta mark set ct mark"]
            default: return [markSet("ct mark", words[3])]
            }
        case "CT", "NOTRACK": return ["notrack"]
        case "DNAT": return ["dnat \(addressFamily) to \(words[3])"]
        case "SNAT": return ["snat \(addressFamily) to \(words[3])"]
        case "REDIRECT": return [words.count > 3 ? "redirect to :\(words[3])" : "redirect"]
        case "MASQUERADE": return ["masquerade"]
        default: return ["# unknown \(target)"]
        }
    }

    // MARK: - Pieces

    /// `SYN,ACK` → `syn|ack`; `ALL` is every flag iptables names.
    private func flags(_ text: String) -> String {
        if text == "ALL" { return "fin|syn|rst|psh|ack|urg" }
        return text.lowercased().split(separator: ",").joined(separator: "|")
    }

    private func interfaceMatch(_ name: String, input: Bool, op: String, table: String) -> String {
        let key = input ? "iif" : "oif"
        if isInet(table), ["eth0", "eth1", "lo"].contains(name) { return "\(key) \(op)\"\(name)\"" }
        let pattern = name.hasSuffix("+") ? String(name.dropLast()) + "*" : name
        return "\(key)name \(op)\"\(pattern)\""
    }

    /// An address prefix or range: in the inet table a lookup in a named interval set of one
    /// element, elsewhere a plain comparison.
    private func addressMatch(_ field: String, _ value: String, negated: Bool, table: String, sets: inout [String], counter: inout Int) -> String {
        let op = negated ? "!= " : ""
        guard isInet(table) else { return "\(field) \(op)\(value)" }
        counter += 1
        let shape = NftScript.IntervalShape(counter)
        let name = "addresses\(shape.suffix)\(counter)"
        let elements = NftScript.addressElements(value, family: ruleset.family, shape: shape)
        sets.append("set \(name) { type \(isV4 ? "ipv4_addr" : "ipv6_addr"); flags interval;\(shape.flags) elements = { \(elements.joined(separator: ", ")) } }")
        return "\(field) \(op)@\(name)"
    }

    /// How a named interval set writes its elements, taking turns so that the kernel's every way of
    /// storing intervals is read back: as given; split into adjacent intervals (one's end is the
    /// next one's start); or overlapping, merged by nft (`auto-merge`). The set means the same each way.
    enum IntervalShape: Sendable, Hashable {
        case plain, adjacent, overlapping

        /// The shape of named set number `counter`.
        init(_ counter: Int) { self = [.plain, .adjacent, .overlapping][counter % 3] }

        /// Added to the set's name, so a script shows which shapes it uses.
        var suffix: String {
            switch self {
            case .plain: ""
            case .adjacent: "_adjacent"
            case .overlapping: "_overlapping"
            }
        }

        var flags: String { self == .overlapping ? " auto-merge;" : "" }
    }

    /// A prefix, range or address as the elements of a set of `shape`.
    static func addressElements(_ value: String, family: AddressFamily, shape: IntervalShape) -> [String] {
        let bounds: (UInt128, UInt128)?
        if value.contains("-") {
            let ends = value.split(separator: "-").compactMap { IPAddress(String($0))?.value }
            bounds = ends.count == 2 ? (ends[0], ends[1]) : nil
        } else if let set = AddressPrefix(value)?.addresses, let low = set.min, let high = set.ranges.last?.upperBound {
            bounds = (low, high)
        } else {
            bounds = nil
        }
        guard shape != .plain, let (low, high) = bounds, low < high else { return [value] }
        let middle = low + (high - low) / 2
        func text(_ from: UInt128, _ to: UInt128) -> String {
            from == to ? IPAddress.format(from, family: family) : "\(IPAddress.format(from, family: family))-\(IPAddress.format(to, family: family))"
        }
        if shape == .adjacent { return [text(low, middle), text(middle + 1, high)] }
        // The whole, and two halves that overlap it and each other.
        return [value, text(low, middle), text(middle, high)]
    }

    /// Disjoint port elements (`22`, `80-90`) as the elements of a set of `shape`.
    static func portElements(_ elements: [String], shape: IntervalShape) -> [String] {
        var result: [String] = []
        for element in elements {
            let ends = element.split(separator: "-").compactMap { Int($0) }
            guard shape != .plain, ends.count == 2, ends[0] < ends[1] else { result.append(element); continue }
            let middle = ends[0] + (ends[1] - ends[0]) / 2
            func text(_ from: Int, _ to: Int) -> String { from == to ? "\(from)" : "\(from)-\(to)" }
            if shape == .adjacent {
                result += [text(ends[0], middle), text(middle + 1, ends[1])]
            } else {
                result += [element, text(ends[0], middle), text(middle, ends[1])]
            }
        }
        return result
    }

    /// `--mark V` / `V/M`: exact, or masked.
    private func markMatch(_ key: String, _ spec: String, negated: Bool) -> String {
        let parts = spec.split(separator: "/")
        if parts.count == 1 { return "\(key) \(negated ? "!= " : "")\(parts[0])" }
        return "\(key) & \(parts[1]) \(negated ? "!=" : "==") \(parts[0])"
    }

    /// `--set-xmark V/M`: the mark becomes `(mark & ~M) ^ V`.
    private func markSet(_ key: String, _ spec: String) -> String {
        let parts = spec.split(separator: "/")
        let value = UInt32(parts[0].dropFirst(2), radix: 16)!
        let mask = parts.count > 1 ? UInt32(parts[1].dropFirst(2), radix: 16)! : UInt32.max
        if mask == UInt32.max { return "\(key) set \(hex(value))" }
        return "\(key) set \(key) and \(hex(~mask)) xor \(hex(value))"
    }

    private func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }

    static let icmpTypes = ["echo-request": 8, "echo-reply": 0, "destination-unreachable": 3, "timestamp-request": 13,
                            "address-mask-request": 17]
    static let icmpv6Types = ["echo-request": 128, "echo-reply": 129, "destination-unreachable": 1]

    /// An ICMP type, number, or type/code (as a concatenation); `any` matches every ICMP packet.
    private func icmpMatch(_ spec: String, v6: Bool, negated: Bool) -> [String] {
        let key = v6 ? "icmpv6" : "icmp"
        if spec == "any" { return negated ? ["meta l4proto != \(v6 ? "ipv6-icmp" : "icmp")"] : [] }
        let op = negated ? "!= " : ""
        let parts = spec.split(separator: "/")
        let type = (v6 ? NftScript.icmpv6Types : NftScript.icmpTypes)[spec] ?? Int(parts[0])!
        if parts.count == 2 { return ["\(key) type . \(key) code \(op){ \(type) . \(parts[1]) }"] }
        return ["\(key) type \(op)\(type)"]
    }

    /// A multiport list (`22,80:90,85`) as nft set elements, overlaps merged (nft refuses them).
    static func mergedPorts(_ list: String) -> [String] {
        var ranges: [(Int, Int)] = list.split(separator: ",").map { item in
            let ends = item.split(separator: ":").map { Int($0)! }
            return (ends[0], ends.count > 1 ? ends[1] : ends[0])
        }
        ranges.sort { $0.0 < $1.0 }
        var merged: [(Int, Int)] = []
        for range in ranges {
            if let last = merged.last, range.0 <= last.1 + 1 {
                merged[merged.count - 1].1 = max(last.1, range.1)
            } else {
                merged.append(range)
            }
        }
        return merged.map { $0.0 == $0.1 ? "\($0.0)" : "\($0.0)-\($0.1)" }
    }
}
