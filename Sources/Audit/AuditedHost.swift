import FirewallModel
import FlowAnalysis
import PortMatrix

/// What the kernel says about an audited network namespace, for live inputs (`--live`, `--netns`).
public struct HostFacts: Sendable, Hashable {
    /// The input the facts were read from (`live`, `netns:edge`).
    public var source: String
    /// The addresses of the namespace's interfaces, by family.
    public var addresses: [AddressFamily: AddressSet]
    /// `net.ipv4.ip_forward` and `net.ipv6.conf.all.forwarding`, where they could be read.
    public var forwarding: [AddressFamily: Bool]
    /// `net.ipv4.ip_local_port_range`, where it could be read.
    public var clientPorts: PortSet?

    public init(source: String, addresses: [AddressFamily: AddressSet] = [:], forwarding: [AddressFamily: Bool] = [:],
                clientPorts: PortSet? = nil) {
        self.source = source
        self.addresses = addresses
        self.forwarding = forwarding
        self.clientPorts = clientPorts
    }
}

/// Whether the audited host routes packets of one family, and who says so.
public enum Forwarding: Sendable, Hashable {
    /// Read from the kernel (`net.ipv4.ip_forward`) of the audited namespace.
    case read(Bool, sysctl: String)
    /// Declared by the matrix (`host.forwarding`).
    case declared(Bool)
    /// Neither: the forward path is audited, as for a router.
    case undeclared

    /// Whether packets between other hosts can cross this one.
    public var routes: Bool {
        switch self {
        case .read(let on, _), .declared(let on): on
        case .undeclared: true
        }
    }
}

/// The audited host in one family: its own addresses, whether it routes, and the source ports of
/// connections, from the matrix and, when read live, the kernel.
struct AuditedHost {
    let family: AddressFamily
    /// The host's own addresses (loopback not included).
    let addresses: AddressSet
    let forwarding: Forwarding
    /// Source ports of the host's own connections.
    let clientPorts: PortSet
    /// Source ports of remote clients.
    let remoteClientPorts: PortSet
    /// What the reading of host facts found worth saying (a declaration the kernel contradicts).
    let diagnostics: [Diagnostic]

    init(matrix: PortMatrix, family: AddressFamily, facts: [HostFacts]) {
        self.family = family
        var addresses = matrix.host.addresses(for: family)
        for zone in matrix.zones where zone.isLocal {
            if let zoneAddresses = zone.addresses(for: family) { addresses = addresses.union(zoneAddresses) }
        }
        for fact in facts { addresses = addresses.union(fact.addresses[family] ?? AddressSet()) }
        self.addresses = addresses.intersection(AddressSet(family.domain)).subtracting(AnalysisContext.loopback(family))

        var diagnostics: [Diagnostic] = []
        let sysctl = family == .ipv4 ? "net.ipv4.ip_forward" : "net.ipv6.conf.all.forwarding"
        if let read = facts.lazy.compactMap({ fact in fact.forwarding[family].map { (fact.source, $0) } }).first {
            forwarding = .read(read.1, sysctl: sysctl)
            if let declared = matrix.host.forwarding, declared != read.1 {
                diagnostics.append(Diagnostic(.error, "the matrix declares host.forwarding: \(declared), but \(sysctl) is \(read.1 ? 1 : 0) in \(read.0): fix the declaration or the host", at: matrix.host.location))
            }
        } else if let declared = matrix.host.forwarding {
            forwarding = .declared(declared)
        } else {
            forwarding = .undeclared
        }
        clientPorts = facts.lazy.compactMap(\.clientPorts).first ?? matrix.host.clientPorts
        remoteClientPorts = matrix.clientPorts
        self.diagnostics = diagnostics
    }
}

/// What the audit of one family took for granted, so that every report can print it.
public struct Assumptions: Sendable, Hashable {
    public var family: AddressFamily
    /// The host's own addresses: flows to them take the input path, from them the output path.
    public var hostAddresses: AddressSet
    public var forwarding: Forwarding
    /// Source ports of the host's own connections, and of remote clients, for flows without `sourcePorts`.
    public var hostClientPorts: PortSet
    public var remoteClientPorts: PortSet
    /// The interfaces traffic was considered on, as patterns (`*`: names no rule or zone mentions).
    public var interfaces: [String]
    /// The matrix's deny lists, whose drops are intended.
    public var denyLists: [String]
    /// How throttles were decided, and the rules that hold one.
    public var throttles: ThrottleMode
    public var throttleRules: [SourceLocation]
}

extension FlowSpace {
    func assumptions(throttleRules: [SourceLocation]) -> Assumptions {
        Assumptions(family: family, hostAddresses: host.addresses, forwarding: host.forwarding, hostClientPorts: host.clientPorts,
                    remoteClientPorts: host.remoteClientPorts,
                    interfaces: carrying.indices.compactMap(context.interfaces.pattern(of:)),
                    denyLists: matrix.denyLists.map(\.description), throttles: context.throttles, throttleRules: throttleRules)
    }
}
