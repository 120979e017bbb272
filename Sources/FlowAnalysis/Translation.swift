import FirewallModel

/// Where a nat rule sends a connection's destination, as the packet-space engine and the
/// interpreter both apply it.
struct NatTarget {
    /// The new destination addresses; nil leaves the address as it is.
    var destinations: AddressSet?
    /// The new destination ports; nil leaves the port as it is.
    var ports: PortSet?
    /// The `TranslationStatus` bit the rule sets on the connection.
    var status: UInt8

    init(_ action: NatAction, hook: Hook, context: AnalysisContext) {
        switch action {
        case .destination, .redirect: status = TranslationStatus.destination
        case .source, .masquerade: status = TranslationStatus.source
        }
        switch action {
        case .destination(let address, let ports):
            destinations = address?.intersection(AddressSet(context.family.domain))
            self.ports = ports
        case .redirect(let ports):
            // REDIRECT sends the connection to the host: to loopback for the host's own packets,
            // otherwise to an address of the interface it came in on (one of the host's own).
            if hook == .output {
                destinations = AddressSet(value: context.family == .ipv4 ? 0x7f00_0001 : 1)
            } else {
                let own = context.localAddresses.subtracting(AnalysisContext.loopback(context.family))
                destinations = own.isEmpty ? context.localAddresses : own
            }
            self.ports = ports
        case .source, .masquerade:
            destinations = nil
            ports = nil
        }
    }

    /// A translation to no address of the family being analysed: the rule does not apply.
    var isEmpty: Bool { destinations?.isEmpty == true }
}

/// A translation a connection met: the nat rule, what it does and where it sends the connection.
public struct AppliedTranslation: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Comparable {
        case dnat, redirect, snat, masquerade

        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var kind: Kind
    /// Where the nat rule was written (`FILE:LINE`, or table/chain/handle).
    public var location: SourceLocation
    public var ruleText: String
    /// The addresses the connection is sent to (for `snat`: taken from); nil when unchanged or chosen by the kernel.
    public var addresses: AddressSet?
    /// The ports the connection is sent to (for `snat`: taken from); nil when unchanged.
    public var ports: PortSet?

    public init(kind: Kind, location: SourceLocation, ruleText: String, addresses: AddressSet?, ports: PortSet?) {
        self.kind = kind
        self.location = location
        self.ruleText = ruleText
        self.addresses = addresses
        self.ports = ports
    }
}

extension Outcome {
    /// The translations these packets met on their path, in path order: the nat rules that
    /// decided in nat chains, with the destinations the packets of this outcome were sent to.
    public var translations: [AppliedTranslation] {
        decisions.compactMap { decision -> AppliedTranslation? in
            guard let rule = decision.rule, case .nat(let action) = rule.action else { return nil }
            switch action {
            case .destination(let address, let ports):
                return AppliedTranslation(kind: .dnat, location: rule.location, ruleText: rule.text,
                                          addresses: address == nil ? nil : box.destination, ports: ports == nil ? nil : box.destinationPort)
            case .redirect(let ports):
                return AppliedTranslation(kind: .redirect, location: rule.location, ruleText: rule.text,
                                          addresses: box.destination, ports: ports == nil ? nil : box.destinationPort)
            case .source(let address, let ports):
                return AppliedTranslation(kind: .snat, location: rule.location, ruleText: rule.text, addresses: address, ports: ports)
            case .masquerade:
                return AppliedTranslation(kind: .masquerade, location: rule.location, ruleText: rule.text, addresses: nil, ports: nil)
            }
        }
    }
}

extension NatTarget {
    /// The action as a trace step names it.
    static func describe(_ action: NatAction) -> String {
        switch action {
        case .destination: "dnat"
        case .redirect: "redirect"
        case .source: "snat"
        case .masquerade: "masquerade"
        }
    }
}
