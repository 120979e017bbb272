/// Prints register programs in the notation of `nft --debug=netlink`:
/// `[ payload load 2b @ transport header + 2 => reg 1 ]`. The same text is `dump --stage bytecode`
/// and the form delinearizer tests are written in.
extension Expression: CustomStringConvertible {
    public var description: String { "[ \(body) ]" }

    private var body: String {
        switch self {
        case .payload(let base, let offset, let length, let destination):
            return "payload load \(length)b @ \(base) header + \(offset) => \(destination)"
        case .payloadWrite(let base, let offset, let length, let source, let checksumType, let checksumOffset, let checksumFlags):
            return "payload write \(source) => \(length)b @ \(base) header + \(offset) csum_type \(checksumType) csum_off \(checksumOffset) csum_flags 0x\(String(checksumFlags, radix: 16))"
        case .meta(let key, let destination):
            return "meta load \(key) => \(destination)"
        case .metaSet(let key, let source):
            return "meta set \(key) with \(source)"
        case .ct(let key, let direction, let destination):
            return "ct load \(key) => \(destination)" + (direction.map { " , dir \($0 == 0 ? "original" : "reply")" } ?? "")
        case .ctSet(let key, let direction, let source):
            return "ct set \(key) with \(source)" + (direction.map { " , dir \($0 == 0 ? "original" : "reply")" } ?? "")
        case .cmp(let op, let source, let data):
            return "cmp \(op) \(source) \(data)"
        case .range(let op, let source, let from, let to):
            return "range \(op) \(source) \(from) \(to)"
        case .bitwise(let source, let destination, _, let op, let mask, let xor, let data):
            switch op {
            case .maskXor: return "bitwise \(destination) = ( \(source) & \(mask) ) ^ \(xor)"
            case .leftShift: return "bitwise \(destination) = ( \(source) << \(data) )"
            case .rightShift: return "bitwise \(destination) = ( \(source) >> \(data) )"
            }
        case .byteorder(let source, let destination, let op, let length, let size):
            return "byteorder \(destination) = \(op == 0 ? "ntoh" : "hton")(\(source), \(size), \(length))"
        case .lookup(let source, let destination, let set, _, let inverted):
            // The kernel always reports the flags; `0x1` is `!=`.
            return "lookup \(source) set \(set)" + (destination.map { " dreg \($0.number)" } ?? "") + (inverted ? " 0x1" : " 0x0")
        case .immediate(let destination, let value):
            return "immediate \(destination) \(value)"
        case .counter(let packets, let bytes):
            return "counter pkts \(packets) bytes \(bytes)"
        case .log(let prefix, let group, let level, let flags, let snaplen, let threshold):
            var text = "log"
            if let prefix { text += " prefix \(prefix)" }
            if let group {
                text += " group \(group) snaplen \(snaplen ?? 0) qthreshold \(threshold ?? 0)"
            } else {
                if let level { text += " level \(level)" }
                let names = [(0x1, "tcpseq"), (0x2, "tcpopt"), (0x4, "ipopt"), (0x8, "uid"), (0x20, "macdecode")]
                for (bit, name) in names where (flags ?? 0) & UInt32(bit) != 0 { text += " \(name)" }
            }
            return text
        case .limit(let rate, let unit, let burst, let type, let flags):
            return "limit rate \(rate)/\(Self.unitName(unit)) burst \(burst) type \(type == 0 ? "packets" : "bytes") flags 0x\(String(flags, radix: 16))"
        case .quota(let bytes, let consumed, let flags):
            return "quota bytes \(bytes) consumed \(consumed) flags \(flags)"
        case .reject(let type, let code):
            return "reject type \(type) code \(code)"
        case .nat(let type, let family, let addressMin, let addressMax, let protoMin, let protoMax, let flags):
            var text = "nat \(type) \(NetfilterFamily(rawValue: family)?.description ?? "family \(family)")"
            if let addressMin { text += " addr_min \(addressMin)" }
            if let addressMax { text += " addr_max \(addressMax)" }
            return text + Self.portRange(protoMin, protoMax, flags: flags)
        case .masquerade(let flags, let protoMin, let protoMax):
            return "masq" + Self.portRange(protoMin, protoMax, flags: flags)
        case .redirect(let protoMin, let protoMax, let flags):
            return "redir" + Self.portRange(protoMin, protoMax, flags: flags)
        case .notrack:
            return "notrack"
        case .fib(let flags, let result, let destination):
            let names = ["saddr", "daddr", "mark", "iif", "oif"]
            let keys = names.indices.filter { flags & (1 << $0) != 0 }.map { names[$0] }.joined(separator: " . ")
            let results = ["unknown", "oif", "oifname", "type"]
            let present = flags & 0x20 != 0 ? " present" : ""
            return "fib \(keys) \(Int(result) < results.count ? results[Int(result)] : "result \(result)")\(present) => \(destination)"
        case .exthdr(let type, let offset, let length, let destination, let source, let flags, let op):
            let ops = ["ipv6", "tcpopt", "ipv4", "sctp", "dccp"]
            let opName = Int(op) < ops.count ? ops[Int(op)] : "op \(op)"
            if let source { return "exthdr write \(opName) \(source) => \(length)b @ \(type) + \(offset)" }
            let present = flags & 1 != 0 ? " present" : ""
            return "exthdr load \(opName) \(length)b @ \(type) + \(offset)\(present) => \(destination ?? .verdict)"
        case .socket(let key, let level, let destination):
            let keys = ["transparent", "mark", "wildcard", "cgroupv2"]
            let name = Int(key) < keys.count ? keys[Int(key)] : "key \(key)"
            return "socket load \(name) => \(destination)" + (level.map { " level \($0)" } ?? "")
        case .dynset(let op, let keySource, let dataSource, let set, let timeout, let expressions):
            let ops = ["add", "update", "delete"]
            var text = "dynset \(Int(op) < ops.count ? ops[Int(op)] : "op \(op)") reg_key \(keySource.number) set \(set)"
            if let timeout { text += " timeout \(timeout)ms" }
            if let dataSource { text += " sreg_data \(dataSource.number)" }
            for expression in expressions { text += " expr \(expression)" }
            return text
        case .match(let name, let revision, _):
            return "match name \(name) rev \(revision)"
        case .target(let name, let revision, _):
            return "target name \(name) rev \(revision)"
        case .queue(let number, let total, let flags, let source):
            var text = "queue"
            if let source { text += " sreg_qnum \(source.number)" } else {
                text += total > 1 ? " num \(number)-\(UInt32(number) + UInt32(total) - 1)" : " num \(number)"
            }
            if flags & 1 != 0 { text += " bypass" }
            if flags & 2 != 0 { text += " fanout" }
            return text
        case .objref(let type, let name, let setSource, let setName):
            if let setSource { return "objref sreg \(setSource.number) set \(setName ?? "")" }
            return "objref type \(type ?? 0) name \(name ?? "")"
        case .connlimit(let count, let flags):
            return "connlimit count \(count) flags \(flags)"
        case .flowOffload(let table):
            return "flow_offload table \(table)"
        case .numgen(let destination, let modulus, let random, let offset):
            return "numgen reg \(destination.number) = \(random ? "random" : "inc") mod \(modulus)" + (offset != 0 ? " offset \(offset)" : "")
        case .other(let name, let attributes):
            return ([name] + attributes.map { $0.trimmingTrailingSpaces }).joined(separator: " ")
        }
    }

