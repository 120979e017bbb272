import FirewallModel
import JSONDocuments

/// The normalised ruleset, one rule per line: what fwaudit understood of its input.
public enum DumpReport {
    public static func text(_ rulesets: [(AddressFamily, Ruleset)]) -> String {
        var lines: [String] = []
        for (family, ruleset) in rulesets {
            for table in ruleset.tables {
                lines.append("table \(table.family.rawValue) \(table.name)  # \(family) \(table.location)")
                for chain in table.chains {
                    if let base = chain.base {
                        lines.append("  chain \(chain.name) hook \(base.hook.rawValue) priority \(base.priority) policy \(base.policy.rawValue)\(base.isNat ? " nat" : "")")
                    } else {
                        lines.append("  chain \(chain.name)")
                    }
                    for rule in chain.rules {
                        let matches = rule.matches.map { describe($0, family: family) }.joined(separator: " ")
                        lines.append("    \(position(rule.location)): \(matches.isEmpty ? "" : matches + " ")=> \(describe(rule.action, family: family))")
                    }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ rulesets: [(AddressFamily, Ruleset)]) -> String {
        JSONValue.array(rulesets.flatMap { family, ruleset in
            ruleset.tables.map { table in
                JSONValue.object([
                    ("family", .string(family.rawValue)), ("table", .string(table.name)), ("location", .string(table.location.description)),
                    ("chains", .array(table.chains.map { chain in
                        var members: [(String, JSONValue)] = [("name", .string(chain.name))]
                        if let base = chain.base {
                            members += [("hook", .string(base.hook.rawValue)), ("priority", .int(base.priority)), ("policy", .string(base.policy.rawValue))]
                        }
                        members.append(("rules", .array(chain.rules.map { rule in
                            .object([
                                ("location", .string(rule.location.description)), ("text", .string(rule.text)),
                                ("matches", .array(rule.matches.map { .string(describe($0, family: family)) })),
                                ("action", .string(describe(rule.action, family: family))),
                            ])
                        })))
                        return .object(members)
                    })),
                ])
            }
        }).rendered() + "\n"
    }

    static func describe(_ match: Match, family: AddressFamily) -> String {
        let not = match.negated ? "!" : ""
        switch match.condition {
        case .layer4Protocol(let set): return "proto \(not)\(set.ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ","))"
        case .address(let side, let set): return "\(side == .source ? "saddr" : "daddr") \(not)\(set.addressSyntax(family: family))"
        case .port(let side, let set): return "\(side == .source ? "sport" : "dport") \(not)\(set.portSyntax)"
        case .eitherPort(let set): return "port \(not)\(set.portSyntax)"
        case .inInterface(let pattern): return "iif \(not)\(pattern)"
        case .outInterface(let pattern): return "oif \(not)\(pattern)"
        case .connectionState(let states): return "ct state \(not)\(states)"
        case .translationStatus(let values): return "ct nat status \(not)\(TranslationStatus.describe(values))"
        case .connectionTranslationStatus(let values): return "ct status \(not)\(TranslationStatus.describe(values)) (with a connection)"
        case .tcpFlags(let mask, let compare): return "tcp flags & 0x\(String(mask, radix: 16)) \(not)== 0x\(String(compare, radix: 16))"
        case .icmpType(let set): return "icmp type \(not)" + set.ranges.map { "\($0.lowerBound >> 8)/\($0.lowerBound & 0xff)-\($0.upperBound >> 8)/\($0.upperBound & 0xff)" }.joined(separator: ",")
        case .addressType(let side, let types): return "\(side.rawValue) addrtype \(not)\(types.map(\.rawValue).sorted().joined(separator: ","))"
        case .packetMark(let value, let mask): return "mark & 0x\(String(mask, radix: 16)) \(not)== 0x\(String(value, radix: 16))"
        case .connectionMark(let value, let mask): return "ct mark & 0x\(String(mask, radix: 16)) \(not)== 0x\(String(value, radix: 16))"
        case .comment(let text): return "comment \"\(text)\""
        case .addressFamily(let wanted): return "nfproto \(not)\(wanted == .ipv4 ? "ipv4" : "ipv6")"
        case .opaque(let opaque): return "opaque(\(opaque.module): \(match.text))"
        case .throttle(let throttle): return "throttle(\(throttle.construct.keyword): \(match.text))"
        case .oneOf(let conjunctions):
            return "\(not)one of {" + conjunctions.map { $0.map { describe($0, family: family) }.joined(separator: " ") }.joined(separator: " | ") + "}"
        }
    }

    /// Where a rule was written: its line in a file, or its handle in the kernel.
    static func position(_ location: SourceLocation) -> String {
        if let line = location.line { return String(line) }
        if let detail = location.detail, let range = detail.range(of: "handle ", options: .backwards) {
            return "handle " + detail[range.upperBound...]
        }
        return "-"
    }

    static func describe(_ action: Action, family: AddressFamily) -> String {
        switch action {
        case .nat(let nat): return describe(nat, family: family)
        default: return describe(action)
        }
    }

    static func describe(_ nat: NatAction, family: AddressFamily) -> String {
        func target(_ address: AddressSet?, _ ports: PortSet?) -> String {
            [address.map { $0.addressSyntax(family: family) }, ports.map { "port " + $0.portSyntax }].compactMap { $0 }.joined(separator: " ")
        }
        switch nat {
        case .destination(let address, let ports): return "dnat to \(target(address, ports))"
        case .redirect(let ports): return "redirect" + (ports.map { " to port \($0.portSyntax)" } ?? "")
        case .source(let address, let ports): return "snat to \(target(address, ports))"
        case .masquerade: return "masquerade"
        }
    }

    static func describe(_ action: Action) -> String {
        switch action {
        case .verdict(let verdict): verdict.rawValue
        case .jump(let name): "jump \(name)"
        case .goto(let name): "goto \(name)"
        case .return: "return"
        case .continue(let name): "continue (\(name))"
        case .setMark(let value, let mask): "mark set 0x\(String(value, radix: 16))/0x\(String(mask, radix: 16))"
        case .connectionMark(let action): "connmark \(action)"
        case .nat(let action): "nat \(action)"
        case .opaqueVerdict(let name): "unknown verdict (\(name))"
        case .notrack: "notrack"
        case .none: "count"
        }
    }
}
