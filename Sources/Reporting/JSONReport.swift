import Audit
import FirewallModel
import Gating
import JSONDocuments
import FlowAnalysis
import PortMatrix

/// The machine-readable report, schema version 2 (see Reports/schema/report.schema.json).
///
/// A contract with programs that read it: within a schema version fields are added, never renamed
/// or removed; a change of meaning raises the version (the README says how to migrate).
public enum JSONReport {
    public static let schemaVersion = 2

    public static func render(_ report: GatedReport, toolVersion: String) -> String {
        value(report, toolVersion: toolVersion).rendered() + "\n"
    }

    public static func value(_ report: GatedReport, toolVersion: String) -> JSONValue {
        let summary = report.summary
        return .object([
            ("schemaVersion", .int(schemaVersion)),
            ("fingerprintVersion", .int(Fingerprint.version)),
            ("tool", .object([("name", .string("fwaudit")), ("version", .string(toolVersion))])),
            ("matrix", .object([
                ("name", .string(report.matrix.name)), ("path", .string(report.matrixPath)),
                ("reference", .optional(report.matrix.reference)),
            ])),
            ("inputs", .array(report.inputs.map { input in
                .object([("kind", .string(input.kind)), ("path", .string(input.path)), ("family", .string(input.family.rawValue))])
            })),
            ("audited", .object(AddressFamily.allCases.map { ($0.rawValue, .bool(report.audited[$0] ?? false)) })),
            ("summary", .object([
                ("compliant", .bool(summary.compliant)), ("flows", .int(summary.flows)), ("allowed", .int(summary.allowed)),
                ("partial", .int(summary.partial)), ("blocked", .int(summary.blocked)), ("notAudited", .int(summary.notAudited)),
                ("missing", .int(summary.missing)), ("extra", .int(summary.extra)), ("wrongDirection", .int(summary.wrongDirection)),
                ("waived", .int(summary.waived)), ("baselined", .int(summary.baselined)),
            ])),
            ("flows", .array(report.flows.map(flow))),
            ("findings", .array(report.findings.map(finding))),
            ("assumptions", .array(report.assumptions.map(assumptions))),
            ("diagnostics", .array(report.diagnostics.map(diagnostic))),
            ("fixed", .array(report.fixed.map { fixed in
                .object([("fingerprint", .string(fixed.fingerprint)), ("kind", .string(fixed.kind.rawValue)), ("message", .string(fixed.message))])
            })),
        ])
    }

    static func flow(_ result: FlowResult) -> JSONValue {
        let flow = result.flow
        return .object([
            ("id", .string(flow.id)), ("service", .optional(flow.service)), ("protocol", .string(flow.protocol.rawValue)),
            ("ports", .optional(flow.portsText)), ("sourcePorts", .optional(flow.sourcePorts?.portSyntax)),
            ("from", .string(flow.from)), ("to", .string(flow.to)),
            ("required", .bool(flow.isRequired)), ("severity", .string(flow.severity.rawValue)),
            ("path", .string(result.path.rawValue)), ("paths", .array(result.paths.map { .string($0.rawValue) })), ("status", .string(result.status.rawValue)),
            ("certainty", .string(result.certainty.rawValue)),
            ("families", .object(AddressFamily.allCases.compactMap { family in
                result.families[family].map { (family.rawValue, .string($0.rawValue)) }
            })),
            ("location", .string(flow.location.description)),
            ("note", .optional(flow.note)),
            ("rateLimitedBy", .array(result.rateLimitedBy.map { limit in
                .object([("family", .string(limit.family.rawValue)), ("rule", .string(limit.rule.description)), ("match", .string(limit.match))])
            })),
            ("translatedBy", .array(result.translatedBy.map(translation))),
            ("narrowedBy", .array(result.narrowedBy.map { narrowing in
                .object([("denyList", .string(narrowing.denyList)), ("family", .string(narrowing.family.rawValue)),
                         ("rules", .array(narrowing.rules.map { .string($0.description) })), ("addresses", count(narrowing.addresses))])
            })),
        ])
    }

    static func translation(_ translation: Translation) -> JSONValue {
        .object([
            ("family", .string(translation.family.rawValue)), ("kind", .string(translation.kind.rawValue)),
            ("rule", .string(translation.rule.description)), ("ruleText", .string(translation.ruleText)),
            ("addresses", .optional(translation.addresses?.summarySyntax(family: translation.family))),
            ("ports", .optional(translation.ports?.portSyntax)),
            ("text", .string(AssumptionText.translation(translation))),
        ])
    }

