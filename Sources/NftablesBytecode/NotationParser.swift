/// Reads the `nft --debug=netlink` notation that `Notation.swift` prints back into expressions
/// and rules, so tests and fixtures can be written as the text the tools print.
///
/// Printed values are 32-bit words with no byte count, so the parser infers each value's length
/// from what the register holds (a 2-byte payload load makes `cmp eq reg 1 0x00001600` two bytes);
/// a value shorter than its register (an interface-name prefix) keeps the bytes up to its last
/// non-zero byte. The printed words cannot tell `"lo"` from `"lo\0"` (iptables-nft's exact name),
/// so such values read as the prefix; build them as `Bytes` when the difference matters.
/// Attributes the printer leaves out (a lookup's set id, xt info) come back empty.
public struct NotationParser {
    /// Byte widths of register words written so far in the current rule, by word.
    private var widths: [Int: Int] = [:]

    public init() {}

    /// Why a line of notation cannot be read.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var line: String
        public var message: String
        public var description: String { "\(message): \(line)" }
    }

    /// Parses rules: each starts with a header line (`inet filter input handle 4`, or nft's own
    /// `ip filter INPUT 3 2`) followed by one `[ … ]` line per expression.
    public static func rules(_ text: String) throws(ParseError) -> [RuleObject] {
        var rules: [RuleObject] = []
        var parser = NotationParser()
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = rawLine.trimmingSpaces
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard !rules.isEmpty else { throw ParseError(line: line, message: "expression before a rule header") }
                rules[rules.count - 1].expressions.append(try parser.expression(line))
            } else {
                rules.append(try header(line))
                parser = NotationParser()
            }
        }
        return rules
    }

    /// Parses one rule's header line.
    static func header(_ line: String) throws(ParseError) -> RuleObject {
        var rest = line
        var comment: String?
        if let range = rest.firstRange(of: " comment \"") {
            comment = String(rest[range.upperBound...].dropLast())
            rest = String(rest[..<range.lowerBound])
        }
        let words = rest.split(separator: " ").map(String.init)
        guard words.count >= 3, let family = NetfilterFamily(name: words[0]) else {
            throw ParseError(line: line, message: "expected 'family table chain'")
        }
        var handle: UInt64 = 0
        if words.count >= 5, words[3] == "handle", let value = UInt64(words[4]) {
            handle = value
        } else if words.count >= 4, let value = UInt64(words[3]) {
            handle = value
        }
        return RuleObject(family: family, table: words[1], chain: words[2], handle: handle, expressions: [], comment: comment)
    }

    /// Parses one `[ … ]` expression, tracking register widths across calls.
    public mutating func expression(_ line: String) throws(ParseError) -> Expression {
        let trimmed = line.trimmingSpaces
        guard trimmed.hasPrefix("[ "), trimmed.hasSuffix(" ]") else { throw ParseError(line: line, message: "expected '[ … ]'") }
        let body = String(trimmed.dropFirst(2).dropLast(2))
        var scanner = Scanner(body, line: line)
        let expression = try parse(&scanner)
        return expression
    }

    // MARK: Expressions

    private mutating func parse(_ s: inout Scanner) throws(ParseError) -> Expression {
        let name = try s.word()
        switch name {
        case "payload": return try payload(&s)
        case "meta": return try meta(&s)
        case "ct": return try conntrack(&s)
        case "cmp":
            let op = try s.compareOperator()
            let source = try s.register()
            let data = try s.bytes(s.rest(), width: width(of: source))
            return .cmp(op: op, source: source, data: data)
        case "range":
            let op = try s.compareOperator()
            let source = try s.register()
            let words = s.rest().split(separator: " ")
            guard words.count >= 2, words.count % 2 == 0 else { throw s.error("range needs two values of equal length") }
            let half = words.count / 2
            let from = try s.bytes(words.prefix(half).joined(separator: " "), width: width(of: source))
            let to = try s.bytes(words.suffix(half).joined(separator: " "), width: width(of: source))
            return .range(op: op, source: source, from: from, to: to)
        case "bitwise": return try bitwise(&s)
        case "byteorder":
            let destination = try s.register()
            try s.expect("=")
            let opName = try s.word(until: "(")
            let source = try s.register(trailing: ",")
            let size = try s.integer(UInt32.self, trailing: ",")
            let length = try s.integer(UInt32.self, trailing: ")")
            set(destination, width: Int(length))
            return .byteorder(source: source, destination: destination, op: opName == "ntoh" ? 0 : 1, length: UInt32(length), size: UInt32(size))
        case "lookup":
            let source = try s.register()
            try s.expect("set")
            let set = try s.word()
            var destination: Register?
            var inverted = false
            while !s.atEnd {
                let word = try s.word()
                // libnftnl prints the lookup flags (`0x0`, `0x1`); the IR printer only `0x1`, for `!=`.
                if word == "dreg" { destination = Register(try s.integer(UInt32.self)) } else if word.hasPrefix("0x"), let flags = UInt32(word.dropFirst(2), radix: 16) {
                    inverted = flags & 1 != 0
                } else {
                    throw s.error("unexpected '\(word)' in lookup")
                }
            }
            if let destination, destination != .verdict { self.set(destination, width: 4) }
            return .lookup(source: source, destination: destination, set: set, setId: nil, inverted: inverted)
        case "immediate":
            let destination = try s.register()
            let rest = s.rest()
            if rest.hasPrefix("0x") {
                let data = try s.bytes(rest, width: nil)
                set(destination, width: data.count)
                return .immediate(destination: destination, value: .data(data))
            }
            let parts = rest.split(separator: " -> ", omittingEmptySubsequences: false).map(String.init)
            guard let code = VerdictCode(name: parts[0]) ?? verdictNumber(parts[0]) else { throw s.error("unknown verdict '\(parts[0])'") }
            return .immediate(destination: destination, value: .verdict(code, chain: parts.count > 1 ? parts[1] : nil))
        case "counter":
            try s.expect("pkts")
            let packets = try s.integer(UInt64.self)
            try s.expect("bytes")
            return .counter(packets: UInt64(packets), bytes: try s.integer(UInt64.self))
        case "log": return try log(&s)
        case "limit":
            try s.expect("rate")
            let rateText = try s.word()
            let parts = rateText.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, let rate = UInt64(parts[0]), let unit = Self.unitSeconds(parts[1]) else { throw s.error("bad rate") }
            try s.expect("burst")
            let burst = try s.integer(UInt32.self)
            try s.expect("type")
            let type = try s.word() == "bytes" ? UInt32(1) : 0
            try s.expect("flags")
            return .limit(rate: rate, unit: unit, burst: UInt32(burst), type: type, flags: try s.hexInteger(UInt32.self))
        case "quota":
            try s.expect("bytes")
            let bytes = try s.integer(UInt64.self)
            try s.expect("consumed")
            let consumed = try s.integer(UInt64.self)
            try s.expect("flags")
            return .quota(bytes: UInt64(bytes), consumed: UInt64(consumed), flags: try s.integer(UInt32.self))
        case "reject":
            try s.expect("type")
            let type = try s.integer(UInt32.self)
            try s.expect("code")
            return .reject(type: UInt32(type), code: try s.integer(UInt8.self))
        case "nat":
            let typeName = try s.word()
            guard let type: NatType = typeName == "snat" ? .snat : typeName == "dnat" ? .dnat : nil else { throw s.error("bad nat type") }
            var familyWord = try s.word()
            if familyWord == "family" { familyWord = try s.word() }
            guard let family = NetfilterFamily(name: familyWord)?.rawValue ?? UInt32(familyWord) else { throw s.error("bad nat family") }
            let options = try natOptions(&s)
            return .nat(type: type, family: family, addressMin: options.registers["addr_min"], addressMax: options.registers["addr_max"],
                        protoMin: options.registers["proto_min"], protoMax: options.registers["proto_max"], flags: options.flags)
        case "masq":
            let options = try natOptions(&s)
            return .masquerade(flags: options.flags, protoMin: options.registers["proto_min"], protoMax: options.registers["proto_max"])
        case "redir":
            let options = try natOptions(&s)
            return .redirect(protoMin: options.registers["proto_min"], protoMax: options.registers["proto_max"], flags: options.flags)
        case "notrack":
            return .notrack
        case "fib": return try fib(&s)
        case "exthdr": return try exthdr(&s)
        case "socket":
            try s.expect("load")
            let keyName = try s.word()
            let keys = ["transparent", "mark", "wildcard", "cgroupv2"]
            var key = keys.firstIndex(of: keyName).map(UInt32.init)
            if key == nil, keyName == "key" { key = try s.integer(UInt32.self) }
            guard let key else { throw s.error("unknown socket key '\(keyName)'") }
            try s.expect("=>")
            let destination = try s.register()
            var level: UInt32?
            if !s.atEnd { try s.expect("level"); level = try s.integer(UInt32.self) }
            set(destination, width: [1, 4, 1, 8][min(Int(key), 3)])
            return .socket(key: key, level: level, destination: destination)
        case "dynset": return try dynset(&s)
        case "numgen":
            try s.expect("reg")
            let destination = Register(try s.integer(UInt32.self))
            try s.expect("=")
            let mode = try s.word()
            guard mode == "random" || mode == "inc" else { throw s.error("unknown numgen mode '\(mode)'") }
            try s.expect("mod")
            let modulus = try s.integer(UInt32.self)
            var offset: UInt32 = 0
            if !s.atEnd { try s.expect("offset"); offset = try s.integer(UInt32.self) }
            set(destination, width: 4)
            return .numgen(destination: destination, modulus: modulus, random: mode == "random", offset: offset)
        case "match", "target":
            try s.expect("name")
            let extensionName = try s.word()
            try s.expect("rev")
            let revision = try s.integer(UInt32.self)
            return name == "match" ? .match(name: extensionName, revision: revision, info: Bytes([]))
                : .target(name: extensionName, revision: revision, info: Bytes([]))
        case "queue":
            var number: UInt16 = 0, total: UInt16 = 1, flags: UInt16 = 0
            var source: Register?
            while !s.atEnd {
                switch try s.word() {
                case "sreg_qnum": source = Register(try s.integer(UInt32.self))
                case "num":
                    let text = try s.word()
                    let bounds = text.split(separator: "-").compactMap { UInt16($0) }
                    guard let first = bounds.first else { throw s.error("bad queue number") }
                    number = first
                    if bounds.count == 2 {
                        // "5-3" or "0-65535" overflowed UInt16 (found by fuzz-nft-notation).
                        guard bounds[1] >= first, let count = UInt16(exactly: Int(bounds[1]) - Int(first) + 1) else {
                            throw s.error("bad queue range '\(text)'")
                        }
                        total = count
                    }
                case "bypass": flags |= 1
                case "fanout": flags |= 2
                case let other: throw s.error("unexpected '\(other)' in queue")
                }
            }
            return .queue(number: number, total: total, flags: flags, source: source)
        case "objref":
            let word = try s.word()
            if word == "sreg" {
                let source = Register(try s.integer(UInt32.self))
                try s.expect("set")
                return .objref(type: nil, name: nil, setSource: source, setName: s.rest())
            }
            guard word == "type" else { throw s.error("expected 'type' or 'sreg'") }
            let type = try s.integer(UInt32.self)
            try s.expect("name")
            return .objref(type: type, name: s.rest(), setSource: nil, setName: nil)
        case "connlimit":
            try s.expect("count")
            let count = try s.integer(UInt32.self)
            try s.expect("flags")
            return .connlimit(count: UInt32(count), flags: try s.integer(UInt32.self))
        case "flow_offload":
            try s.expect("table")
            return .flowOffload(table: s.rest())
        default:
            let rest = s.rest()
            return .other(name: name, attributes: rest.isEmpty ? [] : rest.split(separator: " ").map(String.init))
        }
    }

    private mutating func payload(_ s: inout Scanner) throws(ParseError) -> Expression {
        let mode = try s.word()
        if mode == "load" {
            let length = try s.byteLength()
            try s.expect("@")
            let base = try s.payloadBase()
            try s.expect("header")
            try s.expect("+")
            let offset = try s.integer(UInt32.self)
            try s.expect("=>")
            let destination = try s.register()
            set(destination, width: Int(length))
            return .payload(base: base, offset: UInt32(offset), length: length, destination: destination)
        }
        guard mode == "write" else { throw s.error("expected 'load' or 'write'") }
        let source = try s.register()
        try s.expect("=>")
        let length = try s.byteLength()
        try s.expect("@")
        let base = try s.payloadBase()
        try s.expect("header")
        try s.expect("+")
        let offset = try s.integer(UInt32.self)
        try s.expect("csum_type")
        let type = try s.integer(UInt32.self)
        try s.expect("csum_off")
        let checksumOffset = try s.integer(UInt32.self)
        try s.expect("csum_flags")
        return .payloadWrite(base: base, offset: UInt32(offset), length: length, source: source, checksumType: UInt32(type),
                             checksumOffset: UInt32(checksumOffset), checksumFlags: try s.hexInteger(UInt32.self))
    }

    private mutating func meta(_ s: inout Scanner) throws(ParseError) -> Expression {
        let mode = try s.word()
        let key = try s.metaKey()
        if mode == "load" {
            try s.expect("=>")
            let destination = try s.register()
            set(destination, width: Self.metaWidth(key))
            return .meta(key: key, destination: destination)
        }
        guard mode == "set" else { throw s.error("expected 'load' or 'set'") }
        try s.expect("with")
        return .metaSet(key: key, source: try s.register())
    }

    private mutating func conntrack(_ s: inout Scanner) throws(ParseError) -> Expression {
        let mode = try s.word()
        let keyName = try s.word()
        guard let key = ConntrackKey(name: keyName) ?? s.unknownKey(keyName).map(ConntrackKey.init) else { throw s.error("unknown ct key '\(keyName)'") }
        let register: Register
        if mode == "load" {
            try s.expect("=>")
            register = try s.register()
        } else {
            guard mode == "set" else { throw s.error("expected 'load' or 'set'") }
            try s.expect("with")
            register = try s.register()
        }
        var direction: UInt8?
        if !s.atEnd {
            try s.expect(",")
            try s.expect("dir")
            direction = try s.word() == "original" ? 0 : 1
        }
        if mode == "load" {
            set(register, width: Self.conntrackWidth(key))
            return .ct(key: key, direction: direction, destination: register)
        }
        return .ctSet(key: key, direction: direction, source: register)
    }

    private mutating func bitwise(_ s: inout Scanner) throws(ParseError) -> Expression {
        let destination = try s.register()
        try s.expect("=")
        try s.expect("(")
        let source = try s.register()
        let op = try s.word()
        let width = self.width(of: source)
        let length = width ?? 4
        set(destination, width: length)
        switch op {
        case "&":
            let parts = s.rest().split(separator: " ) ^ ", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { throw s.error("expected '( reg & mask ) ^ xor'") }
            let mask = try s.bytes(parts[0], width: width)
            let xor = try s.bytes(parts[1], width: width)
            return .bitwise(source: source, destination: destination, length: UInt32(mask.count), op: .maskXor, mask: mask, xor: xor,
                            data: Bytes([]))
        case "<<", ">>":
            let text = s.rest()
            guard text.hasSuffix(" )") else { throw s.error("expected ')'") }
            let data = try s.bytes(String(text.dropLast(2)), width: 4)
            return .bitwise(source: source, destination: destination, length: UInt32(length), op: op == "<<" ? .leftShift : .rightShift,
                            mask: Bytes([]), xor: Bytes([]), data: data)
        default:
            throw s.error("unknown bitwise operator '\(op)'")
        }
    }

    private mutating func log(_ s: inout Scanner) throws(ParseError) -> Expression {
        var text = s.rest()
        var prefix: String?, group: UInt16?, level: UInt32?, flags: UInt32?, snaplen: UInt32?, threshold: UInt16?
        if let range = text.firstRange(of: " level ") ?? (text.hasPrefix("level ") ? text.firstRange(of: "level ") : nil) {
            // The IR printer writes `level L flags F`; libnftnl writes `level L` and the flag names.
            let words = text[range.upperBound...].split(separator: " ").map(String.init)
            guard let l = words.first.flatMap({ UInt32($0) }) else { throw s.error("bad log level") }
            level = l
            var f: UInt32 = 0
            var index = 1
            let names: [String: UInt32] = ["tcpseq": 0x1, "tcpopt": 0x2, "ipopt": 0x4, "uid": 0x8, "nflog": 0x10, "macdecode": 0x20]
            while index < words.count {
                if words[index] == "flags", index + 1 < words.count, let value = UInt32(words[index + 1]) {
                    f |= value
                    index += 2
                } else if let bit = names[words[index]] {
                    f |= bit
                    index += 1
                } else {
                    throw s.error("bad log flags")
                }
            }
            flags = f
            text = String(text[..<range.lowerBound])
        }
        if let range = text.firstRange(of: " group ") ?? (text.hasPrefix("group ") ? text.firstRange(of: "group ") : nil) {
            let numbers = text[range.upperBound...].split(separator: " ")
            guard numbers.count == 5, let g = UInt16(numbers[0]), let l = UInt32(numbers[2]), let q = UInt16(numbers[4]) else { throw s.error("bad log group") }
            group = g
            snaplen = l
            threshold = q
            text = String(text[..<range.lowerBound])
        }
        if text.hasPrefix("prefix ") { prefix = String(text.dropFirst(7)) } else if !text.isEmpty { throw s.error("unexpected '\(text)' in log") }
        return .log(prefix: prefix, group: group, level: level, flags: flags, snaplen: snaplen, threshold: threshold)
    }

    private mutating func fib(_ s: inout Scanner) throws(ParseError) -> Expression {
        let names = ["saddr", "daddr", "mark", "iif", "oif"]
        let results = ["unknown", "oif", "oifname", "type"]
        var flags: UInt32 = 0
        var result: UInt32?
        // Keys are joined by " . "; the first word after the keys is the result (`oif` is both a key and a result).
        var expectKey = true
        while result == nil {
            let word = try s.word()
            if word == "." { expectKey = true; continue }
            if expectKey, let index = names.firstIndex(of: word) {
                flags |= 1 << UInt32(index)
                expectKey = false
            } else if let index = results.firstIndex(of: word) {
                result = UInt32(index)
            } else if word == "result" {
                result = try s.integer(UInt32.self)
            } else {
                throw s.error("unexpected '\(word)' in fib")
            }
        }
        var word = try s.word()
        if word == "present" { flags |= 0x20; word = try s.word() }
        guard word == "=>" else { throw s.error("expected '=>'") }
        let destination = try s.register()
        set(destination, width: result == 2 ? 16 : 4)
        return .fib(flags: flags, result: result ?? 0, destination: destination)
    }

    private mutating func exthdr(_ s: inout Scanner) throws(ParseError) -> Expression {
        let ops = ["ipv6", "tcpopt", "ipv4", "sctp", "dccp"]
        let mode = try s.word()
        let opName = try s.word()
        var found = ops.firstIndex(of: opName).map(UInt32.init)
        if found == nil, opName == "op" { found = try s.integer(UInt32.self) }
        guard let op = found else { throw s.error("unknown exthdr op '\(opName)'") }
        if mode == "write" {
            let source = try s.register()
            try s.expect("=>")
            let length = try s.byteLength()
            try s.expect("@")
            let type = try s.integer(UInt8.self)
            try s.expect("+")
            let offset = try s.integer(UInt32.self)
            return .exthdr(type: type, offset: UInt32(offset), length: length, destination: nil, source: source, flags: 0, op: op)
        }
        guard mode == "load" else { throw s.error("expected 'load' or 'write'") }
        let length = try s.byteLength()
        try s.expect("@")
        let type = try s.integer(UInt8.self)
        try s.expect("+")
        let offset = try s.integer(UInt32.self)
        var flags: UInt32 = 0
        var word = try s.word()
        if word == "present" { flags = 1; word = try s.word() }
        guard word == "=>" else { throw s.error("expected '=>'") }
        let destination = try s.register()
        set(destination, width: Int(length))
        return .exthdr(type: type, offset: UInt32(offset), length: length, destination: destination, source: nil, flags: flags, op: op)
    }

    private mutating func dynset(_ s: inout Scanner) throws(ParseError) -> Expression {
        let ops = ["add", "update", "delete"]
        let opName = try s.word()
        var found = ops.firstIndex(of: opName).map(UInt32.init)
        if found == nil, opName == "op" { found = try s.integer(UInt32.self) }
        guard let op = found else { throw s.error("unknown dynset op '\(opName)'") }
        try s.expect("reg_key")
        let key = Register(try s.integer(UInt32.self))
        try s.expect("set")
        let set = try s.word()
        var timeout: UInt64?
        var data: Register?
        var expressions: [Expression] = []
        while !s.atEnd {
            let word = try s.word()
            switch word {
            case "timeout":
                let text = try s.word()
                guard text.hasSuffix("ms"), let value = UInt64(text.dropLast(2)) else { throw s.error("bad timeout") }
                timeout = value
            case "sreg_data":
                data = Register(try s.integer(UInt32.self))
            case "expr":
                let text = s.rest()
                // Nested expressions are printed one after the other as `expr [ … ]`.
                let pieces = text.split(separator: " ] expr [ ", omittingEmptySubsequences: false).map(String.init)
                for (index, piece) in pieces.enumerated() {
                    var line = piece
                    if index > 0 { line = "[ " + line }
                    if index < pieces.count - 1 { line += " ]" }
                    expressions.append(try expression(line))
                }
            default:
                throw s.error("unexpected '\(word)' in dynset")
            }
        }
        return .dynset(op: op, keySource: key, dataSource: data, set: set, timeout: timeout, expressions: expressions)
    }

    private func natOptions(_ s: inout Scanner) throws(ParseError) -> (registers: [String: Register], flags: UInt32) {
        var registers: [String: Register] = [:]
        var flags: UInt32 = 0
        while !s.atEnd {
            let word = try s.word()
            if word == "flags" { flags = try s.hexInteger(UInt32.self); continue }
            guard ["addr_min", "addr_max", "proto_min", "proto_max"].contains(word) else { throw s.error("unexpected '\(word)'") }
            registers[word] = try s.register()
        }
        return (registers, flags)
    }

    // MARK: Register widths

    private func width(of register: Register) -> Int? { widths[register.word] }

    private mutating func set(_ register: Register, width: Int) {
        let words = max(1, (width + 3) / 4)
        for word in register.word..<(register.word + words) { widths[word] = nil }
        widths[register.word] = width
    }

    private func verdictNumber(_ text: String) -> VerdictCode? {
        guard text.hasPrefix("verdict "), let raw = Int32(text.dropFirst(8)) else { return nil }
        return VerdictCode(raw)
    }

    static func unitSeconds(_ name: String) -> UInt64? {
        switch name {
        case "second": 1
        case "minute": 60
        case "hour": 3600
        case "day": 86400
        case "week": 604800
        default: name.hasSuffix("s") ? UInt64(name.dropLast()) : nil
        }
    }

    /// The byte width of a `meta` key's value, as the kernel loads it.
    public static func metaWidth(_ key: MetaKey) -> Int {
        switch key.description {
        case "iifname", "oifname", "bri_iifname", "bri_oifname", "iifkind", "oifkind", "sdifname": 16
        case "protocol", "iiftype", "oiftype", "bri_iifpvid", "bri_iifvproto": 2
        case "nfproto", "l4proto", "pkttype", "nftrace", "secpath", "day", "bri_broute": 1
        case "time", "cgroup": 8
        default: 4
        }
    }

    /// The byte width of a `ct` key's value, as the kernel loads it.
    public static func conntrackWidth(_ key: ConntrackKey) -> Int {
        switch key.description {
        case "direction", "l3protocol", "protocol": 1
        case "proto_src", "proto_dst", "zone": 2
        case "helper", "label", "src", "dst", "src_ip6", "dst_ip6": 16
        case "packets", "bytes", "avgpkt": 8
        default: 4
        }
    }
}

