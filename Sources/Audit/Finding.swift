import FirewallModel
import FlowAnalysis
import PortMatrix

public enum FindingKind: String, Sendable, Hashable, CaseIterable, Comparable {
    case missing
    case extra
    case wrongDirection = "wrong-direction"

    var rank: Int {
        switch self {
        case .missing: 0
        case .extra: 1
        case .wrongDirection: 2
        }
    }

    public static func < (lhs: FindingKind, rhs: FindingKind) -> Bool { lhs.rank < rhs.rank }
}

/// Which part of a connection a set of packets is.
public enum ConnectionLeg: String, Sendable, Hashable, Comparable {
    /// The packet that opens the connection (TCP SYN, `ct state new`).
    case new
    /// Later packets in the opening direction (`ct state established`).
    case established
    /// Packets coming back (addresses and ports swapped, `ct state established`).
    case reply

    var rank: Int { self == .new ? 0 : self == .established ? 1 : 2 }
    public static func < (lhs: ConnectionLeg, rhs: ConnectionLeg) -> Bool { lhs.rank < rhs.rank }
}

/// How accepted traffic mirrors a documented flow.
public enum MirrorKind: String, Sendable, Hashable {
    /// Source and destination swapped.
    case swappedEnds = "swapped-ends"
    /// The documented port used as the source port.
    case sourcePort = "source-port"
    /// The right addresses and ports, on an interface the zone is not reached through.
    case interface
}

/// The rule (or chain policy) that decides a finding.
public struct RuleReference: Sendable, Hashable {
    public var location: SourceLocation
    public var text: String
    public var table: String
    public var chain: String
    public var hook: Hook
    public var verdict: Verdict
    public var isPolicy: Bool
    /// For a chain policy, where the chain is declared (`:INPUT DROP [0:0]`), so tools that need a
    /// line can point at it.
    public var declaration: SourceLocation?
    /// What the rule is, whatever its line or how it is printed: table, chain and the canonical
    /// form of its conditions and action (or of the policy). Part of finding fingerprints.
    public var identity: String

    init(_ decision: Decision) {
        location = decision.location
        text = decision.text
        table = decision.table
        chain = decision.chain
        hook = decision.hook
        verdict = decision.verdict
        isPolicy = decision.rule == nil
        declaration = decision.rule == nil && !decision.baseChain.isEmpty ? decision.chainLocation : nil
        let what = decision.rule?.canonicalForm ?? "policy \(decision.baseChain.isEmpty ? "none" : decision.verdict.rawValue)"
        identity = [decision.table, decision.baseChain, decision.chain, what].map(CanonicalForm.quoted).joined(separator: " ")
    }
}

/// A set of packets as values: the union of each field over the packets a finding is about.
public struct TrafficSpace: Sendable, Hashable {
    public var family: AddressFamily
    public var protocols: ProtocolSet
    public var sources: AddressSet
    public var destinations: AddressSet
    /// Nil when none of the protocols carries ports.
    public var sourcePorts: PortSet?
    public var destinationPorts: PortSet?
    /// ICMP types and codes (`type << 8 | code`); nil when the space holds no ICMP of its family.
    public var icmpTypes: IntervalSet<UInt16>? = nil
    /// Interfaces the packets arrive on (none for the host's own packets).
    public var inInterfaces: InterfaceScope
    /// Interfaces the packets leave through (none when the host is the destination).
    public var outInterfaces: InterfaceScope
}

/// Which interfaces packets pass, as people read it.
public enum InterfaceScope: Sendable, Hashable {
    /// No interface: the packets start or end on the host.
    case none
    /// Every interface a packet can arrive on or leave through.
    case any
    /// Only these: written names, `prefix+` for names only that wildcard matches, `*` for names
    /// no rule or zone mentions.
    case only([String])

    /// `none`, `any`, or the names joined by commas.
    public var text: String {
        switch self {
        case .none: "none"
        case .any: "any"
        case .only(let names): names.joined(separator: ",")
        }
    }
}

/// One witness of a finding: a concrete packet and the leg it belongs to.
public struct Witness: Sendable, Hashable {
    /// The packet the interpreter ran (an interface no rule or zone names is a stand-in name).
    public var packet: Packet
    /// The packet as reports show it: only real interface names, none where the packet may
    /// arrive on or leave through any interface no rule or zone names.
    public var shown: Packet
    public var leg: ConnectionLeg
    /// Answers assumed for unmodelled conditions to reach this outcome.
    public var answers: [Int: Bool]
    /// Whether the concrete interpreter reached the same verdict and rule.
    public var confirmed: Bool
}

/// One part of a flow that does not pass, with what stops it.
public struct BlockingPart: Sendable, Hashable {
    public var leg: ConnectionLeg
    public var rule: RuleReference
    public var space: TrafficSpace
}

/// A missing, extra or wrong-direction finding, as data: reports render it.
public struct Finding: Sendable, Hashable {
    /// What the finding says, beyond its kind; reports turn it into a sentence.
    public enum Message: Sendable, Hashable {
        /// A documented flow does not fully pass: `blocked` when nothing of it does; `leg` is the
        /// first part of the connection that is dropped.
        case flowDropped(blocked: Bool, leg: ConnectionLeg)
        /// An accepting rule is the mirror image of the documented flow.
        case mirrored(MirrorKind)
        /// Traffic is accepted that no documented flow covers.
        case undocumentedTraffic
    }

    /// What a reader should know to judge the finding.
    public enum Note: String, Sendable, Hashable {
        /// On the forward path of a host whose forwarding neither the matrix nor a live input told.
        case forwardingUndeclared = "forwarding-undeclared"
        /// Traffic for the host's own addresses that a translation forwards (a published container
        /// port): the input chains never see it, so they cannot close it.
        case bypassesInput = "bypasses-input"
    }

    public var kind: FindingKind
    /// The documented flow (missing, wrong-direction); nil for extra traffic.
    public var flow: Flow?
    public var certainty: Certainty
    public var family: AddressFamily
    public var path: PathKind
    /// The zone the traffic comes from: the flow's, or for extra traffic the smallest zone that
    /// holds all its sources; nil when no zone does.
    public var from: String?
    /// The zone the traffic goes to, chosen the same way.
    public var to: String?
    public var rule: RuleReference
    /// Every rule or policy that contributes, for a missing flow (the first is `rule`).
    public var blockedBy: [BlockingPart]
    public var space: TrafficSpace
    public var witness: Witness
    public var message: Message
    /// Unmodelled conditions the finding depends on.
    public var unknowns: [UnknownCondition]
    /// Stable identity (see `Fingerprint`).
    public var fingerprint: String
    public var severity: Severity
    public var notes: [Note] = []
    /// The address translations the traffic takes: for a missing flow, those its connections
    /// met; for extra traffic, the DNAT or REDIRECT rules that make it reachable.
    public var translatedBy: [Translation] = []

    /// The documented flow's id.
    public var flowID: String? { flow?.id }

    /// How the traffic was written or accepted.
    public var mirror: MirrorKind? {
        if case .mirrored(let mirror) = message { return mirror }
        return nil
    }
}