    static func rule(_ rule: RuleReference) -> JSONValue {
        .object([
            ("location", .string(rule.location.description)), ("text", .string(rule.text)),
            ("table", .string(rule.table)), ("chain", .string(rule.chain)), ("hook", .string(rule.hook.rawValue)),
            ("verdict", .string(rule.verdict.rawValue)), ("policy", .bool(rule.isPolicy)),
        ])
    }

    /// A set of packets: each field as the intervals it holds, the interfaces, and the same
    /// values in the notation the text report prints.
    static func space(_ space: TrafficSpace) -> JSONValue {
        func numbers<Bound: FixedWidthInteger & UnsignedInteger & Sendable>(_ set: IntervalSet<Bound>) -> JSONValue {
            .array(set.ranges.map { .object([("first", .int(Int($0.lowerBound))), ("last", .int(Int($0.upperBound)))]) })
        }
        func addresses(_ set: AddressSet) -> JSONValue { JSONReport.addresses(set, family: space.family) }
        return .object([
            ("protocols", numbers(space.protocols)),
            ("sources", addresses(space.sources)),
            ("destinations", addresses(space.destinations)),
            ("sourcePorts", space.sourcePorts.map(numbers) ?? .null),
            ("destinationPorts", space.destinationPorts.map(numbers) ?? .null),
            ("icmpTypes", space.icmpTypes.map { types in
                .array(types.ranges.map { .object([("first", .string("\($0.lowerBound >> 8)/\($0.lowerBound & 0xff)")),
                                                   ("last", .string("\($0.upperBound >> 8)/\($0.upperBound & 0xff)"))]) })
            } ?? .null),
            ("inInterfaces", interfaces(space.inInterfaces)),
            ("outInterfaces", interfaces(space.outInterfaces)),
            ("text", .object([
                ("protocols", .string(space.protocolsText)), ("sources", .string(space.sourcesText)),
                ("destinations", .string(space.destinationsText)), ("sourcePorts", .string(space.sourcePortsText)),
                ("destinationPorts", .string(space.destinationPortsText)),
            ])),
        ])
    }

    /// At most `listedRanges` ranges of addresses, with how many ranges and addresses there are
    /// in all: no report grows with the size of a blocklist.
    static func addresses(_ set: AddressSet, family: AddressFamily) -> JSONValue {
        let count = set.approximateCount
        return .object([
            ("ranges", .array(set.ranges.prefix(AddressSet.listedRanges * 2).map { range in
                .object([("first", .string(IPAddress.format(range.lowerBound, family: family))),
                         ("last", .string(IPAddress.format(range.upperBound, family: family)))])
            })),
            ("rangeCount", .int(set.ranges.count)),
            ("addressCount", JSONReport.count(count)),
        ])
    }

    /// A count of addresses: a number while exact, the text `2^N` beyond.
    static func count(_ value: Double) -> JSONValue {
        AddressCount.isExact(value) ? .number(AddressCount.text(value)) : .string(AddressCount.text(value))
    }

    /// `{"scope": "any"}`, `{"scope": "none"}` or `{"scope": "only", "names": ["eth0", "veth+", "*"]}`.
    static func interfaces(_ scope: InterfaceScope) -> JSONValue {
        switch scope {
        case .none: .object([("scope", .string("none"))])
        case .any: .object([("scope", .string("any"))])
        case .only(let names): .object([("scope", .string("only")), ("names", .array(names.map(JSONValue.string)))])
        }
    }

    static func witness(_ witness: Witness) -> JSONValue {
        let packet = witness.shown
        var members: [(String, JSONValue)] = [
            ("protocol", .string(packet.protocolName)), ("source", .string(packet.sourceText)),
        ]
        if packet.hasPorts { members.append(("sourcePort", .int(Int(packet.sourcePort)))) }
        members.append(("destination", .string(packet.destinationText)))
        if packet.hasPorts { members.append(("destinationPort", .int(Int(packet.destinationPort)))) }
        if packet.isICMP {
            members.append(("icmpType", .int(Int(packet.icmpType >> 8))))
            members.append(("icmpCode", .int(Int(packet.icmpType & 0xff))))
        }
        if !packet.inInterface.isEmpty { members.append(("in", .string(packet.inInterface))) }
        if !packet.outInterface.isEmpty { members.append(("out", .string(packet.outInterface))) }
        members.append(("state", .string(packet.state.description)))
        if packet.layer4Protocol == 6 { members.append(("tcpFlags", .string(Packet.flagNames(packet.tcpFlags)))) }
        members.append(("leg", .string(witness.leg.rawValue)))
        members.append(("confirmed", .bool(witness.confirmed)))
        if !witness.answers.isEmpty {
            members.append(("assumed", .array(witness.answers.keys.sorted().map { key in
                .object([("unknown", .int(key)), ("holds", .bool(witness.answers[key]!))])
            })))
        }
        return .object(members)
    }

