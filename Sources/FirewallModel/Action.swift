/// What a rule does with the packets it matches.
public enum Action: Sendable, Hashable {
    /// A final verdict for this base chain (`accept`) or the packet (`drop`, `reject`).
    case verdict(Verdict)
    /// Call a user chain; its end returns here.
    case jump(String)
    /// Continue in a user chain without a return point here.
    case goto(String)
    /// Leave the current user chain (or apply the policy in a base chain).
    case `return`
    /// A target that leaves the verdict to later rules (`LOG`, `NFLOG`, `CT`, `TCPMSS`, counters).
    case `continue`(String)
    /// Set the packet mark: `mark = (mark & ~mask) ^ value`.
    case setMark(value: UInt32, mask: UInt32)
    /// Set the connection mark, or copy between packet and connection mark.
    case connectionMark(ConnectionMarkAction)
    /// Address translation; ends the nat chain for this connection.
    case nat(NatAction)
    /// The verdict is taken elsewhere (`QUEUE`, `NFQUEUE`): it may accept or drop.
    case opaqueVerdict(String)
    /// `NOTRACK` / `CT --notrack` (raw table): connection tracking skips the packet, so later
    /// chains see it as `untracked`, with no connection mark.
    case notrack
    /// A rule with no target: counts packets and continues.
    case none

    public var isTerminal: Bool {
        switch self {
        case .verdict, .goto, .return, .nat, .opaqueVerdict: true
        case .jump, .continue, .setMark, .connectionMark, .notrack, .none: false
        }
    }
}

public enum Verdict: String, Sendable, Hashable {
    case accept, drop, reject
}

public enum ConnectionMarkAction: Sendable, Hashable {
    case set(value: UInt32, mask: UInt32)
    /// `--save-mark`: connection mark takes the packet mark.
    case save
    /// `--restore-mark`: packet mark takes the connection mark.
    case restore
}

public enum NatAction: Sendable, Hashable {
    /// Destination rewritten to `address` (nil keeps it) and `ports` (nil keeps them).
    case destination(address: AddressSet?, ports: PortSet?)
    /// `REDIRECT`: destination becomes the host itself.
    case redirect(ports: PortSet?)
    case source(address: AddressSet?, ports: PortSet?)
    case masquerade
}
