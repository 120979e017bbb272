import FirewallModel
import FlowAnalysis

/// An address translation that documented connections take, or that makes extra traffic
/// reachable: "via DNAT to 172.17.0.2:80 by docker.v4:44".
public struct Translation: Sendable, Hashable {
    public typealias Kind = AppliedTranslation.Kind

    public var family: AddressFamily
    public var kind: Kind
    /// The nat rule (`FILE:LINE`, or table/chain/handle).
    public var rule: SourceLocation
    public var ruleText: String
    /// Where connections are sent (for `snat`: the source they take); nil when unchanged or chosen by the kernel.
    public var addresses: AddressSet?
    public var ports: PortSet?

    init(family: AddressFamily, _ applied: AppliedTranslation) {
        self.family = family
        kind = applied.kind
        rule = applied.location
        ruleText = applied.ruleText
        addresses = applied.addresses
        ports = applied.ports
    }

    /// Adds `translation` to `list`, uniting the targets of one rule met by several parts of the traffic.
    static func merge(_ translation: Translation, into list: inout [Translation]) {
        guard let index = list.firstIndex(where: { $0.family == translation.family && $0.kind == translation.kind && $0.rule == translation.rule }) else {
            list.append(translation)
            return
        }
        if let more = translation.addresses { list[index].addresses = (list[index].addresses ?? AddressSet()).union(more) }
        if let more = translation.ports { list[index].ports = (list[index].ports ?? PortSet()).union(more) }
    }
}