    static func finding(_ finding: GatedFinding) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("kind", .string(finding.kind.rawValue)), ("fingerprint", .string(finding.fingerprint)),
            ("flow", .optional(finding.flowID)), ("certainty", .string(finding.certainty.rawValue)),
            ("severity", .string(finding.severity.rawValue)), ("family", .string(finding.family.rawValue)),
            ("path", .string(finding.path.rawValue)), ("protocol", .string(finding.protocolText)), ("ports", .string(finding.portsText)),
            ("from", .optional(finding.from)), ("to", .optional(finding.to)), ("message", .string(finding.messageText)),
            ("rule", rule(finding.rule)),
        ]
        if let mirror = finding.mirror { members.append(("mirror", .string(mirror.rawValue))) }
        if !finding.blockedBy.isEmpty {
            members.append(("blockedByCount", .int(finding.blockedBy.count)))
            members.append(("blockedBy", .array(finding.blockedBy.prefix(FindingLimits.listedRules * 2).map { part in
                .object([("leg", .string(part.leg.rawValue)), ("rule", rule(part.rule)), ("space", space(part.space))])
            })))
        }
        members.append(("space", space(finding.space)))
        members.append(("witness", witness(finding.witness)))
        members.append(("waiver", finding.waiver.map { waiver in
            .object([("reason", .string(waiver.reason)), ("owner", .string(waiver.owner)), ("expires", .string(waiver.expires)),
                     ("location", .string(waiver.location.description))])
        } ?? .null))
        members.append(("inBaseline", .bool(finding.inBaseline)))
        members.append(("notes", .array(finding.notes.map { .object([("id", .string($0.rawValue)), ("text", .string($0.text))]) })))
        members.append(("translatedBy", .array(finding.translatedBy.map(translation))))
        members.append(("unknowns", .array(finding.unknowns.map { unknown in
            .object([("id", .int(unknown.id)), ("location", .string(unknown.location.description)),
                     ("match", .string(unknown.text)), ("reason", .string(unknown.reason))])
        })))
        return .object(members)
    }

    /// What the audit of one family took for granted.
    static func assumptions(_ assumptions: Assumptions) -> JSONValue {
        let forwarding: JSONValue
        switch assumptions.forwarding {
        case .read(let on, let sysctl): forwarding = .object([("routes", .bool(on)), ("source", .string("kernel")), ("sysctl", .string(sysctl))])
        case .declared(let on): forwarding = .object([("routes", .bool(on)), ("source", .string("matrix"))])
        case .undeclared: forwarding = .object([("routes", .bool(true)), ("source", .string("undeclared"))])
        }
        func ports(_ set: PortSet) -> JSONValue {
            .array(set.ranges.map { .object([("first", .int(Int($0.lowerBound))), ("last", .int(Int($0.upperBound)))]) })
        }
        return .object([
            ("family", .string(assumptions.family.rawValue)),
            ("hostAddresses", addresses(assumptions.hostAddresses, family: assumptions.family)),
            ("forwarding", forwarding),
            ("remoteClientPorts", ports(assumptions.remoteClientPorts)),
            ("hostClientPorts", ports(assumptions.hostClientPorts)),
            ("interfaces", .array(assumptions.interfaces.map(JSONValue.string))),
            ("denyLists", .array(assumptions.denyLists.map(JSONValue.string))),
            ("throttles", .object([
                ("mode", .string(assumptions.throttles == .withinLimits ? "within-limits" : "unknown")),
                ("ruleCount", .int(assumptions.throttleRules.count)),
                ("rules", .array(assumptions.throttleRules.prefix(16).map { .string($0.description) })),
            ])),
        ])
    }

    static func diagnostic(_ diagnostic: Diagnostic) -> JSONValue {
        .object([
            ("severity", .string(diagnostic.severity.rawValue)),
            ("location", .optional(diagnostic.location?.description)),
            ("message", .string(diagnostic.message)),
        ])
    }
}
