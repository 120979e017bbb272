import FirewallModel

/// Where the host sends a packet whose destination is not its own: the interfaces of the most
/// specific network that holds the destination, or the default interfaces.
///
/// Routing decides the out interface of a packet after destination translation (DNAT sends a
/// connection for the host to a container behind `docker0`), so both engines read it here.
public struct RoutingTable: Sendable, Hashable {
    /// One network and the interfaces it is reached through.
    public struct Route: Sendable, Hashable {
        public var destinations: AddressSet
        public var interfaces: InterfaceSet

        public init(destinations: AddressSet, interfaces: InterfaceSet) {
            self.destinations = destinations
            self.interfaces = interfaces
        }
    }

    /// Most specific first: a destination takes the first route that holds it.
    public private(set) var routes: [Route]
    /// Interfaces for destinations no route holds; nil for every interface a packet can leave through.
    public var defaultInterfaces: InterfaceSet?

    /// Routes in any order; they are sorted by how many addresses they hold (fewest first).
    public init(routes: [Route] = [], defaultInterfaces: InterfaceSet? = nil) {
        self.routes = routes.enumerated()
            .sorted { ($0.element.destinations.approximateCount, $0.offset) < ($1.element.destinations.approximateCount, $1.offset) }
            .map(\.element)
        self.defaultInterfaces = defaultInterfaces
    }

    /// `destinations` split by the route each part takes, with that route's interfaces.
    public func split(_ destinations: AddressSet, interfaces universe: InterfaceUniverse) -> [(destinations: AddressSet, interfaces: InterfaceSet)] {
        var rest = destinations
        var parts: [(AddressSet, InterfaceSet)] = []
        for route in routes where !rest.isEmpty {
            let inside = rest.intersection(route.destinations)
            if inside.isEmpty || route.interfaces.isEmpty { continue }
            parts.append((inside, route.interfaces))
            rest = rest.subtracting(route.destinations)
        }
        if !rest.isEmpty { parts.append((rest, defaultInterfaces ?? universe.external)) }
        return parts
    }

    /// The interfaces the route for one address leads through.
    public func interfaces(for address: UInt128, in universe: InterfaceUniverse) -> InterfaceSet {
        for route in routes where route.destinations.contains(address) && !route.interfaces.isEmpty { return route.interfaces }
        return defaultInterfaces ?? universe.external
    }
}
