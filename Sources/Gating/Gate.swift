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

    /// The findings that fail the run under this policy.
    public func failing(_ report: AuditReport) -> [Finding] {
        if softFail { return [] }
        return report.findings.filter { $0.isActive && failOn.contains($0.kind) && $0.severity >= minimumSeverity }
    }
}

/// Applies waivers and baselines to a report: findings stay visible, marked with why they do not count.
public enum Gate {
    /// Marks waived findings; expired waivers stop waiving, and they and unused ones become diagnostics.
    public static func apply(_ waivers: [Waiver], today: CalendarDay, to report: inout AuditReport) {
        var used = Set<Int>()
        for index in report.findings.indices {
            for (number, waiver) in waivers.enumerated() where waiver.matches(report.findings[index]) {
                used.insert(number)
                if waiver.expires < today { continue }
                if report.findings[index].waiver == nil {
                    report.findings[index].waiver = AppliedWaiver(reason: waiver.reason, owner: waiver.owner,
                                                                  expires: waiver.expires.description, location: waiver.location)
                }
            }
        }
        for (number, waiver) in waivers.enumerated() {
            if waiver.expires < today {
                let matched = used.contains(number) ? "it no longer waives a finding it matches" : "it matches no finding either"
                report.diagnostics.append(Diagnostic(.warning, "waiver (owner \(waiver.owner)) expired on \(waiver.expires); \(matched)", at: waiver.location))
            } else if !used.contains(number) {
                report.diagnostics.append(Diagnostic(.warning, "waiver (owner \(waiver.owner)) matches no finding; remove it or fix its pattern", at: waiver.location))
            }
        }
    }

    /// Marks findings already in the baseline and lists the baseline's findings that are gone.
    public static func apply(_ baseline: Baseline, to report: inout AuditReport) {
        let known = Set(baseline.findings.map(\.fingerprint))
        for index in report.findings.indices where known.contains(report.findings[index].fingerprint) {
            report.findings[index].inBaseline = true
        }
        let current = Set(report.findings.map(\.fingerprint))
        report.fixed = baseline.findings.filter { !current.contains($0.fingerprint) }
    }
}
