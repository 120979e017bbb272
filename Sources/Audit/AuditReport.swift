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

public enum FindingKind: String, Sendable, Hashable, CaseIterable, Comparable {
    case missing
    case extra
    case wrongDirection = "wrong-direction"

    public static func < (lhs: FindingKind, rhs: FindingKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Which part of a connection a set of packets is.
public enum ConnectionLeg: String, Sendable, Hashable, Comparable {
    /// The packet that opens the connection (TCP SYN, `ct state new`).
    case new
    /// Later packets in the opening direction (`ct state established`).
    case established
    /// Packets coming back (addresses and ports swapped, `ct state established`).
    case reply

    var rank: Int { self == .new ? 0 : self == .established ? 1 : 2 }
    public static func < (lhs: ConnectionLeg, rhs: ConnectionLeg) -> Bool { lhs.rank < rhs.rank }
}

/// How accepted traffic mirrors a documented flow.
public enum MirrorKind: String, Sendable, Hashable {
    /// Source and destination swapped.
    case swappedEnds = "swapped-ends"
    /// The documented port used as the source port.
    case sourcePort = "source-port"
    /// The right addresses and ports, on an interface the zone is not reached through.
    case interface
}

/// The rule (or chain policy) that decides a finding.
public struct RuleReference: Sendable, Hashable {
    public var location: SourceLocation
    public var text: String
    public var table: String
    public var chain: String
    public var hook: Hook
    public var verdict: Verdict
    public var isPolicy: Bool
    /// For a chain policy, where the chain is declared (`:INPUT DROP [0:0]`), so tools that need a
    /// line can point at it.
    public var declaration: SourceLocation?

    init(_ decision: Decision) {
        location = decision.location
        text = decision.text
        table = decision.table
        chain = decision.chain
        hook = decision.hook
        verdict = decision.verdict
        isPolicy = decision.rule == nil
        declaration = decision.rule == nil && !decision.baseChain.isEmpty ? decision.chainLocation : nil
    }
}

/// A readable description of a set of packets: the union of each field's values.
public struct SpaceSummary: Sendable, Hashable {
    public var protocols: String
    public var sources: String
    public var destinations: String
    public var sourcePorts: String
    public var destinationPorts: String
    public var inInterfaces: String?
    public var outInterfaces: String?
}

/// One witness of a finding: a concrete packet and the leg it belongs to.
public struct Witness: Sendable, Hashable {
    public var packet: Packet
    public var leg: ConnectionLeg
    /// Answers assumed for unmodelled conditions to reach this outcome.
    public var answers: [Int: Bool]
    /// Whether the concrete interpreter reached the same verdict and rule.
    public var confirmed: Bool
}

/// A missing, extra or wrong-direction finding.
public struct Finding: Sendable, Hashable {
    public var kind: FindingKind
    public var flow: String?
    public var certainty: Certainty
    public var family: AddressFamily
    public var path: PathKind
    public var `protocol`: String
    /// Destination ports in matrix syntax.
    public var ports: String
    public var from: String
    public var to: String
    public var rule: RuleReference
    /// Every rule or policy that contributes, for a missing flow (the first is `rule`).
    public var blockedBy: [BlockingPart]
    public var space: SpaceSummary
    public var witness: Witness
    public var mirror: MirrorKind?
    /// Unmodelled conditions the finding depends on.
    public var unknowns: [UnknownCondition]
    public var message: String
    /// Stable identity: kind, flow or accepted space, family, protocol, ports, zones.
    public var fingerprint: String
    public var severity: Severity
    /// The waiver that covers this finding: it stays visible and counted but never fails a run.
    public var waiver: AppliedWaiver? = nil
    /// The finding was already recorded in the baseline given with `--baseline`.
    public var inBaseline: Bool = false

    /// Whether the finding can fail a run: not waived and not in the baseline.
    public var isActive: Bool { waiver == nil && !inBaseline }
}

/// A waiver as applied to a finding.
public struct AppliedWaiver: Sendable, Hashable {
    public var reason: String
    public var owner: String
    /// `YYYY-MM-DD`.
    public var expires: String
    public var location: SourceLocation

    public init(reason: String, owner: String, expires: String, location: SourceLocation) {
        self.reason = reason
        self.owner = owner
        self.expires = expires
        self.location = location
    }
}

/// A finding recorded in the baseline that this audit no longer reports.
public struct FixedFinding: Sendable, Hashable {
    public var fingerprint: String
    public var kind: FindingKind
    public var message: String

    public init(fingerprint: String, kind: FindingKind, message: String) {
        self.fingerprint = fingerprint
        self.kind = kind
        self.message = message
    }
}

/// One part of a flow that does not pass, with what stops it.
public struct BlockingPart: Sendable, Hashable {
    public var leg: ConnectionLeg
    public var rule: RuleReference
    public var space: SpaceSummary
}

/// The audit's verdict on one documented flow.
public struct FlowResult: Sendable, Hashable {
    public var flow: Flow
    public var status: FlowStatus
    public var certainty: Certainty
    public var path: PathKind
    public var families: [AddressFamily: FlowStatus]
}

/// Everything an audit found, ready for any report format.
public struct AuditReport: Sendable, Hashable {
    public var matrix: PortMatrix
    public var matrixPath: String
    public var inputs: [AuditInput]
    public var audited: [AddressFamily: Bool]
    public var flows: [FlowResult]
    public var findings: [Finding]
    public var diagnostics: [Diagnostic]
    /// Baseline findings that are gone (only with `--baseline`).
    public var fixed: [FixedFinding] = []

    public struct Summary: Sendable, Hashable {
        public var compliant: Bool
        public var flows: Int
        public var allowed: Int
        public var partial: Int
        public var blocked: Int
        public var notAudited: Int
        public var missing: Int
        public var extra: Int
        public var wrongDirection: Int
        /// Findings covered by a waiver (counted in the kinds above too).
        public var waived: Int
        /// Findings already in the baseline (counted in the kinds above too).
        public var baselined: Int
    }

    public var summary: Summary {
        let missing = findings.filter { $0.kind == .missing }.count
        let extra = findings.filter { $0.kind == .extra }.count
        let wrong = findings.filter { $0.kind == .wrongDirection }.count
        let notAudited = flows.filter { $0.families.values.contains(.notAudited) }.count
        return Summary(
            compliant: !findings.contains(where: \.isActive) && notAudited == 0 && audited.values.contains(true),
            flows: flows.count,
            allowed: flows.filter { $0.status == .allowed }.count,
            partial: flows.filter { $0.status == .partial }.count,
            blocked: flows.filter { $0.status == .blocked }.count,
            notAudited: notAudited,
            missing: missing, extra: extra, wrongDirection: wrong,
            waived: findings.filter { $0.waiver != nil }.count, baselined: findings.filter(\.inBaseline).count)
    }
}
