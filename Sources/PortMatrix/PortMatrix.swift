import FirewallModel

/// A documented port matrix: the zones a host talks to and the flows between them that must be
/// (and may only be) permitted, as a vendor's port table describes them.
///
/// Loaded from matrix format version 1 by ``PortMatrixLoader``; see `DESIGN.md` section 1.
public struct PortMatrix: Sendable, Hashable {
    /// The matrix's title; defaults to the file name.
    public var name: String
    /// The document the matrix transcribes, for reports.
    public var reference: String?
    /// The input's name as the user gave it.
    public var source: String
    /// Zones in file order.
    public var zones: [Zone]
    /// Flows in file order.
    public var flows: [Flow]
    /// Traffic tolerated beyond the flows.
    public var allowances: Set<Allowance>
    /// What the matrix says about the audited host itself (`host:`).
    public var host: HostDeclaration
    /// The source ports remote clients open connections from (`clientPorts:`).
    public var clientPorts: PortSet
    /// Drops that are intended (`denyLists:`): they narrow a flow without making it partial.
    public var denyLists: [DenyList]

    /// Source ports of remote clients when the matrix does not say: the unprivileged ports.
    public static let defaultClientPorts = PortSet(1024...65535)

    public init(name: String, reference: String? = nil, source: String, zones: [Zone], flows: [Flow],
                allowances: Set<Allowance> = Allowance.defaults, host: HostDeclaration = HostDeclaration(),
                clientPorts: PortSet = PortMatrix.defaultClientPorts, denyLists: [DenyList] = []) {
        self.name = name
        self.reference = reference
        self.source = source
        self.zones = zones
        self.flows = flows
        self.allowances = allowances
        self.host = host
        self.clientPorts = clientPorts
        self.denyLists = denyLists
    }

    /// The zone declared with `id`.
    public func zone(_ id: String) -> Zone? { zones.first { $0.id == id } }

    /// Whether a flow has traffic in `family`: both zones have addresses there and its protocol exists there.
    public func flow(_ flow: Flow, appliesTo family: AddressFamily) -> Bool {
        guard let from = zone(flow.from), let to = zone(flow.to) else { return false }
        return from.addresses(for: family) != nil && to.addresses(for: family) != nil
            && !flow.protocol.protocolNumbers(for: family).isEmpty
    }

    /// The flow declared with `id`.
    public func flow(_ id: String) -> Flow? { flows.first { $0.id == id } }

    /// Zones whose addresses are on the audited host.
    public var localZones: [Zone] { zones.filter(\.isLocal) }
}

/// The audited host as the matrix declares it (`host:`); live inputs add what the kernel says.
public struct HostDeclaration: Sendable, Hashable {
    /// The host's own addresses beyond those of its `local: true` zones.
    public var addresses: [AddressPrefix]
    /// Whether the host routes packets between other hosts; nil when the matrix does not say.
    public var forwarding: Bool?
    /// The source ports of the host's own connections (Linux picks them from
    /// `net.ipv4.ip_local_port_range`, 32768-60999 by default).
    public var clientPorts: PortSet
    /// Where `host:` is written, for messages about it.
    public var location: SourceLocation?

    /// Linux's default `ip_local_port_range`.
    public static let defaultClientPorts = PortSet(32768...60999)

    public init(addresses: [AddressPrefix] = [], forwarding: Bool? = nil, clientPorts: PortSet = HostDeclaration.defaultClientPorts,
                location: SourceLocation? = nil) {
        self.addresses = addresses
        self.forwarding = forwarding
        self.clientPorts = clientPorts
        self.location = location
    }

    /// The declared addresses of `family`.
    public func addresses(for family: AddressFamily) -> AddressSet {
        AddressSet(ranges: addresses.filter { $0.family == family }.flatMap(\.addresses.ranges))
    }
}

/// What a deny list names: the drops of chains whose names match a glob (`f2b-*`, `sshguard`) or
/// of rules that look addresses up in a named set (`@blocklist`, `@addr-set-*`, an ipset name).
public enum DenyList: Sendable, Hashable, CustomStringConvertible {
    case chain(glob: String)
    case set(name: String)

    /// Reads `@name` as a set and anything else as a chain-name glob.
    public init?(_ text: String) {
        let trimmed = text.trimmingBlanks
        if trimmed.hasPrefix("@") {
            let name = String(trimmed.dropFirst())
            guard !name.isEmpty else { return nil }
            self = .set(name: name)
        } else {
            guard !trimmed.isEmpty else { return nil }
            self = .chain(glob: trimmed)
        }
    }

    public var description: String {
        switch self {
        case .chain(let glob): glob
        case .set(let name): "@" + name
        }
    }

