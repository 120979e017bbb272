import Audit
import FirewallModel
import Gating
import JSONDocuments
import FlowAnalysis
import PortMatrix

/// The report as SARIF 2.1.0, for code-scanning services (GitHub code scanning and others).
///
/// One run; one rule per finding kind; one result per finding. Every result has a physical
/// location: the flow's item in the matrix for a missing flow, the accepting rule in the ruleset
/// for extra and wrong-direction traffic (for nftables, its line in the nft script or the line of
/// its object in an `nft -j` export; line 1 of the input only where none is known, as for live
/// rules), or for a chain policy the line that declares the chain.
/// Every result also names the chain that decides it as a `table/chain` logical location. `partialFingerprints` carries the finding's
/// fingerprint, which never depends on line numbers; waived findings carry an external
/// suppression; with a baseline, results say whether they are new or unchanged.
///
/// Paths are given as the user gave them: relative ones against `%SRCROOT%` (the directory
/// fwaudit ran in), absolute ones as `file://` URIs. No timestamps: the same audit gives the same bytes.
public enum SARIFReport {
    public static let version = "2.1.0"
    public static let schemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    /// The `partialFingerprints` key; its value is ``Finding/fingerprint``.
    public static let fingerprintKey = "fwauditFingerprint/v\(Fingerprint.version)"
    /// The base that relative paths are resolved against.
    public static let sourceRoot = "%SRCROOT%"

    public static func render(_ report: GatedReport, toolVersion: String) -> String {
        value(report, toolVersion: toolVersion).rendered() + "\n"
    }

    public static func value(_ report: GatedReport, toolVersion: String) -> JSONValue {
        var artifacts = Artifacts()
        artifacts.add(report.matrixPath, roles: ["analysisTarget", "referencedOnCommandLine"])
        for input in report.inputs { artifacts.add(input.path, roles: ["analysisTarget", "referencedOnCommandLine"]) }

        let hasBaseline = !report.fixed.isEmpty || report.findings.contains(where: \.inBaseline)
        let results = report.findings.map { result($0, report: report, artifacts: &artifacts, hasBaseline: hasBaseline) }
        let notifications = report.diagnostics.map { notification($0, artifacts: &artifacts) }

        var invocation: [(String, JSONValue)] = [("executionSuccessful", .bool(true))]
        if !notifications.isEmpty { invocation.append(("toolExecutionNotifications", .array(notifications))) }

        let summary = report.summary
        var runProperties: [(String, JSONValue)] = [
            ("matrix", .string(report.matrix.name)),
            ("compliant", .bool(summary.compliant)),
            ("flows", .int(summary.flows)), ("allowed", .int(summary.allowed)), ("partial", .int(summary.partial)),
            ("blocked", .int(summary.blocked)), ("notAudited", .int(summary.notAudited)),
            ("waived", .int(summary.waived)), ("baselined", .int(summary.baselined)),
        ]
        if !report.fixed.isEmpty {
            runProperties.append(("fixed", .array(report.fixed.map { fixed in
                .object([("fingerprint", .string(fixed.fingerprint)), ("kind", .string(fixed.kind.rawValue)),
                         ("message", .string(fixed.message))])
            })))
        }

        let run: JSONValue = .object([
            ("tool", .object([("driver", .object([
                ("name", .string("fwaudit")),
                ("version", .string(toolVersion)),
                ("rules", .array(FindingKind.allCases.map(rule))),
            ]))])),
            ("invocations", .array([.object(invocation)])),
            ("originalUriBaseIds", .object([(sourceRoot, .object([
                ("description", .object([("text", .string("The directory fwaudit ran in; relative paths are as the user gave them."))])),
            ]))])),
            ("artifacts", .array(artifacts.entries.map { entry in
                var members: [(String, JSONValue)] = [("location", .object(artifactLocation(entry.path)))]
                if !entry.roles.isEmpty { members.append(("roles", .array(entry.roles.map(JSONValue.string)))) }
                return .object(members)
            })),
            ("results", .array(results)),
            ("columnKind", .string("unicodeCodePoints")),
            ("properties", .object(runProperties)),
        ])
        return .object([
            ("$schema", .string(schemaURI)),
            ("version", .string(version)),
            ("runs", .array([run])),
        ])
    }