/// Reads space-separated words of one expression body.
private struct Scanner {
    var text: Substring
    let line: String

    init(_ body: String, line: String) {
        text = Substring(body)
        self.line = line
    }

    var atEnd: Bool { text.trimmingCharacters(in: " ").isEmpty }

    func error(_ message: String) -> NotationParser.ParseError { NotationParser.ParseError(line: line, message: message) }

    mutating func word() throws(NotationParser.ParseError) -> String {
        text = text.drop { $0 == " " }
        guard !text.isEmpty else { throw error("unexpected end") }
        let word = text.prefix { $0 != " " }
        text = text.dropFirst(word.count)
        return String(word)
    }

    /// A word ending at `delimiter`, which is consumed (`ntoh(`).
    mutating func word(until delimiter: Character) throws(NotationParser.ParseError) -> String {
        text = text.drop { $0 == " " }
        guard let index = text.firstIndex(of: delimiter) else { throw error("expected '\(delimiter)'") }
        let word = text[..<index]
        text = text[text.index(after: index)...]
        return String(word)
    }

    mutating func rest() -> String {
        let value = String(text.trimmingCharacters(in: " "))
        text = ""
        return value
    }

    mutating func expect(_ expected: String) throws(NotationParser.ParseError) {
        let found = try word()
        guard found == expected else { throw error("expected '\(expected)', found '\(found)'") }
    }

