import FirewallModel
import FlowAnalysis

/// Picks an example packet from what the engine decided and re-runs it through the concrete
/// interpreter: the two must agree, and a disagreement becomes an error diagnostic.
final class WitnessConfirmation {
    let interpreter: Interpreter
    let describe: SpaceDescription
    /// Disagreements found so far (errors), and examples that could not be confirmed (warnings).
    private(set) var diagnostics: [Diagnostic] = []

    init(interpreter: Interpreter, describe: SpaceDescription) {
        self.interpreter = interpreter
        self.describe = describe
    }

    /// A packet from the outcome's box, re-run through the concrete interpreter.
    func witness(_ outcome: Outcome, leg: ConnectionLeg, origin: PathEngine.Origin) -> Witness {
        let (packet, answers) = describe.witness(from: outcome.box)
        func agrees(_ trace: Trace) -> Bool {
            trace.verdict == outcome.verdict && trace.deciding?.location == outcome.deciding?.location
        }
        var trace = interpreter.run(packet, from: origin, answers: answers)
        if !agrees(trace) && outcome.box.widened {
            // Merged answers: the box's answers are incomplete; try the other default.
            trace = interpreter.run(packet, from: origin, answers: answers, otherwise: true)
        }
        let confirmed = agrees(trace)
        if !confirmed {
            let expected = "\(outcome.verdict.rawValue) by \(outcome.deciding?.location.description ?? "?")"
            let got = "\(trace.verdict.rawValue) by \(trace.deciding?.location.description ?? "?")"
            if outcome.box.widened {
                diagnostics.append(Diagnostic(.warning, "the example packet \(packet) could not be confirmed (\(expected) expected, \(got) found): too many unmodelled conditions were merged to keep the analysis bounded"))
            } else {
                diagnostics.append(Diagnostic(.error, "internal: the example packet \(packet) was expected to be \(expected) but the interpreter found \(got)"))
            }
        }
        return Witness(packet: packet, shown: describe.shown(packet), leg: leg, answers: answers, confirmed: confirmed)
    }
}