    // MARK: Rules

    /// What a reviewer reads about each kind of finding, and how to fix it.
    struct RuleText {
        var name: String
        var short: String
        var full: String
        var help: [String]
        var fixes: [String]
    }

    static func ruleText(_ kind: FindingKind) -> RuleText {
        switch kind {
        case .missing:
            RuleText(
                name: "MissingFlow",
                short: "A documented flow does not fully pass the firewall",
                full: "A flow of the port matrix, or its replies, is dropped or rejected in part or in whole: "
                    + "connections the documentation says must work fail.",
                help: [
                    "fwaudit follows every documented flow as three legs: the opening packet (ct state new, TCP SYN), "
                        + "later packets in the same direction (ct state established) and the replies (ends swapped, "
                        + "ct state established). The flow is missing when a leg does not pass for some of its addresses "
                        + "or ports. The result points at the flow in the matrix and names the rule or chain policy that "
                        + "stops it, the packets that do not pass and an example packet; "
                        + "`fwaudit explain --flow ID` shows the whole trace.",
                ],
                fixes: [
                    "accept the flow before the rule that drops it, or narrow that rule so that it no longer covers the flow;",
                    "accept established and related traffic in both directions, so that replies and later packets pass;",
                    "if the documentation changed, correct the flow in the matrix;",
                    "to accept the finding for a while, add a waiver with its fingerprint, a reason, an owner and an expiry date.",
                ])
        case .extra:
            RuleText(
                name: "UndocumentedTraffic",
                short: "The firewall accepts traffic that no documented flow covers",
                full: "A rule or chain policy accepts new connections that are outside every flow of the port matrix "
                    + "and outside the traffic it allows (loopback, established, ...).",
                help: [
                    "fwaudit follows every new connection the host could see and reports what is accepted beyond the "
                        + "documented flows, grouped by the accepting rule. The result points at that rule, describes "
                        + "the uncovered traffic and gives an example packet. A chain policy ACCEPT accepts everything "
                        + "no rule decides.",
                ],
                fixes: [
                    "remove the rule, or narrow it (addresses, ports, interfaces, ct state) to the documented flow it was meant for;",
                    "for a chain policy ACCEPT, set the policy to DROP and accept the documented flows explicitly;",
                    "if the traffic is intended, document it as a flow in the matrix (or as `required: false`);",
                    "to accept the finding for a while, add a waiver with its fingerprint, a reason, an owner and an expiry date.",
                ])
        case .wrongDirection:
            RuleText(
                name: "MirroredFlow",
                short: "An accepting rule is the mirror image of a documented flow",
                full: "Traffic is accepted that mirrors a documented flow instead of the flow itself: its ends swapped, "
                    + "the documented port used as the source port, or the right traffic on an interface the zone is "
                    + "not reached through.",
                help: [
                    "When everything a rule accepts beyond the documented flows is the mirror of one flow, fwaudit "
                        + "reports it against that flow. The result points at the rule and names the flow and the "
                        + "kind of mirror (swapped-ends, source-port or interface).",
                ],
                fixes: [
                    "swap the ends of the rule (`-s`/`-d`, `--sport`/`--dport`, `-i`/`-o`) or move it to the chain of the documented direction;",
                    "bind the rule to the interface the zone is reached through;",
                    "if the documentation means the other direction, correct the flow in the matrix;",
                    "to accept the finding for a while, add a waiver with its fingerprint, a reason, an owner and an expiry date.",
                ])
        }
    }

    static func rule(_ kind: FindingKind) -> JSONValue {
        let text = ruleText(kind)
        let helpText = text.help.joined(separator: " ") + " To fix: " + text.fixes.joined(separator: " ")
        let helpMarkdown = text.help.joined(separator: "\n\n") + "\n\nTo fix:\n\n" + text.fixes.map { "- " + $0 }.joined(separator: "\n")
        return .object([
            ("id", .string(kind.rawValue)),
            ("name", .string(text.name)),
            ("shortDescription", .object([("text", .string(text.short))])),
            ("fullDescription", .object([("text", .string(text.full))])),
            ("help", .object([("text", .string(helpText)), ("markdown", .string(helpMarkdown))])),
            ("defaultConfiguration", .object([("level", .string("error"))])),
            ("properties", .object([("tags", .array(["security", "firewall", kind.rawValue].map(JSONValue.string)))])),
        ])
    }

