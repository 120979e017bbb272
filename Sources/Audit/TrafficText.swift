import FirewallModel
import FlowAnalysis
import PortMatrix

/// The notation reports and waivers use for a finding's values: matrix syntax for protocols and
/// ports (`tcp`, `5061`, `50000-59999`), address syntax for addresses, `-` where there are none.
extension TrafficSpace {
    /// `tcp`, `tcp,udp`, `any`, or a range of numbers for wide unnamed ranges.
    public var protocolsText: String { SpaceDescription.protocolText(protocols) }
    public var sourcesText: String { sources.addressSyntax(family: family) }
    public var destinationsText: String { destinations.addressSyntax(family: family) }
    public var sourcePortsText: String { sourcePorts?.portSyntax ?? "-" }
    public var destinationPortsText: String { destinationPorts?.portSyntax ?? "-" }
}

extension Finding {
    /// The documented flow's protocol, or the protocols accepted.
    public var protocolText: String { flow?.protocol.rawValue ?? space.protocolsText }

    /// The documented flow's ports (`any` for a flow without ports), or the destination ports accepted.
    public var portsText: String {
        if let flow { return flow.portsText ?? "any" }
        return space.destinationPortsText
    }
}