    /// Whether a chain name matches this entry's glob (`*` any run of characters, `?` one).
    public func matchesChain(_ name: String) -> Bool {
        guard case .chain(let glob) = self else { return false }
        return DenyList.glob(Array(glob), matches: Array(name))
    }

    /// Whether a set name matches this entry's name, which may be a glob too (`@addr-set-*`).
    public func matchesSet(_ name: String) -> Bool {
        guard case .set(let glob) = self else { return false }
        return DenyList.glob(Array(glob), matches: Array(name))
    }

    private static func glob(_ pattern: [Character], matches text: [Character]) -> Bool {
        var p = 0, t = 0, star = -1, mark = 0
        while t < text.count {
            if p < pattern.count && (pattern[p] == "?" || pattern[p] == text[t]) {
                p += 1; t += 1
            } else if p < pattern.count && pattern[p] == "*" {
                star = p; mark = t; p += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; t = mark
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}

extension String {
    var trimmingBlanks: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

/// A named group of addresses (and optionally interfaces) that flows run between.
public struct Zone: Sendable, Hashable, CustomStringConvertible {
    public var id: String
    /// The addresses belong to the audited host: flows to it take the input path, flows from it the output path.
    public var isLocal: Bool
    /// `any`: every address of both families. `addresses` is then empty.
    public var isAny: Bool
    /// The addresses as written (hosts, prefixes, ranges), in file order.
    public var addresses: [AddressPrefix]
    /// Where this zone's traffic enters or leaves the host; empty means any interface.
    public var interfaces: [InterfacePattern]
    /// The zone's key in the matrix.
    public var location: SourceLocation

    public init(id: String, isLocal: Bool = false, isAny: Bool = false, addresses: [AddressPrefix] = [],
                interfaces: [InterfacePattern] = [], location: SourceLocation) {
        self.id = id
        self.isLocal = isLocal
        self.isAny = isAny
        self.addresses = addresses
        self.interfaces = interfaces
        self.location = location
    }

    /// All addresses of `family` in the zone (the family's whole domain for `any`), or nil when the zone has none of that family.
    public func addresses(for family: AddressFamily) -> AddressSet? {
        if isAny { return AddressSet(family.domain) }
        let prefixes = addresses.filter { $0.family == family }
        if prefixes.isEmpty { return nil }
        return AddressSet(ranges: prefixes.flatMap(\.addresses.ranges))
    }

    /// The families the zone has addresses of.
    public var families: [AddressFamily] {
        AddressFamily.allCases.filter { addresses(for: $0) != nil }
    }

    /// `clients (any)`, `access-edge (local; 198.51.100.10, 2001:db8:e::10; via eth0)`.
    public var description: String {
        var parts: [String] = []
        if isLocal { parts.append("local") }
        parts.append(isAny ? "any" : addresses.map(\.text).joined(separator: ", "))
        if !interfaces.isEmpty { parts.append("via " + interfaces.map(\.description).joined(separator: ", ")) }
        return "\(id) (\(parts.joined(separator: "; ")))"
    }
}

/// The protocol of a flow as the matrix names it: `tcp`, `udp`, `tcp+udp`, `icmp`, `icmpv6`,
/// `sctp`, `any`, or any other IP protocol by its `/etc/protocols` name (`esp`, `gre`, `vrrp`,
/// `ospf`) or number (`50`), for tunnels, IPsec and routing protocols that vendor tables list.
///
/// `rawValue` is the canonical spelling reports print: the keyword, else the protocol's official
/// name (`ospfigp` and `89` are `ospf`, `112` is `vrrp`), else its number.
public struct FlowProtocol: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    /// The one IP protocol number of a protocol named outside the keywords; nil for the keywords.
    public let number: UInt8?

    private init(keyword: String) {
        rawValue = keyword
        number = nil
    }

    public static let tcp = FlowProtocol(keyword: "tcp")
    public static let udp = FlowProtocol(keyword: "udp")
    public static let tcpUdp = FlowProtocol(keyword: "tcp+udp")
    public static let icmp = FlowProtocol(keyword: "icmp")
    public static let icmpv6 = FlowProtocol(keyword: "icmpv6")
    public static let sctp = FlowProtocol(keyword: "sctp")
    public static let any = FlowProtocol(keyword: "any")

    /// The keywords, in the order messages list them.
    public static let keywords: [FlowProtocol] = [.tcp, .udp, .tcpUdp, .icmp, .icmpv6, .sctp, .any]

    /// A keyword, an `/etc/protocols` name or alias (lower case, as that file writes them), or a
    /// number 0–255 in decimal; nil otherwise.
    /// Names and numbers of keyword protocols give the keyword (`6` is `tcp`, `ipv6-icmp` is `icmpv6`).
    public init?(rawValue: String) {
        let text = rawValue
        if let keyword = FlowProtocol.keywords.first(where: { $0.rawValue == text }) {
            self = keyword
            return
        }
        guard let number = IPProtocol.number(named: text) ?? (text.allSatisfy { $0.isASCII && $0.isNumber } ? UInt8(text) : nil) else { return nil }
        self.init(number: number)
    }

    /// The protocol with this IP protocol number: a keyword for tcp, udp, icmp, icmpv6 and sctp.
    public init(number: UInt8) {
        switch number {
        case IPProtocol.tcp: self = .tcp
        case IPProtocol.udp: self = .udp
        case IPProtocol.icmp: self = .icmp
        case IPProtocol.icmpv6: self = .icmpv6
        case IPProtocol.sctp: self = .sctp
        default:
            rawValue = IPProtocol.name(of: number) ?? "\(number)"
            self.number = number
        }
    }

    public var description: String { rawValue }

    /// Whether flows of this protocol have ports (and must name them): tcp, udp, tcp+udp and sctp.
    public var hasPorts: Bool { [.tcp, .udp, .tcpUdp, .sctp].contains(self) }

    /// Protocol numbers for a family (tcp → [6], tcp+udp → [6,17], icmp → [1] for ipv4 and [] for ipv6,
    /// icmpv6 → [58] for ipv6 only, any → all 0...255, sctp → [132], esp → [50] in both families).
    public func protocolNumbers(for family: AddressFamily) -> ProtocolSet {
        if let number { return ProtocolSet(value: number) }
        switch self {
        case .tcp: return ProtocolSet(value: 6)
        case .udp: return ProtocolSet(value: 17)
        case .tcpUdp: return ProtocolSet(ranges: [6...6, 17...17])
        case .icmp: return family == .ipv4 ? ProtocolSet(value: 1) : ProtocolSet()
        case .icmpv6: return family == .ipv6 ? ProtocolSet(value: 58) : ProtocolSet()
        case .sctp: return ProtocolSet(value: 132)
        default: return ProtocolSet.full
        }
    }
}

/// How much a finding about a flow matters; `--fail-on` compares against it.
public enum Severity: String, Sendable, Hashable, CaseIterable, Comparable {
    case low, medium, high, critical

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One documented flow: connections opened from one zone to another on a protocol and ports.
public struct Flow: Sendable, Hashable, CustomStringConvertible {
    /// Unique and stable; used in reports and waivers.
    public var id: String
    /// The service name from the documentation, free text.
    public var service: String?
    public var `protocol`: FlowProtocol
    /// Destination ports; nil for protocols without ports.
    public var ports: PortSet?
    /// `ports` in normalized matrix syntax (`PortSet.portSyntax`); nil when `ports` is.
    public var portsText: String?
    /// Source ports; nil means any (and is the only value for protocols without ports).
    public var sourcePorts: PortSet?
    /// The zone the connection is opened from.
    public var from: String
    /// The zone the connection is opened to.
    public var to: String
    public var note: String?
    /// False: the flow is tolerated, never reported as extra nor as missing.
    public var isRequired: Bool
    public var severity: Severity
    /// The flow's item in the matrix (the line of `- id:`).
    public var location: SourceLocation

    public init(id: String, service: String? = nil, protocol: FlowProtocol, ports: PortSet? = nil,
                sourcePorts: PortSet? = nil, from: String, to: String, note: String? = nil,
                isRequired: Bool = true, severity: Severity = .high, location: SourceLocation) {
        self.id = id
        self.service = service
        self.protocol = `protocol`
        self.ports = ports
        self.portsText = ports?.portSyntax
        self.sourcePorts = sourcePorts
        self.from = from
        self.to = to
        self.note = note
        self.isRequired = isRequired
        self.severity = severity
        self.location = location
    }

    /// `sip-mtls-from-partners: tcp 5061 pic-partners -> access-edge`.
    public var description: String {
        var text = "\(id): \(`protocol`.rawValue)"
        if let sourcePorts { text += " from port \(sourcePorts.portSyntax)" }
        if let portsText { text += " \(portsText)" }
        text += " \(from) -> \(to)"
        if !isRequired { text += " (optional)" }
        return text
    }
}

/// Traffic the matrix tolerates beyond its flows: never reported as extra.
public enum Allowance: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Traffic on the loopback interface.
    case loopback
    /// Established and related traffic (replies of permitted connections).
    case established
    /// All new traffic from local zones.
    case outbound
    /// ICMP and ICMPv6 echo and errors.
    case icmp
    /// IPv6 neighbour discovery.
    case ndp

    /// What a matrix without `allow` tolerates.
    public static let defaults: Set<Allowance> = [.loopback, .established]

    public static func < (lhs: Allowance, rhs: Allowance) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