    mutating func integer(trailing: Character? = nil) throws(NotationParser.ParseError) -> Int {
        var found = try word()
        if let trailing, found.hasSuffix(String(trailing)) { found.removeLast() }
        guard let value = Int(found) else { throw error("expected a number, found '\(found)'") }
        return value
    }

    /// A decimal number that fits `type`; out of range is a parse error, not a trap.
    mutating func integer<T: FixedWidthInteger>(_ type: T.Type, trailing: Character? = nil) throws(NotationParser.ParseError) -> T {
        let value = try integer(trailing: trailing)
        guard let fitting = T(exactly: value) else { throw error("\(value) is out of range for \(T.self)") }
        return fitting
    }

    /// A `0x…` number that fits `type`; out of range is a parse error, not a trap.
    mutating func hexInteger<T: FixedWidthInteger>(_ type: T.Type) throws(NotationParser.ParseError) -> T {
        let value = try hexInteger()
        guard let fitting = T(exactly: value) else { throw error("0x\(String(value, radix: 16)) is out of range for \(T.self)") }
        return fitting
    }

    mutating func hexInteger() throws(NotationParser.ParseError) -> UInt64 {
        let found = try word()
        guard found.hasPrefix("0x"), let value = UInt64(found.dropFirst(2), radix: 16) else { throw error("expected 0x…, found '\(found)'") }
        return value
    }