    // MARK: Results

    /// `error` for critical and high flows and for extras without a flow, `warning` for medium, `note` for low.
    public static func level(_ finding: GatedFinding) -> String {
        guard finding.flowID != nil else { return "error" }
        switch finding.severity {
        case .critical, .high: return "error"
        case .medium: return "warning"
        case .low: return "note"
        }
    }

    static func result(_ finding: GatedFinding, report: GatedReport, artifacts: inout Artifacts, hasBaseline: Bool) -> JSONValue {
        let chain = logicalLocation(finding.rule)
        func ruleLocation(_ rule: RuleReference) -> SourceLocation { Self.ruleLocation(rule, family: finding.family, report: report) }
        var related: [JSONValue] = []
        let primary: JSONValue
        switch finding.kind {
        case .missing:
            let flowLocation = self.flowLocation(finding.flowID, report: report)
            primary = location(flowLocation, message: "documented flow \(finding.flowID ?? "")", logical: chain, artifacts: &artifacts)
            var seen: Set<SourceLocation> = []
            for part in finding.blockedBy.prefix(FindingLimits.listedRules + 1) where seen.insert(part.rule.location).inserted {
                related.append(location(ruleLocation(part.rule), id: related.count + 1,
                                        message: blockingText(part.rule, leg: part.leg),
                                        logical: logicalLocation(part.rule), artifacts: &artifacts))
            }
            if finding.blockedBy.isEmpty {
                related.append(location(ruleLocation(finding.rule), id: 1, message: blockingText(finding.rule, leg: nil),
                                        logical: chain, artifacts: &artifacts))
            }
        case .extra, .wrongDirection:
            let text = finding.rule.chain.isEmpty ? finding.rule.location.detail ?? finding.rule.text : finding.rule.text
            primary = location(ruleLocation(finding.rule), message: text, logical: chain, artifacts: &artifacts)
            if finding.kind == .wrongDirection, let flow = finding.flowID {
                related.append(location(flowLocation(flow, report: report), id: 1, message: "documented flow \(flow), which this rule mirrors",
                                        logical: nil, artifacts: &artifacts))
            }
        }

        // The nat rules that send the connections where they fail, or make the traffic reachable.
        for translation in finding.translatedBy {
            related.append(location(translation.rule, id: related.count + 1, message: AssumptionText.translation(translation),
                                    logical: nil, artifacts: &artifacts))
        }

        var members: [(String, JSONValue)] = [
            ("ruleId", .string(finding.kind.rawValue)),
            ("ruleIndex", .int(FindingKind.allCases.firstIndex(of: finding.kind)!)),
            ("level", .string(level(finding))),
            ("message", .object([("text", .string(messageText(finding)))])),
            ("locations", .array([primary])),
        ]
        if !related.isEmpty { members.append(("relatedLocations", .array(related))) }
        members.append(("partialFingerprints", .object([(fingerprintKey, .string(finding.fingerprint))])))
        if let waiver = finding.waiver {
            artifacts.add(waiver.location.source, roles: ["userSpecifiedConfiguration"])
            var suppression: [(String, JSONValue)] = [
                ("kind", .string("external")), ("status", .string("accepted")),
                ("justification", .string("\(waiver.reason) (\(waiver.owner), expires \(waiver.expires))")),
            ]
            if let physical = physicalLocation(waiver.location, artifacts: &artifacts) {
                suppression.append(("location", .object([("physicalLocation", physical)])))
            }
            suppression.append(("properties", .object([
                ("reason", .string(waiver.reason)), ("owner", .string(waiver.owner)), ("expires", .string(waiver.expires)),
            ])))
            members.append(("suppressions", .array([.object(suppression)])))
        }
        if hasBaseline { members.append(("baselineState", .string(finding.inBaseline ? "unchanged" : "new"))) }
        members.append(("properties", properties(finding)))
        return .object(members)
    }

