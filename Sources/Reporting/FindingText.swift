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
        }
    }
}

extension GatedFinding {
    public var messageText: String { finding.messageText }
}

/// How reports state what the audit assumed.
enum AssumptionText {
    static func forwarding(_ forwarding: Forwarding) -> String {
        switch forwarding {
        case .read(let on, let sysctl): on ? "routes (\(sysctl) = 1): the forward path is audited" : "does not route (\(sysctl) = 0): the forward path is not audited"
        case .declared(let on): on ? "routes (host.forwarding: true): the forward path is audited" : "does not route (host.forwarding: false): the forward path is not audited"
        case .undeclared: "not declared (host.forwarding): audited as a router"
        }
    }
}
