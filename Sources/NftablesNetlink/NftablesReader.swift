import Glibc
import NftablesBytecode

/// Reads nf_tables state from the kernel over netlink (libmnl, libnftnl), strictly read-only.
///
/// The only module that touches C: it hands out `Snapshot` values, never pointers.
public enum NftablesReader {
    /// Where to read from.
    public enum Target: Sendable, Hashable {
        /// This process's own network namespace.
        case current
        /// A named namespace (`ip netns`) or a namespace file such as `/proc/PID/ns/net`.
        case namespace(String)
    }

    /// What a live read yields: the ruleset snapshot and the namespace's interface names by index.
    public struct LiveState: Sendable {
        public var snapshot: Snapshot
        public var interfaceNames: [UInt32: String]
        /// The namespace's interface addresses (`192.0.2.1`, `2001:db8::1`), to check a matrix's local zones against.
        public var interfaceAddresses: [String]
    }

    /// Reads a consistent snapshot; `recording`, when given, receives every reply for replay tests.
    public static func read(_ target: Target = .current, recording: Recording? = nil) throws(NetlinkError) -> LiveState {
        let (socket, names, addresses): (NetlinkSocket, [UInt32: String], [String])
        switch target {
        case .current:
            (socket, names, addresses) = (try NetlinkSocket(), interfaceNames(), interfaceAddresses())
        case .namespace(let name):
            (socket, names, addresses) = try NetworkNamespace.run(in: name) { () throws(NetlinkError) in
                (try NetlinkSocket(), interfaceNames(), interfaceAddresses())
            }
        }
        let exchange: Exchange = recording.map { RecordingExchange(socket, into: $0) } ?? socket
        return LiveState(snapshot: try SnapshotReader(exchange: exchange).read(), interfaceNames: names, interfaceAddresses: addresses)
    }

    /// Loads an nft script into a private, throw-away namespace and reads it back, so the kernel
    /// itself parses it. Nothing outside that namespace changes.
    public static func read(script path: String, recording: Recording? = nil) throws(NetlinkError) -> LiveState {
        let namespace = try ThrowawayNamespace(loading: path)
        return try withExtendedLifetime(namespace) { () throws(NetlinkError) in try read(.namespace(namespace.path), recording: recording) }
    }

    /// Decodes a recording made by `read(_:recording:)`, through the same decoder as live mode.
    public static func replay(_ recording: Recording) throws(NetlinkError) -> Snapshot {
        try SnapshotReader(exchange: recording).read()
    }

    /// The IPv4 and IPv6 addresses of the current thread's namespace's interfaces.
    static func interfaceAddresses() -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(first) }
        var addresses: [String] = []
        var current: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = current {
            if let address = entry.pointee.ifa_addr {
                var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet in
                        var value = inet.pointee.sin_addr
                        _ = inet_ntop(AF_INET, &value, &text, socklen_t(text.count))
                    }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { inet in
                        var value = inet.pointee.sin6_addr
                        _ = inet_ntop(AF_INET6, &value, &text, socklen_t(text.count))
                    }
                default:
                    break
                }
                if text[0] != 0 { addresses.append(String(cString: text)) }
            }
            current = entry.pointee.ifa_next
        }
        return addresses
    }

    /// The interface names of the current thread's namespace, by index.
    static func interfaceNames() -> [UInt32: String] {
        var names: [UInt32: String] = [:]
        guard let list = if_nameindex() else { return names }
        var index = 0
        while list[index].if_index != 0, let name = list[index].if_name {
            names[list[index].if_index] = String(cString: name)
            index += 1
        }
        if_freenameindex(list)
        return names
    }
}
