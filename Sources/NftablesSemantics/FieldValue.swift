import FirewallModel

/// What one value or set element written in nft notation stands for, in the terms of the field
/// it is compared with.
public enum FieldValue: Sendable, Equatable {
    /// Numbers in the field's own domain (addresses, ports, protocols, ICMP type or code, marks, flags).
    case numbers(IntervalSet<UInt128>)
    case interface(InterfacePattern)
    case states(ConnectionStates)
    case family(AddressFamily)
    case addressTypes(Set<AddressType>)
    /// The catch-all element `*`: every value.
    case anything
}
