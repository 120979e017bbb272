import FirewallModel
import FlowAnalysis
import PortMatrix

/// One input the audit read.
public struct AuditInput: Sendable, Hashable {
    /// `iptables-save` or `ip6tables-save`.
    public var kind: String
    public var path: String
    public var family: AddressFamily

    public init(kind: String, path: String, family: AddressFamily) {
        self.kind = kind
        self.path = path
        self.family = family
    }
}

/// How much of a documented flow the firewall lets through.
public enum FlowStatus: String, Sendable, Hashable, Comparable {
    /// Every packet of the flow, and its replies, pass.
    case allowed
    /// Some pass, some do not.
    case partial
    /// No connection of the flow can work.
    case blocked
    /// The flow needs a family whose ruleset was not given.
    case notAudited = "not-audited"
    /// The flow has no addresses in the family (e.g. an IPv4-only zone on IPv6).
    case notApplicable = "not-applicable"

    var rank: Int {
        switch self {
        case .notApplicable: 0
        case .allowed: 1
        case .notAudited: 2
        case .partial: 3
        case .blocked: 4
        }
    }

    public static func < (lhs: FlowStatus, rhs: FlowStatus) -> Bool { lhs.rank < rhs.rank }

    /// The status of a whole made of parts that each have one (paths, families): allowed when
    /// every part is, blocked when every part is, partial otherwise. Parts that are not audited
    /// or not applicable do not count.
    public static func combining(_ statuses: [FlowStatus]) -> FlowStatus {
        let counted = statuses.filter { $0 != .notAudited && $0 != .notApplicable }
        if counted.isEmpty { return statuses.contains(.notAudited) ? .notAudited : .notApplicable }
        if counted.allSatisfy({ $0 == .allowed }) { return .allowed }
        if counted.allSatisfy({ $0 == .blocked }) { return .blocked }
        return .partial
    }
}

/// Whether a result holds whatever the unmodelled conditions answer.
public enum Certainty: String, Sendable, Hashable {
    case definite, possible
}

/// What one deny list took out of a documented flow: intended drops, counted, never missing.
public struct Narrowing: Sendable, Hashable {
    /// The deny list as the matrix writes it (`f2b-*`, `@blocklist`).
    public var denyList: String
    public var family: AddressFamily
    /// The rules that drop, in the order they were met.
    public var rules: [SourceLocation]
    /// How many remote addresses it drops (the sources of traffic coming in, the destinations of
    /// traffic the host sends).
    public var addresses: Double
}

/// A throttle that decided part of a documented flow: the flow passes within its limits.
public struct RateLimit: Sendable, Hashable {
    public var family: AddressFamily
    /// The rule that holds the throttle.
    public var rule: SourceLocation
    /// The throttle match as written (`-m recent --update --seconds 60 --hitcount 4 --name SSH`).
    public var match: String
}

/// The audit's verdict on one documented flow.
public struct FlowResult: Sendable, Hashable {
    public var flow: Flow
    public var status: FlowStatus
    public var certainty: Certainty
    /// The first path the flow takes (input, output, forward).
    public var path: PathKind
    /// Every path the flow takes: a zone that holds the host splits into several (DESIGN §3).
    public var paths: [PathKind]
    public var families: [AddressFamily: FlowStatus]
    /// The deny lists' intended drops in the flow.
    public var narrowedBy: [Narrowing] = []
    /// The throttles the flow's packets pass within their limits.
    public var rateLimitedBy: [RateLimit] = []
    /// The address translations the flow's connections take (DNAT to a container, REDIRECT to a
    /// local port, MASQUERADE on the way out).
    public var translatedBy: [Translation] = []
}

/// Everything an audit found: statuses and findings, before the gate decides what fails a run.
public struct AuditReport: Sendable, Hashable {
    public var matrix: PortMatrix
    public var matrixPath: String
    public var inputs: [AuditInput]
    public var audited: [AddressFamily: Bool]
    public var flows: [FlowResult]
    public var findings: [Finding]
    public var diagnostics: [Diagnostic]
    /// What the audit of each audited family took for granted.
    public var assumptions: [Assumptions] = []
}
