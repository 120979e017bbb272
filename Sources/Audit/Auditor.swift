import FirewallModel
import FlowAnalysis
import PortMatrix

/// Compares a firewall with a port matrix: statuses per flow, and missing, extra and
/// wrong-direction findings, each with the deciding rule and a confirmed example packet.
public struct Auditor: Sendable {
    public var matrix: PortMatrix
    public var matrixPath: String
    public var rulesets: [AddressFamily: Ruleset]
    public var inputs: [AuditInput]
    /// What live inputs read about the host: interface addresses, forwarding, client ports.
    public var hostFacts: [HostFacts]
    /// How throttles are decided: within their limits (ordinary traffic), or kept unknown.
    public var throttles: ThrottleMode

    public init(matrix: PortMatrix, matrixPath: String, rulesets: [AddressFamily: Ruleset], inputs: [AuditInput],
                hostFacts: [HostFacts] = [], throttles: ThrottleMode = .withinLimits) {
        self.throttles = throttles
        self.matrix = matrix
        self.matrixPath = matrixPath
        self.rulesets = rulesets
        self.inputs = inputs
        self.hostFacts = hostFacts
    }

    public func run() -> AuditReport {
        var diagnostics: [Diagnostic] = []
        var findings: [Finding] = []
        var statuses: [String: [AddressFamily: (FlowStatus, Certainty)]] = [:]
        var paths: [String: Set<PathKind>] = [:]
        var narrowings: [String: [Narrowing]] = [:]
        var rateLimits: [String: [RateLimit]] = [:]
        var translations: [String: [Translation]] = [:]
        var assumptions: [Assumptions] = []
        var audited: [AddressFamily: Bool] = [:]
        for family in AddressFamily.allCases {
            let needed = matrix.flows.contains { applies($0, to: family) }
            guard let ruleset = rulesets[family] else {
                audited[family] = false
                if needed {
                    diagnostics.append(Diagnostic(.warning, "no \(family) ruleset given: flows with \(family) addresses are not audited"))
                    for flow in matrix.flows where applies(flow, to: family) { statuses[flow.id, default: [:]][family] = (.notAudited, .definite) }
                }
                continue
            }
            audited[family] = true
            diagnostics += ruleset.diagnostics
            let audit = FamilyAudit(matrix: matrix, family: family, ruleset: ruleset, facts: hostFacts, throttles: throttles)
            let throttleRules = ruleset.tables.filter { $0.family.covers(family) }.flatMap(\.chains).flatMap(\.rules)
                .filter { $0.matches.contains { $0.throttle != nil } }.map(\.location)
            assumptions.append(audit.space.assumptions(throttleRules: throttleRules))
            if !audit.space.host.forwarding.routes {
                diagnostics.append(Diagnostic(.note, "the \(family) forward path is not audited: \(Auditor.describe(audit.space.host.forwarding))"))
            }
            for flow in matrix.flows {
                guard applies(flow, to: family) else { continue }
                let evaluation = audit.evaluate(flow)
                narrowings[flow.id, default: []] += evaluation.narrowedBy
                rateLimits[flow.id, default: []] += evaluation.rateLimitedBy
                translations[flow.id, default: []] += evaluation.translatedBy
                paths[flow.id, default: []].formUnion(evaluation.paths)
                statuses[flow.id, default: [:]][family] = (evaluation.status, evaluation.certainty)
                if let finding = evaluation.missing { findings.append(finding) }
            }
            findings += audit.extras()
            diagnostics += audit.diagnostics
        }
        let flows = matrix.flows.map { flow -> FlowResult in
            let perFamily = statuses[flow.id] ?? [:]
            let audited = perFamily.values.filter { $0.0 != .notAudited }
            // Allowed in one family and blocked in the other is partial, not blocked.
            let status = perFamily.isEmpty ? .notApplicable : FlowStatus.combining(perFamily.values.map(\.0))
            let certainty: Certainty = audited.contains { $0.1 == .possible } ? .possible : .definite
            let flowPaths = PathKind.allCases.filter { paths[flow.id]?.contains($0) == true }
            return FlowResult(flow: flow, status: status, certainty: certainty, path: flowPaths.first ?? path(of: flow),
                              paths: flowPaths.isEmpty ? [path(of: flow)] : flowPaths, families: perFamily.mapValues(\.0),
                              narrowedBy: narrowings[flow.id] ?? [], rateLimitedBy: rateLimits[flow.id] ?? [],
                              translatedBy: translations[flow.id] ?? [])
        }
        findings.sort { ($0.kind, $0.flowID ?? "", $0.family, $0.rule.location) < ($1.kind, $1.flowID ?? "", $1.family, $1.rule.location) }
        return AuditReport(matrix: matrix, matrixPath: matrixPath, inputs: inputs, audited: audited, flows: flows,
                           findings: findings, diagnostics: Array(Set(diagnostics)).sorted(), assumptions: assumptions)
    }

    func applies(_ flow: Flow, to family: AddressFamily) -> Bool { matrix.flow(flow, appliesTo: family) }

    /// Why the forward path is or is not audited, for the report.
    static func describe(_ forwarding: Forwarding) -> String {
        switch forwarding {
        case .read(let on, let sysctl): "\(sysctl) is \(on ? 1 : 0) on the audited host"
        case .declared(let on): "the matrix declares host.forwarding: \(on)"
        case .undeclared: "the matrix does not declare host.forwarding and no live input was read, so the host is audited as a router"
        }
    }

    func path(of flow: Flow) -> PathKind { Auditor.path(of: flow, in: matrix) }

    /// The path a flow takes, decided by which of its zones are local.
    static func path(of flow: Flow, in matrix: PortMatrix) -> PathKind {
        if matrix.zone(flow.from)?.isLocal == true { return .output }
        if matrix.zone(flow.to)?.isLocal == true { return .input }
        return .forward
    }
}