    /// The finding's message, its certainty when it depends on unmodelled conditions, and its example packet.
    static func messageText(_ finding: GatedFinding) -> String {
        var text = finding.messageText + "."
        if finding.certainty == .possible {
            let conditions = finding.unknowns.map { "\($0.text) (\($0.location.description))" }
            text += " Possible: it depends on conditions fwaudit does not model"
            text += conditions.isEmpty ? "." : ": " + conditions.joined(separator: ", ") + "."
        }
        if !finding.translatedBy.isEmpty { text += " Translated \(AssumptionText.translations(finding.translatedBy))." }
        text += " Example packet: \(finding.witness.shown)"
        if finding.witness.leg != .new { text += " (\(legText(finding.witness.leg)))" }
        text += "."
        if !finding.witness.confirmed { text += " The concrete interpreter did not confirm this example." }
        return text
    }

    /// `policy DROP of chain filter/OUTPUT drops the replies`, `rule -A INPUT ... -j DROP drops the opening packets`.
    static func blockingText(_ rule: RuleReference, leg: ConnectionLeg?) -> String {
        let verb = rule.verdict == .reject ? "rejects" : rule.verdict == .drop ? "drops" : "decides"
        let what = leg.map(legText) ?? "the flow"
        let object = leg == nil ? what : "the \(what)"
        if rule.chain.isEmpty { return "no base chain on the \(rule.hook.rawValue) hook: the kernel accepts" }
        if rule.isPolicy {
            return "policy \(rule.verdict.rawValue.uppercased()) of chain \(rule.table)/\(rule.chain) \(verb) \(object)"
        }
        return "rule \(rule.text) \(verb) \(object)"
    }

    static func legText(_ leg: ConnectionLeg) -> String {
        switch leg {
        case .new: "opening packets"
        case .established: "later packets of the connection"
        case .reply: "replies"
        }
    }

