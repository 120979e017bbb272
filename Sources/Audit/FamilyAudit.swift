import FirewallModel
import FlowAnalysis
import PortMatrix

/// The audit of one address family on one ruleset: flows, then extra traffic.
///
/// It wires the jobs together: `FlowSpace` turns the matrix into packet boxes,
/// `MissingFlowCheck` and `ExtraTrafficCheck` run them through the engine, and
/// `WitnessConfirmation` re-runs every example packet through the interpreter.
struct FamilyAudit {
    let space: FlowSpace
    let describe: SpaceDescription
    let interpreter: Interpreter
    let missingFlows: MissingFlowCheck
    let extraTraffic: ExtraTrafficCheck
    private let confirmation: WitnessConfirmation
    private let index: RulesetIndex

    init(matrix: PortMatrix, family: AddressFamily, ruleset: Ruleset, facts: [HostFacts] = [], throttles: ThrottleMode = .withinLimits) {
        let host = AuditedHost(matrix: matrix, family: family, facts: facts)
        var context = AnalysisContext(family: family, localAddresses: host.addresses,
                                      extraInterfaces: matrix.zones.flatMap(\.interfaces), ruleset: ruleset, throttles: throttles)
        context.routing = FlowSpace(matrix: matrix, family: family, context: context, host: host).routing()
        context.interfaceAddresses = FlowSpace.interfaceAddresses(matrix, family: family)
        let index = RulesetIndex(ruleset: ruleset, family: family)
        let engine = PathEngine(index: index, context: context)
        let describe = SpaceDescription(family: family, interfaces: context.interfaces)
        let space = FlowSpace(matrix: matrix, family: family, context: context, host: host)
        let interpreter = Interpreter(index: index, context: context)
        self.index = index
        self.space = space
        self.describe = describe
        self.interpreter = interpreter
        confirmation = WitnessConfirmation(interpreter: interpreter, describe: describe)
        missingFlows = MissingFlowCheck(space: space, engine: engine, index: index, describe: describe, confirmation: confirmation,
                                        denyLists: DenyListMatching(denyLists: matrix.denyLists))
        extraTraffic = ExtraTrafficCheck(space: space, engine: engine, index: index, describe: describe, confirmation: confirmation)
    }

    func evaluate(_ flow: Flow) -> MissingFlowCheck.Evaluation { missingFlows.evaluate(flow) }

    func extras() -> [Finding] { extraTraffic.findings() }

    /// What reading the host, indexing the ruleset and confirming witnesses found so far.
    var diagnostics: [Diagnostic] { space.host.diagnostics + index.depthDiagnostics + confirmation.diagnostics }
}