    mutating func register(trailing: Character? = nil) throws(NotationParser.ParseError) -> Register {
        try expect("reg")
        return Register(try integer(UInt32.self, trailing: trailing))
    }

    mutating func byteLength() throws(NotationParser.ParseError) -> UInt32 {
        let found = try word()
        guard found.hasSuffix("b"), let value = UInt32(found.dropLast()) else { throw error("expected a length like 2b") }
        return value
    }

    mutating func payloadBase() throws(NotationParser.ParseError) -> PayloadBase {
        let found = try word()
        let bases: [String: PayloadBase] = ["link": .link, "network": .network, "transport": .transport, "inner": .inner, "tunnel": .tunnel]
        guard let base = bases[found] else { throw error("unknown payload base '\(found)'") }
        return base
    }

    mutating func compareOperator() throws(NotationParser.ParseError) -> CompareOperator {
        let found = try word()
        let names = ["eq", "neq", "lt", "lte", "gt", "gte"]
        guard let index = names.firstIndex(of: found), let op = CompareOperator(rawValue: UInt32(index)) else {
            throw error("unknown operator '\(found)'")
        }
        return op
    }

    mutating func metaKey() throws(NotationParser.ParseError) -> MetaKey {
        let found = try word()
        guard let key = MetaKey(name: found) ?? unknownKey(found).map(MetaKey.init) else { throw error("unknown meta key '\(found)'") }
        return key
    }

