import Foundation
import Audit
import FirewallModel
import Gating

/// The sentence that states a finding, shared by every report format.
extension Finding {
    public var messageText: String {
        let location = rule.location
        switch message {
        case .flowDropped(let blocked, let leg):
            let what = blocked ? "blocked" : "partly blocked"
            let legText: String
            switch leg {
            case .new: legText = "new connections"
            case .established: legText = "later packets of the connection"
            case .reply: legText = "replies"
            }
            return "\(protocolText) \(portsText) from \(from ?? "-") to \(to ?? "-") is \(what) (\(family)): \(legText) dropped by \(location)"
        case .mirrored(let mirror):
            let how: String
            switch mirror {
            case .swappedEnds: how = "accepted from \(to ?? "-") to \(from ?? "-"), the reverse of the documented direction"
            case .sourcePort: how = "accepted with \(flow?.portsText ?? "") as the source port instead of the destination port"
            case .interface: how = "accepted on an interface \(from ?? "-") is not reached through"
            }
            return "\(protocolText) \(portsText) \(how) (\(family)), by \(location)"
        case .undocumentedTraffic:
            let protocols = space.protocolsText, ports = space.destinationPortsText
            let what = protocols == "any" ? "all traffic"
                : ports == "-" || ports == "any" ? "\(protocols) traffic" : "\(protocols) port \(ports)"
            return "\(what) from \(space.sourcesText) to \(space.destinationsText) accepted on the \(path.rawValue) path (\(family)) by \(location), outside every documented flow"
        }
    }
}

extension Finding.Note {
    /// What the note tells a reader, in a sentence.
    public var text: String {
        switch self {
        case .forwardingUndeclared:
            "the matrix does not say whether this host routes; if it does not, declare 'host: {forwarding: false}' and the forward path is not audited"
        case .bypassesInput:
            "these packets are addressed to the host, but a DNAT rule forwards them, so the INPUT chain never sees them: a rule there cannot close this port; close it where it is forwarded (FORWARD, DOCKER-USER) or remove the translation"
        }
    }
}

extension GatedFinding {
    public var messageText: String { finding.messageText }
}

/// How reports state what the audit assumed.
enum AssumptionText {
    /// `narrowed by f2b-* (3 IPv4 addresses, by edge.v4:12 and 2 more rules)`.
    static func narrowing(_ narrowing: Narrowing) -> String {
        let more = narrowing.rules.count > 1 ? " and \(narrowing.rules.count - 1) more rule\(narrowing.rules.count > 2 ? "s" : "")" : ""
        let first = narrowing.rules.first.map { ", by \($0)\(more)" } ?? ""
        return "narrowed by \(narrowing.denyList) (\(AddressCount.text(narrowing.addresses)) \(narrowing.family) address\(narrowing.addresses == 1 ? "" : "es")\(first))"
    }

    /// `via DNAT to 172.17.0.2:80 by docker.v4:44`, `via MASQUERADE by docker.v4:40`.
    static func translation(_ translation: Translation) -> String {
        var target = ""
        if let addresses = translation.addresses {
            target = addresses.summarySyntax(family: translation.family)
            if let ports = translation.ports {
                target = translation.family == .ipv6 ? "[\(target)]:\(ports.portSyntax)" : "\(target):\(ports.portSyntax)"
            }
        } else if let ports = translation.ports {
            target = "port \(ports.portSyntax)"
        }
        let name = translation.kind.rawValue.uppercased()
        let to = target.isEmpty ? "" : (translation.kind == .snat ? " from \(target)" : " to \(target)")
        return "via \(name)\(to) by \(translation.rule)"
    }

    static func translations(_ translations: [Translation]) -> String {
        translations.map(translation).joined(separator: ", ")
    }

    /// `rate-limited by edge.v4:12 (-m limit --limit 5/min) and edge.v4:14`.
    static func rateLimits(_ limits: [RateLimit]) -> String {
        let first = limits[0]
        var text = "rate-limited by \(first.rule) (\(first.match))"
        for limit in limits.dropFirst().prefix(2) { text += ", \(limit.rule)" }
        if limits.count > 3 { text += " and \(limits.count - 3) more" }
        return text
    }

    /// How throttles were decided, with how many rules hold one.
    static func throttles(_ assumptions: Assumptions) -> String {
        let rules = assumptions.throttleRules.count
        let held = rules == 0 ? "no rule holds one" : "\(rules) rule\(rules == 1 ? "" : "s") hold\(rules == 1 ? "s" : "") one, the first \(assumptions.throttleRules[0])"
        switch assumptions.throttles {
        case .withinLimits: return "decided within their limits (ordinary traffic); \(held)"
        case .unknown: return "kept unknown (--throttles unknown); \(held)"
        }
    }

    static func forwarding(_ forwarding: Forwarding) -> String {
        switch forwarding {
        case .read(let on, let sysctl): on ? "routes (\(sysctl) = 1): the forward path is audited" : "does not route (\(sysctl) = 0): the forward path is not audited"
        case .declared(let on): on ? "routes (host.forwarding: true): the forward path is audited" : "does not route (host.forwarding: false): the forward path is not audited"
        case .undeclared: "not declared (host.forwarding): audited as a router"
        }
    }
}

/// How much of a finding reports list: a blocklist of thousands of rules is a few lines and a count.
enum FindingLimits {
    /// Blocking rules listed after the first (JSON lists twice as many).
    static let listedRules = 8

    /// How many blocking rules the text formats leave unlisted, if any.
    static func unlistedRules(_ finding: GatedFinding) -> Int? {
        let more = finding.blockedBy.count - 1 - listedRules
        return more > 0 ? more : nil
    }
}

/// The verdict line's counts: what fails the run first, then the flows, then every finding.
enum SummaryText {
    static func line(_ report: GatedReport) -> String {
        let summary = report.summary
        let failing = report.failing
        var text: String
        if failing.isEmpty {
            text = "no finding fails the run"
        } else {
            let kinds = FindingKind.allCases.compactMap { kind -> String? in
                let count = failing.filter { $0.kind == kind }.count
                return count == 0 ? nil : "\(count) \(kind.rawValue)"
            }
            text = "\(failing.count) finding\(failing.count == 1 ? " fails" : "s fail") the run (\(kinds.joined(separator: ", ")))"
        }
        text += "; \(summary.flows) flows: \(summary.allowed) allowed, \(summary.partial) partial, \(summary.blocked) blocked"
        if summary.notAudited > 0 { text += ", \(summary.notAudited) not fully audited" }
        text += "; findings: \(summary.missing) missing, \(summary.extra) extra, \(summary.wrongDirection) wrong-direction"
        var set: [String] = []
        if summary.waived > 0 { set.append("\(summary.waived) waived") }
        if summary.baselined > 0 { set.append("\(summary.baselined) in the baseline") }
        if !set.isEmpty { text += " (\(set.joined(separator: ", ")))" }
        return text
    }
}