    static func properties(_ finding: GatedFinding) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("kind", .string(finding.kind.rawValue)),
            ("flow", .optional(finding.flowID)),
            ("certainty", .string(finding.certainty.rawValue)),
            ("severity", .string(finding.severity.rawValue)),
            ("family", .string(finding.family.rawValue)),
            ("path", .string(finding.path.rawValue)),
            ("protocol", .string(finding.protocolText)),
            ("ports", .string(finding.portsText)),
            ("from", .optional(finding.from)),
            ("to", .optional(finding.to)),
        ]
        if let mirror = finding.mirror { members.append(("mirror", .string(mirror.rawValue))) }
        members.append(("rule", JSONReport.rule(finding.rule)))
        members.append(("space", JSONReport.space(finding.space)))
        members.append(("witness", JSONReport.witness(finding.witness)))
        if !finding.unknowns.isEmpty {
            members.append(("unknowns", .array(finding.unknowns.map { unknown in
                .object([("id", .int(unknown.id)), ("location", .string(unknown.location.description)),
                         ("match", .string(unknown.text)), ("reason", .string(unknown.reason))])
            })))
        }
        if !finding.translatedBy.isEmpty { members.append(("translatedBy", .array(finding.translatedBy.map(JSONReport.translation)))) }
        members.append(("inBaseline", .bool(finding.inBaseline)))
        return .object(members)
    }

    // MARK: Locations

    /// The flow's item in the matrix; line 1 of the matrix when the flow is not found.
    static func flowLocation(_ id: String?, report: GatedReport) -> SourceLocation {
        if let id, let flow = report.flows.first(where: { $0.flow.id == id })?.flow ?? report.matrix.flow(id), flow.location.line != nil {
            return flow.location
        }
        return SourceLocation(source: report.matrixPath, line: 1)
    }

    /// The rule's line; for a chain policy, the line declaring the chain; line 1 of the family's
    /// first ruleset when no chain at all decides.
    static func ruleLocation(_ rule: RuleReference, family: AddressFamily, report: GatedReport) -> SourceLocation {
        var location = rule.location
        if rule.isPolicy, let declaration = rule.declaration, declaration.line != nil { location = declaration }
        if rule.chain.isEmpty, let input = report.inputs.first(where: { $0.family == family }) {
            location = SourceLocation(source: input.path)
        }
        if location.line == nil {
            location.line = 1
            location.column = nil
        }
        location.detail = nil
        return location
    }

    /// The chain as `table/chain`; `(no chain)/hook` when no base chain exists on the path.
    static func logicalLocation(_ rule: RuleReference) -> JSONValue {
        let table = rule.table.isEmpty ? "(no chain)" : rule.table
        let chain = rule.chain.isEmpty ? rule.hook.rawValue : rule.chain
        return .object([
            ("name", .string(chain)),
            ("fullyQualifiedName", .string("\(table)/\(chain)")),
            ("kind", .string("function")),
        ])
    }

    static func location(_ source: SourceLocation, id: Int? = nil, message: String, logical: JSONValue?,
                         artifacts: inout Artifacts) -> JSONValue {
        var members: [(String, JSONValue)] = []
        if let id { members.append(("id", .int(id))) }
        if let physical = physicalLocation(source, artifacts: &artifacts) { members.append(("physicalLocation", physical)) }
        if let logical { members.append(("logicalLocations", .array([logical]))) }
        members.append(("message", .object([("text", .string(message))])))
        return .object(members)
    }

    static func physicalLocation(_ source: SourceLocation, artifacts: inout Artifacts) -> JSONValue? {
        if source.source.isEmpty { return nil }
        let index = artifacts.add(source.source, roles: [])
        var location = artifactLocation(source.source)
        location.append(("index", .int(index)))
        var members: [(String, JSONValue)] = [("artifactLocation", .object(location))]
        if let line = source.line, line >= 1 {
            var region: [(String, JSONValue)] = [("startLine", .int(line))]
            if let column = source.column, column >= 1 { region.append(("startColumn", .int(column))) }
            members.append(("region", .object(region)))
        }
        return .object(members)
    }

    static func notification(_ diagnostic: Diagnostic, artifacts: inout Artifacts) -> JSONValue {
        var members: [(String, JSONValue)] = []
        if let location = diagnostic.location, let physical = physicalLocation(location, artifacts: &artifacts) {
            var item: [(String, JSONValue)] = [("physicalLocation", physical)]
            if let detail = location.detail { item.append(("message", .object([("text", .string(detail))]))) }
            members.append(("locations", .array([.object(item)])))
        }
        members.append(("message", .object([("text", .string(diagnostic.message))])))
        let level = switch diagnostic.severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "note"
        }
        members.append(("level", .string(level)))
        return .object(members)
    }

    /// A relative path against `%SRCROOT%`, an absolute one as a `file://` URI.
    static func artifactLocation(_ path: String) -> [(String, JSONValue)] {
        if path.hasPrefix("/") { return [("uri", .string("file://" + uriEncoded(path)))] }
        return [("uri", .string(uriEncoded(path))), ("uriBaseId", .string(sourceRoot))]
    }

    /// Percent-encodes every byte that is not unreserved, a path separator or a safe sub-delimiter
    /// (`:` too, so that a first segment is never read as a scheme).
    public static func uriEncoded(_ path: String) -> String {
        var result = ""
        for byte in path.utf8 {
            let scalar = Unicode.Scalar(byte)
            let isSafe = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || "-._~/!$&'()*+,;=@".unicodeScalars.contains(scalar)
            if isSafe {
                result.unicodeScalars.append(scalar)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return result
    }

    /// The files results point into, in order of first mention, with their roles.
    struct Artifacts {
        struct Entry {
            var path: String
            var roles: [String]
        }

        var entries: [Entry] = []
        var indices: [String: Int] = [:]

        @discardableResult
        mutating func add(_ path: String, roles: [String]) -> Int {
            if let index = indices[path] {
                for role in roles where !entries[index].roles.contains(role) { entries[index].roles.append(role) }
                return index
            }
            indices[path] = entries.count
            entries.append(Entry(path: path, roles: roles))
            return entries.count - 1
        }
    }
}