    /// `unknown(42)` as printed for key numbers without a name.
    func unknownKey(_ text: String) -> UInt32? {
        guard text.hasPrefix("unknown("), text.hasSuffix(")") else { return nil }
        return UInt32(text.dropFirst(8).dropLast())
    }

    /// Register words as printed; `width` (the register's byte width) fixes the byte count.
    func bytes(_ text: String, width: Int?) throws(NotationParser.ParseError) -> Bytes {
        let words = text.split(separator: " ")
        guard !words.isEmpty else { throw error("expected a value") }
        var count = words.count * 4
        if let width, (width + 3) / 4 == words.count {
            count = width
        } else if width != nil, let last = words.last, let word = UInt32(last.dropFirst(2), radix: 16) {
            // A value shorter than its register (an interface-name prefix): up to its last non-zero byte.
            let used = word == 0 ? 1 : 4 - (word.leadingZeroBitCount / 8)
            count = (words.count - 1) * 4 + used
        }
        guard let bytes = Bytes(words: text, count: count) else { throw error("bad value '\(text)'") }
        return bytes
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in character: Character) -> Substring {
        var result = self
        while result.first == character { result.removeFirst() }
        while result.last == character { result.removeLast() }
        return result
    }
}

extension StringProtocol {
    fileprivate var trimmingSpaces: String {
        var result = Substring(self)
        while let first = result.first, first == " " || first == "\t" || first == "\r" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" || last == "\r" { result.removeLast() }
        return String(result)
    }
}
