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
    }

    /// Reads a consistent snapshot; `recording`, when given, receives every reply for replay tests.
    public static func read(_ target: Target = .current, recording: Recording? = nil) throws(NetlinkError) -> LiveState {
        let (socket, names): (NetlinkSocket, [UInt32: String])
        switch target {
        case .current:
            (socket, names) = (try NetlinkSocket(), interfaceNames())
        case .namespace(let name):
            (socket, names) = try NetworkNamespace.run(in: name) { () throws(NetlinkError) in (try NetlinkSocket(), interfaceNames()) }
        }
        let exchange: Exchange = recording.map { RecordingExchange(socket, into: $0) } ?? socket
        return LiveState(snapshot: try SnapshotReader(exchange: exchange).read(), interfaceNames: names)
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