    /// The port registers and flags that nat, masq and redir print alike.
    static func portRange(_ protoMin: Register?, _ protoMax: Register?, flags: UInt32) -> String {
        var text = ""
        if let protoMin { text += " proto_min \(protoMin)" }
        if let protoMax { text += " proto_max \(protoMax)" }
        if flags != 0 { text += " flags 0x\(String(flags, radix: 16))" }
        return text
    }

    static func unitName(_ seconds: UInt64) -> String {
        switch seconds {
        case 1: "second"
        case 60: "minute"
        case 3600: "hour"
        case 86400: "day"
        case 604800: "week"
        default: "\(seconds)s"
        }
    }
}

extension RuleObject: CustomStringConvertible {
    /// The rule's header line (`inet filter input handle 4`) and one line per expression.
    public var description: String {
        var text = "\(family) \(table) \(chain) handle \(handle)"
        if let comment { text += " comment \"\(comment)\"" }
        for expression in expressions { text += "\n  \(expression)" }
        return text
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

extension Snapshot: CustomStringConvertible {
    /// Every object of the snapshot, table by table: chains with their hooks, sets with their
    /// elements, then each chain's rules with their programs (`fwaudit dump --stage bytecode`).
    public var description: String {
        var lines = ["# nf_tables generation \(generation)"]
        for table in tables {
            lines.append("table \(table.family) \(table.name)" + (table.flags != 0 ? " flags 0x\(String(table.flags, radix: 16))" : ""))
            for set in sets where set.family == table.family && set.table == table.name {
                var header = "  set \(set.name) flags 0x\(String(set.flags, radix: 16)) key type \(set.keyType) length \(set.keyLength)"
                if let dataType = set.dataType { header += " data type 0x\(String(dataType, radix: 16)) length \(set.dataLength ?? 0)" }
                if !set.fieldLengths.isEmpty { header += " fields \(set.fieldLengths.map(String.init).joined(separator: ","))" }
                lines.append(header)
                for element in set.elements {
                    var text = "    element \(element.key)"
                    if let end = element.keyEnd { text += " - \(end)" }
                    if let data = element.data { text += " : \(data)" }
                    if let object = element.objectName { text += " : \(object)" }
                    if element.isIntervalEnd { text += " [end]" }
                    if element.isCatchAll { text += " [catch-all]" }
                    lines.append(text)
                }
            }
            for flowtable in flowtables where flowtable.family == table.family && flowtable.table == table.name {
                lines.append("  flowtable \(flowtable.name) devices \(flowtable.devices.joined(separator: ","))")
            }
            for object in objects where object.family == table.family && object.table == table.name {
                lines.append("  object \(object.name) type \(object.type)")
            }
            for chain in chains where chain.family == table.family && chain.table == table.name {
                var header = "  chain \(chain.name)"
                if let hook = chain.hook {
                    header += " type \(chain.type ?? "?") hook \(hook) priority \(chain.priority ?? 0)"
                    if let policy = chain.policy { header += " policy \(policy == 1 ? "accept" : "drop")" }
                    if let device = chain.device { header += " device \(device)" }
                }
                lines.append(header)
                for rule in rules where rule.family == chain.family && rule.table == chain.table && rule.chain == chain.name {
                    lines.append("    rule handle \(rule.handle)" + (rule.comment.map { " comment \"\($0)\"" } ?? ""))
                    lines += rule.expressions.map { "      \($0)" }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
