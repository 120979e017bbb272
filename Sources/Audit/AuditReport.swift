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
}

/// Whether a result holds whatever the unmodelled conditions answer.
public enum Certainty: String, Sendable, Hashable {
    case definite, possible
}

/// The audit's verdict on one documented flow.
public struct FlowResult: Sendable, Hashable {
    public var flow: Flow
    public var status: FlowStatus
    public var certainty: Certainty
    public var path: PathKind
    public var families: [AddressFamily: FlowStatus]
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
}
