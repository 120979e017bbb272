import Foundation
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
        /// The namespace's forwarding and local port range sysctls.
        public var settings: KernelSettings
        /// What had to be adapted for the installed nft to load a script (see `ScriptCompatibility`).
        public var notes: [String] = []
    }

    /// The sysctls of a namespace that decide the audit's paths and client ports; nil where unreadable.
    public struct KernelSettings: Sendable, Hashable {
        /// `net.ipv4.ip_forward`.
        public var ipv4Forwarding: Bool?
        /// `net.ipv6.conf.all.forwarding`.
        public var ipv6Forwarding: Bool?
        /// `net.ipv4.ip_local_port_range`: the source ports the host picks for its own connections.
        public var localPortRange: ClosedRange<UInt16>?

        /// Reads the sysctls of the current thread's network namespace (`/proc/sys/net` follows it).
        static func read() -> KernelSettings {
            func flag(_ path: String) -> Bool? { sysctl(path).flatMap { Int($0) }.map { $0 != 0 } }
            var range: ClosedRange<UInt16>?
            if let text = sysctl("/proc/sys/net/ipv4/ip_local_port_range") {
                let numbers = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { UInt16($0) }
                if numbers.count == 2, numbers[0] <= numbers[1] { range = numbers[0]...numbers[1] }
            }
            return KernelSettings(ipv4Forwarding: flag("/proc/sys/net/ipv4/ip_forward"),
                                  ipv6Forwarding: flag("/proc/sys/net/ipv6/conf/all/forwarding"), localPortRange: range)
        }

        /// The first line of a sysctl file, without its newline.
        private static func sysctl(_ path: String) -> String? {
            guard let file = fopen(path, "r") else { return nil }
            defer { fclose(file) }
            var buffer = [CChar](repeating: 0, count: 128)
            guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
            let line = String(cString: buffer)
            return line.hasSuffix("\n") ? String(line.dropLast()) : line
        }
    }

    /// Reads a consistent snapshot; `recording`, when given, receives every reply for replay tests.
    public static func read(_ target: Target = .current, recording: Recording? = nil) throws(NetlinkError) -> LiveState {
        let (socket, names, addresses, settings): (NetlinkSocket, [UInt32: String], [String], KernelSettings)
        switch target {
        case .current:
            (socket, names, addresses, settings) = (try NetlinkSocket(), interfaceNames(), interfaceAddresses(), KernelSettings.read())
        case .namespace(let name):
            (socket, names, addresses, settings) = try NetworkNamespace.run(in: name) { () throws(NetlinkError) in
                (try NetlinkSocket(), interfaceNames(), interfaceAddresses(), KernelSettings.read())
            }
        }
        let exchange: Exchange = recording.map { RecordingExchange(socket, into: $0) } ?? socket
        return LiveState(snapshot: try SnapshotReader(exchange: exchange).read(), interfaceNames: names, interfaceAddresses: addresses,
                         settings: settings)
    }

    /// Loads an nft script into a private, throw-away namespace and reads it back, so the kernel
    /// itself parses it. Nothing outside that namespace changes.
    public static func read(script path: String, recording: Recording? = nil) throws(NetlinkError) -> LiveState {
        let namespace: ThrowawayNamespace
        var notes: [String] = []
        do {
            namespace = try ThrowawayNamespace(loading: path)
        } catch .scriptRejected(let rejectedPath, let message) {
            // An older nft refuses a named priority newer ones accept; the same script with the number loads.
            guard let adapted = ScriptCompatibility.adapt(path), !adapted.changes.isEmpty else { throw .scriptRejected(path: rejectedPath, message: message) }
            defer { try? FileManager.default.removeItem(atPath: adapted.path) }
            do { namespace = try ThrowawayNamespace(loading: adapted.path) } catch { throw .scriptRejected(path: rejectedPath, message: message) }
            notes = adapted.changes
        }
        var state = try withExtendedLifetime(namespace) { () throws(NetlinkError) in try read(.namespace(namespace.path), recording: recording) }
        state.notes = notes
        return state
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
