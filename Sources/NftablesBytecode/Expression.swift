/// One expression of a rule's register program, mirroring the kernel's `nft_expr` one to one.
///
/// Each case carries the attributes the kernel dumps for that expression (`NFTA_*`), with their
/// raw numeric values; `Expression.description` prints the `nft --debug=netlink` notation.
/// Expressions the IR has no case for keep their name and attributes in `.other`, so nothing
/// the kernel reports is lost before the delinearizer decides what to do with it.
public enum Expression: Sendable, Hashable {
    /// `payload load 2b @ transport header + 2 => reg 1`
    case payload(base: PayloadBase, offset: UInt32, length: UInt32, destination: Register)
    /// `payload write reg 1 => 2b @ network header + 12 ...` (rewrites the packet).
    case payloadWrite(base: PayloadBase, offset: UInt32, length: UInt32, source: Register,
                      checksumType: UInt32, checksumOffset: UInt32, checksumFlags: UInt32)
    /// `meta load l4proto => reg 1`
    case meta(key: MetaKey, destination: Register)
    /// `meta set mark with reg 1`
    case metaSet(key: MetaKey, source: Register)
    /// `ct load state => reg 1` (with a direction for tuple keys such as `ct original saddr`).
    case ct(key: ConntrackKey, direction: UInt8?, destination: Register)
    /// `ct set mark with reg 1`
    case ctSet(key: ConntrackKey, direction: UInt8?, source: Register)
    /// `cmp eq reg 1 0x00000006`
    case cmp(op: CompareOperator, source: Register, data: Bytes)
    /// `range eq reg 1 0x00001600 0x00001700` (inclusive bounds, network order for packet fields).
    case range(op: CompareOperator, source: Register, from: Bytes, to: Bytes)
    /// `bitwise reg 1 = ( reg 1 & mask ) ^ xor` (op 0), or a shift by `data` (ops 1 and 2).
    case bitwise(source: Register, destination: Register, length: UInt32, op: BitwiseOperator,
                 mask: Bytes, xor: Bytes, data: Bytes)
    /// `byteorder reg 1 = ntoh(reg 1, 2, 2)`
    case byteorder(source: Register, destination: Register, op: UInt32, length: UInt32, size: UInt32)
    /// `lookup reg 1 set s` — a set membership test; with `destination`, a map lookup whose value
    /// goes to that register (register 0 for a verdict map). `inverted`: `!= @s`.
    case lookup(source: Register, destination: Register?, set: String, setId: UInt32?, inverted: Bool)
    /// `immediate reg 0 accept`, `immediate reg 0 jump -> chain`, `immediate reg 1 0x...`
    case immediate(destination: Register, value: ImmediateValue)
    /// `counter pkts 0 bytes 0`
    case counter(packets: UInt64, bytes: UInt64)
    /// `log prefix x` and its options.
    case log(prefix: String?, group: UInt16?, level: UInt32?, flags: UInt32?, snaplen: UInt32?, threshold: UInt16?)
    /// `limit rate 5/minute burst 5 type packets flags 0x0`; `flags & 1` inverts (`over`).
    case limit(rate: UInt64, unit: UInt64, burst: UInt32, type: UInt32, flags: UInt32)
    /// `quota bytes N consumed M flags F`
    case quota(bytes: UInt64, consumed: UInt64, flags: UInt32)
    /// `reject type 2 code 1`
    case reject(type: UInt32, code: UInt8)
    /// `nat dnat ip addr_min reg 1 proto_min reg 2 flags 0x2`
    case nat(type: NatType, family: UInt32, addressMin: Register?, addressMax: Register?,
             protoMin: Register?, protoMax: Register?, flags: UInt32)
    case masquerade(flags: UInt32, protoMin: Register?, protoMax: Register?)
    case redirect(protoMin: Register?, protoMax: Register?, flags: UInt32)
    case notrack
    /// `fib saddr . iif oif => reg 1`: flags say which address and key; result is oif, oifname or type.
    case fib(flags: UInt32, result: UInt32, destination: Register)
    /// `exthdr load ipv6 2b @ 43 + 0 => reg 1`, TCP options and the like; `op` 0 ipv6, 1 tcpopt, 2 ipv4, 3 sctp, 4 dccp.
    case exthdr(type: UInt8, offset: UInt32, length: UInt32, destination: Register?, source: Register?, flags: UInt32, op: UInt32)
    /// `socket load transparent => reg 1`
    case socket(key: UInt32, level: UInt32?, destination: Register)
    /// `dynset update reg_key 1 set s timeout 60000ms` — adds or updates a set element at run time.
    case dynset(op: UInt32, keySource: Register, dataSource: Register?, set: String, timeout: UInt64?,
                expressions: [Expression])
    /// An iptables-nft match (`xt` extension): name, revision and the kernel's info structure.
    case match(name: String, revision: UInt32, info: Bytes)
    /// An iptables-nft target: name, revision and the kernel's info structure.
    case target(name: String, revision: UInt32, info: Bytes)
    /// `queue num 0 bypass`
    case queue(number: UInt16, total: UInt16, flags: UInt16, source: Register?)
    /// `objref type 1 name c` — a reference to a named counter, quota, limit, ct helper ….
    case objref(type: UInt32?, name: String?, setSource: Register?, setName: String?)
    /// `connlimit count 4 flags 0`
    case connlimit(count: UInt32, flags: UInt32)
    /// `flow_offload`: hands established flows to a flowtable.
    case flowOffload(table: String)
    /// `numgen reg 1 = random mod 3` (` offset 10` when not zero): a number for each packet, at
    /// random or counting, below `modulus` plus `offset`.
    case numgen(destination: Register, modulus: UInt32, random: Bool, offset: UInt32)
    /// Any other expression, with its attributes as the kernel reported them.
    case other(name: String, attributes: [String])

