/// Everything nf_tables holds in one network namespace, read at one generation.
///
/// The kernel's objects as it reports them, before any interpretation: tables, chains, rules as
/// register programs, sets with their elements, flowtables and named objects.
public struct Snapshot: Sendable, Hashable {
    /// The ruleset generation the snapshot was read at (`NFT_MSG_GETGEN`).
    public var generation: UInt32
    public var tables: [TableObject]
    public var chains: [ChainObject]
    public var rules: [RuleObject]
    public var sets: [SetObject]
    public var flowtables: [FlowtableObject]
    public var objects: [NamedObject]

    public init(generation: UInt32 = 0, tables: [TableObject] = [], chains: [ChainObject] = [], rules: [RuleObject] = [],
                sets: [SetObject] = [], flowtables: [FlowtableObject] = [], objects: [NamedObject] = []) {
        self.generation = generation
        self.tables = tables
        self.chains = chains
        self.rules = rules
        self.sets = sets
        self.flowtables = flowtables
        self.objects = objects
    }
}

public struct TableObject: Sendable, Hashable {
    public var family: NetfilterFamily
    public var name: String
    public var handle: UInt64
    public var flags: UInt32

    public init(family: NetfilterFamily, name: String, handle: UInt64 = 0, flags: UInt32 = 0) {
        self.family = family
        self.name = name
        self.handle = handle
        self.flags = flags
    }
}

/// A chain; base chains carry hook, priority, policy, type (`filter`, `nat`, `route`) and device.
public struct ChainObject: Sendable, Hashable {
    public var family: NetfilterFamily
    public var table: String
    public var name: String
    public var handle: UInt64
    /// `NF_INET_*` hook number: 0 prerouting, 1 input, 2 forward, 3 output, 4 postrouting (5 ingress).
    public var hook: UInt32?
    public var priority: Int32?
    /// `NF_ACCEPT` (1) or `NF_DROP` (0).
    public var policy: UInt32?
    public var type: String?
    public var device: String?
    public var flags: UInt32

    public init(family: NetfilterFamily, table: String, name: String, handle: UInt64 = 0, hook: UInt32? = nil,
                priority: Int32? = nil, policy: UInt32? = nil, type: String? = nil, device: String? = nil, flags: UInt32 = 0) {
        self.family = family
        self.table = table
        self.name = name
        self.handle = handle
        self.hook = hook
        self.priority = priority
        self.policy = policy
        self.type = type
        self.device = device
        self.flags = flags
    }

    public var isBase: Bool { hook != nil }
}

/// A rule: its handle, its position in the chain, its program and its comment (from userdata).
public struct RuleObject: Sendable, Hashable {
    public var family: NetfilterFamily
    public var table: String
    public var chain: String
    public var handle: UInt64
    public var expressions: [Expression]
    public var comment: String?

    public init(family: NetfilterFamily, table: String, chain: String, handle: UInt64, expressions: [Expression], comment: String? = nil) {
        self.family = family
        self.table = table
        self.chain = chain
        self.handle = handle
        self.expressions = expressions
        self.comment = comment
    }
}

/// A named or anonymous set or map, with its elements.
public struct SetObject: Sendable, Hashable {
    public var family: NetfilterFamily
    public var table: String
    public var name: String
    public var id: UInt32?
    /// `NFT_SET_*`: 0x1 anonymous, 0x2 constant, 0x4 interval, 0x8 map, 0x10 timeout, 0x20 eval, 0x40 object, 0x80 concat.
    public var flags: UInt32
    /// nft's datatype number for the key (concatenations pack several 6-bit types).
    public var keyType: UInt32
    public var keyLength: UInt32
    /// The data type of a map's values (`0xffffff00` for verdicts).
    public var dataType: UInt32?
    public var dataLength: UInt32?
    /// The byte length of each concatenated key field, when the kernel reports it.
    public var fieldLengths: [UInt8]
    public var elements: [SetElement]
    /// The set's userdata, where nft keeps how to print the key (`typeof` expressions).
    public var userdata: Bytes?

    public init(family: NetfilterFamily, table: String, name: String, id: UInt32? = nil, flags: UInt32 = 0, keyType: UInt32 = 0,
                keyLength: UInt32 = 0, dataType: UInt32? = nil, dataLength: UInt32? = nil, fieldLengths: [UInt8] = [],
                elements: [SetElement] = [], userdata: Bytes? = nil) {
        self.family = family
        self.table = table
        self.name = name
        self.id = id
        self.flags = flags
        self.keyType = keyType
        self.keyLength = keyLength
        self.dataType = dataType
        self.dataLength = dataLength
        self.fieldLengths = fieldLengths
        self.elements = elements
        self.userdata = userdata
    }

    public var isAnonymous: Bool { flags & 0x1 != 0 }
    public var isInterval: Bool { flags & 0x4 != 0 }
    public var isMap: Bool { flags & 0x8 != 0 }
    public var isObjectMap: Bool { flags & 0x40 != 0 }
    public var isConcatenation: Bool { flags & 0x80 != 0 }
    public var isVerdictMap: Bool { dataType == 0xffffff00 }
}

/// One element: a key (or the start of an interval), an optional end key for concatenated ranges,
/// and a map value. `flags & 1`: the element closes an interval (`NFT_SET_ELEM_INTERVAL_END`);
/// `flags & 2`: the catch-all element (`*`).
public struct SetElement: Sendable, Hashable {
    public var key: Bytes
    public var keyEnd: Bytes?
    public var flags: UInt32
    public var data: ImmediateValue?
    public var objectName: String?
    public var timeout: UInt64?

    public init(key: Bytes, keyEnd: Bytes? = nil, flags: UInt32 = 0, data: ImmediateValue? = nil,
                objectName: String? = nil, timeout: UInt64? = nil) {
        self.key = key
        self.keyEnd = keyEnd
        self.flags = flags
        self.data = data
        self.objectName = objectName
        self.timeout = timeout
    }

    public var isIntervalEnd: Bool { flags & 0x1 != 0 }
    public var isCatchAll: Bool { flags & 0x2 != 0 }
}

public struct FlowtableObject: Sendable, Hashable {
    public var family: NetfilterFamily
    public var table: String
    public var name: String
    public var hook: UInt32?
    public var priority: Int32?
    public var devices: [String]

    public init(family: NetfilterFamily, table: String, name: String, hook: UInt32? = nil, priority: Int32? = nil, devices: [String] = []) {
        self.family = family
        self.table = table
        self.name = name
        self.hook = hook
        self.priority = priority
        self.devices = devices
    }
}

/// A named stateful object (counter, quota, limit, ct helper, ct timeout, synproxy …).
public struct NamedObject: Sendable, Hashable {
    public var family: NetfilterFamily
    public var table: String
    public var name: String
    /// `NFT_OBJECT_*`: 1 counter, 2 quota, 3 ct helper, 4 limit, 5 connlimit, 6 tunnel, 7 ct timeout, 8 secmark, 9 ct expect, 10 synproxy.
    public var type: UInt32

    public init(family: NetfilterFamily, table: String, name: String, type: UInt32) {
        self.family = family
        self.table = table
        self.name = name
        self.type = type
    }
}
