import FirewallModel
import JSONDocuments
import FlowAnalysis

/// One explained packet: its trace through hooks, chains and rules.
public struct Explanation: Sendable {
    public var title: String
    public var trace: Trace
    public var origin: String

    public init(title: String, trace: Trace, origin: String) {
        self.title = title
        self.trace = trace
        self.origin = origin
    }
}

/// `explain` output, for people and programs.
public enum ExplainReport {
    public static func text(_ explanations: [Explanation], style: TextStyle) -> String {
        var lines: [String] = []
        for (number, explanation) in explanations.enumerated() {
            if number > 0 { lines.append("") }
            let trace = explanation.trace
            let verdict = trace.verdict == .accept ? style.paint("accept", .green) : style.paint(trace.verdict.rawValue, .red)
            lines.append("\(style.paint(explanation.title, .bold)): \(verdict)")
            lines.append("  packet: \(trace.packet)")
            lines.append("  path:   \(trace.path.rawValue) (\(trace.path.hooks.map(\.rawValue).joined(separator: " -> ")))")
            if let deciding = trace.deciding {
                lines.append("  decided by: \(deciding.location)  \(deciding.text)")
            }
            var lastChain = ""
            for step in trace.steps {
                let chain = "\(step.hook.rawValue) \(step.table)/\(step.chain)"
                if chain != lastChain {
                    lines.append("  \(style.paint(chain, .cyan))")
                    lastChain = chain
                }
                let location = step.location.map { "\($0)" } ?? ""
                switch step.event {
                case .skipped(let failed):
                    lines.append("    \(style.paint("-", .dim)) \(location)  \(step.text)")
                    lines.append("        \(style.paint("not matched: \(failed)", .dim))")
                case .matched(let action):
                    lines.append("    \(style.paint("+", .bold)) \(location)  \(step.text)  => \(action)")
                case .policy(let verdict):
                    lines.append("    \(style.paint("=", .bold)) \(location)  policy \(verdict.rawValue)")
                case .returned:
                    lines.append("    \(style.paint("<", .dim)) \(step.text)")
                }
                if !step.assumed.isEmpty {
                    lines.append("        " + style.paint("assumed an answer for an unmodelled condition", .yellow))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ explanations: [Explanation]) -> String {
        JSONValue.array(explanations.map { explanation in
            let trace = explanation.trace
            return .object([
                ("title", .string(explanation.title)),
                ("packet", .string(trace.packet.description)),
                ("path", .string(trace.path.rawValue)),
                ("verdict", .string(trace.verdict.rawValue)),
                ("decidedBy", trace.deciding.map { .object([("location", .string($0.location.description)), ("text", .string($0.text))]) } ?? .null),
                ("steps", .array(trace.steps.map { step in
                    var members: [(String, JSONValue)] = [
                        ("hook", .string(step.hook.rawValue)), ("table", .string(step.table)), ("chain", .string(step.chain)),
                        ("location", .optional(step.location?.description)), ("text", .string(step.text)),
                    ]
                    switch step.event {
                    case .skipped(let failed): members += [("event", .string("skipped")), ("failed", .string(failed))]
                    case .matched(let action): members += [("event", .string("matched")), ("action", .string(action))]
                    case .policy(let verdict): members += [("event", .string("policy")), ("action", .string(verdict.rawValue))]
                    case .returned: members += [("event", .string("returned"))]
                    }
                    return .object(members)
                })),
            ])
        }).rendered() + "\n"
    }
}