    /// The expression's kernel name (`payload`, `cmp`, `match` …).
    public var name: String {
        switch self {
        case .payload, .payloadWrite: "payload"
        case .meta, .metaSet: "meta"
        case .ct, .ctSet: "ct"
        case .cmp: "cmp"
        case .range: "range"
        case .bitwise: "bitwise"
        case .byteorder: "byteorder"
        case .lookup: "lookup"
        case .immediate: "immediate"
        case .counter: "counter"
        case .log: "log"
        case .limit: "limit"
        case .quota: "quota"
        case .reject: "reject"
        case .nat: "nat"
        case .masquerade: "masq"
        case .redirect: "redir"
        case .notrack: "notrack"
        case .fib: "fib"
        case .exthdr: "exthdr"
        case .socket: "socket"
        case .dynset: "dynset"
        case .match: "match"
        case .target: "target"
        case .queue: "queue"
        case .objref: "objref"
        case .connlimit: "connlimit"
        case .flowOffload: "flow_offload"
        case .numgen: "numgen"
        case .other(let name, _): name
        }
    }
}

/// Where a payload offset counts from.
public enum PayloadBase: UInt32, Sendable, Hashable, CustomStringConvertible {
    case link = 0, network = 1, transport = 2, inner = 3, tunnel = 4
    public var description: String {
        switch self {
        case .link: "link"
        case .network: "network"
        case .transport: "transport"
        case .inner: "inner"
        case .tunnel: "tunnel"
        }
    }
}

/// `NFT_CMP_*`.
public enum CompareOperator: UInt32, Sendable, Hashable, CustomStringConvertible {
    case eq = 0, neq, lt, lte, gt, gte
    public var description: String { ["eq", "neq", "lt", "lte", "gt", "gte"][Int(rawValue)] }
}

/// `NFT_BITWISE_*`: a mask-and-xor, or a shift.
public enum BitwiseOperator: UInt32, Sendable, Hashable {
    case maskXor = 0, leftShift, rightShift
}

/// `NFT_NAT_*`.
public enum NatType: UInt32, Sendable, Hashable, CustomStringConvertible {
    case snat = 0, dnat = 1
    public var description: String { self == .snat ? "snat" : "dnat" }
}

/// An immediate's value: plain data, or a verdict (with the chain for jump and goto).
public enum ImmediateValue: Sendable, Hashable, CustomStringConvertible {
    case data(Bytes)
    case verdict(VerdictCode, chain: String?)

    public var description: String {
        switch self {
        case .data(let bytes): bytes.description
        case .verdict(let code, let chain): chain.map { "\(code) -> \($0)" } ?? code.description
        }
    }
}

/// Kernel verdict codes (`NF_DROP`, `NF_ACCEPT`, `NFT_JUMP` …).
public struct VerdictCode: Sendable, Hashable, CustomStringConvertible {
    public var raw: Int32
    public init(_ raw: Int32) { self.raw = raw }

    public static let drop = VerdictCode(0)
    public static let accept = VerdictCode(1)
    public static let stolen = VerdictCode(2)
    public static let queue = VerdictCode(3)
    public static let `repeat` = VerdictCode(4)
    public static let stop = VerdictCode(5)
    public static let `continue` = VerdictCode(-1)
    public static let `break` = VerdictCode(-2)
    public static let jump = VerdictCode(-3)
    public static let goto = VerdictCode(-4)
    public static let `return` = VerdictCode(-5)

    public var description: String {
        switch raw {
        case 0: "drop"
        case 1: "accept"
        case 2: "stolen"
        case 3: "queue"
        case 4: "repeat"
        case 5: "stop"
        case -1: "continue"
        case -2: "break"
        case -3: "jump"
        case -4: "goto"
        case -5: "return"
        default: "verdict \(raw)"
        }
    }

    public init?(name: String) {
        let names: [String: Int32] = ["drop": 0, "accept": 1, "stolen": 2, "queue": 3, "repeat": 4, "stop": 5,
                                      "continue": -1, "break": -2, "jump": -3, "goto": -4, "return": -5]
        guard let raw = names[name] else { return nil }
        self.raw = raw
    }
}
