import Audit
import FirewallModel
import PortMatrix

/// What fails a run: which kinds and severities count, and whether findings may fail it at all.
public struct GatePolicy: Sendable, Hashable {
    public var failOn: Set<FindingKind>
    /// Findings below this severity never fail the run.
    public var minimumSeverity: Severity
    /// Findings never fail the run (errors still do).
    public var softFail: Bool

    public init(failOn: Set<FindingKind> = Set(FindingKind.allCases), minimumSeverity: Severity = .low, softFail: Bool = false) {
        self.failOn = failOn
        self.minimumSeverity = minimumSeverity
        self.softFail = softFail
    }

    /// Whether a finding the gate judged fails the run under this policy.
    public func fails(_ finding: GatedFinding) -> Bool {
        !softFail && finding.isActive && failOn.contains(finding.kind) && finding.severity >= minimumSeverity
    }
}

/// The step after the audit: applies waivers and a baseline to its findings, which stay visible,
/// marked with why they do not count, and decides which fail the run.
public struct Gate: Sendable {
    public var policy: GatePolicy
    public var waivers: [Waiver]
    /// The day waivers are judged on (their `expires` is the last day they waive).
    public var today: CalendarDay
    public var baseline: Baseline?

    public init(policy: GatePolicy = GatePolicy(), waivers: [Waiver] = [], today: CalendarDay, baseline: Baseline? = nil) {
        self.policy = policy
        self.waivers = waivers
        self.today = today
        self.baseline = baseline
    }

    /// An audit with no waivers and no baseline, judged by the default policy.
    public static func ungated(_ report: AuditReport) -> GatedReport {
        Gate(today: .today()).judge(report)
    }

    public func judge(_ report: AuditReport) -> GatedReport {
        var findings = report.findings.map { GatedFinding(finding: $0, waiver: nil, inBaseline: false) }
        var notices: [Diagnostic] = []

        var used = Set<Int>()
        for index in findings.indices {
            for (number, waiver) in waivers.enumerated() where waiver.matches(findings[index].finding) {
                used.insert(number)
                if waiver.expires < today { continue }
                if findings[index].waiver == nil {
                    findings[index].waiver = AppliedWaiver(reason: waiver.reason, owner: waiver.owner,
                                                           expires: waiver.expires.description, location: waiver.location)
                }
            }
        }
        for (number, waiver) in waivers.enumerated() {
            if waiver.expires < today {
                let matched = used.contains(number) ? "it no longer waives a finding it matches" : "it matches no finding either"
                notices.append(Diagnostic(.warning, "waiver (owner \(waiver.owner)) expired on \(waiver.expires); \(matched)", at: waiver.location))
            } else if !used.contains(number) {
                notices.append(Diagnostic(.warning, "waiver (owner \(waiver.owner)) matches no finding; remove it or fix its pattern", at: waiver.location))
            }
        }

        var fixed: [FixedFinding] = []
        if let baseline {
            let known = Set(baseline.findings.map(\.fingerprint))
            for index in findings.indices where known.contains(findings[index].fingerprint) { findings[index].inBaseline = true }
            let current = Set(report.findings.map(\.fingerprint))
            fixed = baseline.findings.filter { !current.contains($0.fingerprint) }
        }
        return GatedReport(audit: report, findings: findings, diagnostics: (report.diagnostics + notices).sorted(),
                           notices: notices, fixed: fixed, policy: policy)
    }
}

/// A finding as the gate judged it.
@dynamicMemberLookup
public struct GatedFinding: Sendable, Hashable {
    public var finding: Finding
    /// The waiver that covers this finding: it stays visible and counted but never fails a run.
    public var waiver: AppliedWaiver?
    /// The finding was already recorded in the baseline given with `--baseline`.
    public var inBaseline: Bool

    /// Whether the finding can fail a run: not waived and not in the baseline.
    public var isActive: Bool { waiver == nil && !inBaseline }

    /// The finding's own fields, read through the judgement.
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<Finding, Value>) -> Value {
        get { finding[keyPath: keyPath] }
        set { finding[keyPath: keyPath] = newValue }
    }

    public subscript<Value>(dynamicMember keyPath: KeyPath<Finding, Value>) -> Value { finding[keyPath: keyPath] }
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

/// An audit after the gate: what every report prints.
@dynamicMemberLookup
public struct GatedReport: Sendable, Hashable {
    public var audit: AuditReport
    public var findings: [GatedFinding]
    /// The audit's diagnostics and the gate's notices (expired or unused waivers), sorted.
    public var diagnostics: [Diagnostic]
    /// The gate's own notices: expired and unused waivers, which change what fails a run and are
    /// printed even in quiet reports.
    public var notices: [Diagnostic]
    /// Baseline findings that are gone (only with a baseline).
    public var fixed: [FixedFinding]
    public var policy: GatePolicy

    /// The audit's own fields (matrix, inputs, flows, …), read through the gate.
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<AuditReport, Value>) -> Value {
        get { audit[keyPath: keyPath] }
        set { audit[keyPath: keyPath] = newValue }
    }

    public subscript<Value>(dynamicMember keyPath: KeyPath<AuditReport, Value>) -> Value { audit[keyPath: keyPath] }

    /// The findings that fail the run.
    public var failing: [GatedFinding] { findings.filter(policy.fails) }

    /// The findings that count (neither waived nor in the baseline), the waived ones and the baselined ones.
    public var active: [GatedFinding] { findings.filter(\.isActive) }
    public var waived: [GatedFinding] { findings.filter { $0.waiver != nil } }
    public var baselined: [GatedFinding] { findings.filter { $0.waiver == nil && $0.inBaseline } }

    public struct Summary: Sendable, Hashable {
        /// No finding counts (all waived or in the baseline), every flow was audited, and a ruleset was.
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
        let flows = audit.flows
        let notAudited = flows.filter { $0.families.values.contains(.notAudited) }.count
        return Summary(
            compliant: !findings.contains(where: \.isActive) && notAudited == 0 && audit.audited.values.contains(true),
            flows: flows.count,
            allowed: flows.filter { $0.status == .allowed }.count,
            partial: flows.filter { $0.status == .partial }.count,
            blocked: flows.filter { $0.status == .blocked }.count,
            notAudited: notAudited,
            missing: findings.filter { $0.kind == .missing }.count,
            extra: findings.filter { $0.kind == .extra }.count,
            wrongDirection: findings.filter { $0.kind == .wrongDirection }.count,
            waived: findings.filter { $0.waiver != nil }.count, baselined: findings.filter(\.inBaseline).count)
    }
}
