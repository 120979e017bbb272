import FirewallModel
import FixtureSupport
import FlowAnalysis
import Foundation
import Synchronization

/// How the audited host is wired: one veth link per host interface, each to a peer namespace
/// that sends and receives on the host's behalf.
struct Layout: Sendable {
    struct Link: Sendable {
        /// The host-side interface name (`eth0`); probes sent from this link's peer arrive on it.
        var name: String
        var hostV4: String      // "192.0.2.10/24"
        var peerV4: String      // "192.0.2.2"
        var hostV6: String      // "2001:db8:1::10/64"
        var peerV6: String      // "2001:db8:1::2"
        /// Further prefixes the host routes through this link's peer.
        var routesV4: [String] = []
        var routesV6: [String] = []
    }

    var links: [Link]
    /// The link the host's default routes point through.
    var defaultLink: String

    /// client — eth0 — host — eth1 — far, and br0 to a bridge-like network behind the host (where
    /// translations send connections, as to containers): input, forward (every way) and output paths.
    static let router = Layout(links: [
        Link(name: "eth0", hostV4: "192.0.2.10/24", peerV4: "192.0.2.2", hostV6: "2001:db8:1::10/64", peerV6: "2001:db8:1::2",
             routesV4: ["10.0.0.0/8"], routesV6: ["2001:db8:a::/48"]),
        Link(name: "eth1", hostV4: "198.51.100.1/24", peerV4: "198.51.100.2", hostV6: "2001:db8:2::1/64", peerV6: "2001:db8:2::2"),
        Link(name: "br0", hostV4: "172.16.0.1/24", peerV4: "172.16.0.2", hostV6: "2001:db8:3::1/64", peerV6: "2001:db8:3::2"),
    ], defaultLink: "eth1")

    /// Where the host routes each destination, as fwaudit's analysis reads it: each link's
    /// connected and routed prefixes, the default link for the rest.
    func routing(_ family: AddressFamily, interfaces: InterfaceUniverse) -> RoutingTable {
        var routes: [RoutingTable.Route] = []
        for link in links {
            let prefixes = [family == .ipv4 ? link.hostV4 : link.hostV6] + (family == .ipv4 ? link.routesV4 : link.routesV6)
            for prefix in prefixes {
                guard let set = AddressPrefix(prefix)?.addresses else { continue }
                routes.append(RoutingTable.Route(destinations: set, interfaces: interfaces.matching(InterfacePattern(name: link.name, isWildcard: false))))
            }
        }
        return RoutingTable(routes: routes, defaultInterfaces: interfaces.matching(InterfacePattern(name: defaultLink, isWildcard: false)))
    }

    /// The lync-edge host: one interface, eth0, carrying the edge's addresses; everything else behind it.
    static let edge = Layout(links: [
        Link(name: "eth0", hostV4: "198.51.100.10/24", peerV4: "198.51.100.2", hostV6: "2001:db8:e::10/64", peerV6: "2001:db8:e::2"),
    ], defaultLink: "eth0")

    func hostAddress(of link: Link, _ family: AddressFamily) -> IPAddress {
        let text = family == .ipv4 ? link.hostV4 : link.hostV6
        return IPAddress(String(text.split(separator: "/")[0]))!
    }

    /// The host's own addresses (loopback aside).
    func localAddresses(_ family: AddressFamily) -> [IPAddress] { links.map { hostAddress(of: $0, family) } }

    func localSet(_ family: AddressFamily) -> AddressSet {
        localAddresses(family).reduce(AddressSet()) { $0.union(AddressSet(value: $1.value)) }
    }

    /// The interface the host routes `destination` out of (longest prefix wins).
    func route(_ destination: UInt128, _ family: AddressFamily) -> String {
        var best: (length: Int, link: String) = (-1, defaultLink)
        for link in links {
            let connected = family == .ipv4 ? link.hostV4 : link.hostV6
            for prefix in [connected] + (family == .ipv4 ? link.routesV4 : link.routesV6) {
                let parts = prefix.split(separator: "/")
                let length = Int(parts[1])!
                guard length > best.length, let set = AddressPrefix(prefix)?.addresses else { continue }
                // AddressPrefix of a host address with a length is the whole network.
                if set.contains(destination) { best = (length, link.name) }
            }
        }
        return best.link
    }

    /// Addresses a probe must not use on this layout: IPv4 subnet broadcast and network addresses,
    /// and the IPv6 subnet-router anycast address, which a forwarding host answers as its own.
    func reservedDestinations(_ family: AddressFamily) -> AddressSet {
        var set = AddressSet()
        for link in links {
            guard let network = AddressPrefix(family == .ipv4 ? link.hostV4 : link.hostV6)?.addresses,
                  let low = network.min, let high = network.ranges.last?.upperBound else { continue }
            set = set.union(AddressSet(value: low))
            if family == .ipv4 { set = set.union(AddressSet(value: high)) }
        }
        return set
    }
}

/// What the kernel did with one probe.
struct KernelObservation: Sendable, Hashable {
    /// Seen by the oracle's chain on the input hook, after every iptables base chain.
    var seenAtInput = false
    /// Seen by the oracle's chain on the postrouting hook, after every iptables base chain.
    var seenAtPostrouting = false
    /// `sendto` failed (EPERM: dropped on the host's own output path).
    var sendError: String?
    /// Recorded before any iptables chain (prerouting or output, priority -500): the probe reached the host's netfilter.
    var arrived = false
}

/// A private set of network namespaces wired as a `Layout`, where one ruleset is loaded into the
/// host namespace with the real iptables-restore and probes are sent through it.
///
/// Verdicts are observed without influencing them: an nftables table `inet fwaudit_oracle` in the
/// host namespace has base chains on the input and postrouting hooks at priority 500, after
/// every iptables table (raw -300 … security 50, nat 100). A later base chain sees only what the
/// earlier ones accepted, so a probe reaching it was accepted by the whole iptables ruleset on
/// its path. Probes carry a marker TTL (77) and their id in the IPv4 identification field or the
/// IPv6 flow label; the chains record the ids they see in dynamic sets, read back afterwards.
/// Two more chains (prerouting and output, priority -500, before every iptables table) record
/// each probe's arrival, so a probe that never reached the host is a harness fault, not a drop.
/// Packets the kernel itself generates (RSTs, ICMP errors, echo replies) have TTL 64 and are
/// never counted.
final class Testbed {
    static let markerTTL = 77

    let layout: Layout
    let hostNamespace: String
    /// Per link name, the peer namespace.
    let peerNamespaces: [String: String]
    private var closed = false

    /// Whether `ip netns add` can work here: root, `ip`, `nft`, `iptables-restore` and python3.
    static let usable: Bool = {
        guard getuid() == 0 else { return false }
        for tool in ["ip", "nft", "iptables-restore", "ip6tables-restore"] {
            guard (try? Commands.run(["sh", "-c", "command -v \(tool)"]).status) == 0 else { return false }
        }
        return (try? Commands.run([Commands.python, "-c", "import socket"]).status) == 0
    }()

    /// Which iptables binaries load the rules: `default` (the system's iptables-restore), `nft` or `legacy`.
    static var variant: String { ProcessInfo.processInfo.environment["FWAUDIT_ORACLE_VARIANT"] ?? "default" }

    static func restoreCommand(_ family: AddressFamily) -> String {
        let base = family == .ipv4 ? "iptables" : "ip6tables"
        switch variant {
        case "legacy": return "\(base)-legacy-restore"
        case "nft": return "\(base)-nft-restore"
        default: return "\(base)-restore"
        }
    }

    private static let counter = Mutex(0)
    private static let sweep: Void = Testbed.removeStaleNamespaces()

    init(_ layout: Layout) throws {
        _ = Testbed.sweep
        let number = Testbed.counter.withLock { value -> Int in value += 1; return value }
        let prefix = "fwo-\(getpid())-\(number)"
        self.layout = layout
        hostNamespace = "\(prefix)-host"
        var peers: [String: String] = [:]
        for link in layout.links { peers[link.name] = "\(prefix)-\(link.name)-peer" }
        peerNamespaces = peers
        do {
            try Commands.check(["sh", "-c", setupScript()])
            try Commands.check(["ip", "netns", "exec", hostNamespace, "nft", "-f", "-"], input: Testbed.observationTable)
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// Removes the namespaces; safe to call twice.
    func close() {
        guard !closed else { return }
        closed = true
        for namespace in [hostNamespace] + peerNamespaces.values.sorted() {
            _ = try? Commands.run(["ip", "netns", "del", namespace])
        }
    }

    /// Namespaces of earlier test processes that died before cleaning up (only ours: `fwo-PID-…` with PID gone).
    private static func removeStaleNamespaces() {
        guard let listing = try? Commands.run(["ip", "netns", "list"]).output else { return }
        for line in listing.split(separator: "\n") {
            let name = String(line.split(separator: " ")[0])
            let parts = name.split(separator: "-")
            guard parts.count >= 3, parts[0] == "fwo", let pid = Int32(parts[1]), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { _ = try? Commands.run(["ip", "netns", "del", name]) }
        }
        // Scratch directories of dead test processes (fwaudit-oracle-PID).
        let temporary = FileManager.default.temporaryDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? [] where name.hasPrefix("fwaudit-oracle-") {
            guard let pid = Int32(name.dropFirst("fwaudit-oracle-".count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name)) }
        }
    }

    private func mac(_ linkIndex: Int, host: Bool) -> String {
        String(format: "02:00:00:00:%02x:%02x", linkIndex + 1, host ? 1 : 2)
    }

    private func setupScript() -> String {
        let h = hostNamespace
        var lines = ["set -e"]
        lines.append("ip netns add \(h)")
        lines.append("ip -n \(h) link set lo up")
        lines.append("ip netns exec \(h) sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0")
        for (index, link) in layout.links.enumerated() {
            let peer = peerNamespaces[link.name]!
            let hostMAC = mac(index, host: true), peerMAC = mac(index, host: false)
            let hostV4 = layout.hostAddress(of: link, .ipv4), hostV6 = layout.hostAddress(of: link, .ipv6)
            lines += [
                "ip netns add \(peer)",
                "ip -n \(peer) link set lo up",
                "ip -n \(h) link add \(link.name) address \(hostMAC) type veth peer name eth0 netns \(peer) address \(peerMAC)",
                // The slash form: interface names may hold dots (`flannel.1`).
                "ip netns exec \(h) sysctl -qw net/ipv4/conf/\(link.name)/rp_filter=0 net/ipv4/conf/\(link.name)/send_redirects=0",
                "ip -n \(h) addr add \(link.hostV4) dev \(link.name)",
                "ip -n \(h) addr add \(link.hostV6) dev \(link.name) nodad",
                "ip -n \(h) link set \(link.name) up",
                // The peer has a host address and no subnet: everything it sends goes through the host,
                // even to neighbours on the host's subnet (forwarded back out of the same interface).
                "ip -n \(peer) addr add \(link.peerV4)/32 dev eth0",
                "ip -n \(peer) addr add \(link.peerV6)/128 dev eth0 nodad",
                "ip -n \(peer) link set eth0 up",
                "ip -n \(peer) route add \(hostV4) dev eth0",
                "ip -n \(peer) -6 route add \(hostV6) dev eth0",
                "ip -n \(peer) route add default via \(hostV4)",
                "ip -n \(peer) -6 route add default via \(hostV6)",
                // Static neighbours: no ARP or neighbour discovery, which the ruleset under test may filter.
                "ip -n \(peer) neigh add \(hostV4) lladdr \(hostMAC) dev eth0 nud permanent",
                "ip -n \(peer) neigh add \(hostV6) lladdr \(hostMAC) dev eth0 nud permanent",
                "ip -n \(h) neigh add \(link.peerV4) lladdr \(peerMAC) dev \(link.name) nud permanent",
                "ip -n \(h) neigh add \(link.peerV6) lladdr \(peerMAC) dev \(link.name) nud permanent",
            ]
            for prefix in link.routesV4 { lines.append("ip -n \(h) route add \(prefix) via \(link.peerV4)") }
            for prefix in link.routesV6 { lines.append("ip -n \(h) -6 route add \(prefix) via \(link.peerV6)") }
            if link.name == layout.defaultLink {
                lines.append("ip -n \(h) route add default via \(link.peerV4)")
                lines.append("ip -n \(h) -6 route add default via \(link.peerV6)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The name of the observer's table (family inet).
    static let observerTable = "fwaudit_oracle"

    static let observationTable = """
    table inet \(observerTable) {
        set arrived4 { typeof ip id; flags dynamic; size 65535; }
        set arrived6 { typeof ip6 flowlabel; flags dynamic; size 65535; }
        set input4 { typeof ip id; flags dynamic; size 65535; }
        set post4 { typeof ip id; flags dynamic; size 65535; }
        set input6 { typeof ip6 flowlabel; flags dynamic; size 65535; }
        set post6 { typeof ip6 flowlabel; flags dynamic; size 65535; }
        chain arrival {
            type filter hook prerouting priority -500; policy accept;
            ip ttl \(markerTTL) add @arrived4 { ip id }
            ip6 hoplimit \(markerTTL) add @arrived6 { ip6 flowlabel }
        }
        chain departure {
            type filter hook output priority -500; policy accept;
            ip ttl \(markerTTL) add @arrived4 { ip id }
            ip6 hoplimit \(markerTTL) add @arrived6 { ip6 flowlabel }
        }
        chain input {
            type filter hook input priority 500; policy accept;
            ip ttl \(markerTTL) add @input4 { ip id }
            ip6 hoplimit \(markerTTL) add @input6 { ip6 flowlabel }
        }
        chain postrouting {
            type filter hook postrouting priority 500; policy accept;
            ip ttl { \(markerTTL - 1), \(markerTTL) } add @post4 { ip id }
            ip6 hoplimit { \(markerTTL - 1), \(markerTTL) } add @post6 { ip6 flowlabel }
        }
    }
    """

    /// Loads iptables-save text into the host namespace with the real iptables-restore.
    func load(_ text: String, family: AddressFamily) throws {
        try Commands.check(["ip", "netns", "exec", hostNamespace, Testbed.restoreCommand(family)], input: text)
    }

    /// The namespace probes from `side` are sent in.
    func namespace(of side: ProbeSide) -> String {
        switch side {
        case .host: hostNamespace
        case .link(let name): peerNamespaces[name]!
        }
    }

    /// Sends the probes, one batch (one process) per side, and reports what the kernel did.
    /// Probes of one call must not depend on each other (distinct connections); a packet that
    /// needs an earlier one (a reply) goes in a later call. Probe ids must be unique within one
    /// testbed's life.
    func send(_ probes: [Probe]) throws -> [Int: KernelObservation] {
        var observations: [Int: KernelObservation] = [:]
        var sides: [ProbeSide] = []
        for probe in probes where !sides.contains(probe.side) { sides.append(probe.side) }
        for side in sides {
            let batch = probes.filter { $0.side == side }
            let json = "[" + batch.map(\.senderJSON).joined(separator: ",") + "]"
            let output = try Commands.check(["ip", "netns", "exec", namespace(of: batch[0].side), Commands.python, Sender.path], input: json)
            for line in output.split(separator: "\n") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let id = object["id"] as? Int else { continue }
                observations[id, default: KernelObservation()].sendError = object["errno"] as? String ?? "?"
            }
        }
        // Every probe is recorded on arrival, before any iptables chain (prerouting or output at
        // priority -500). Packets from a peer are processed in the host's softirq, normally before
        // the sender's sendto returns but possibly later on a busy machine: read until every probe
        // has arrived and two reads agree.
        var seen = try readObservations()
        for _ in 0..<50 {
            Testbed.pause(milliseconds: 10)
            let again = try readObservations()
            let complete = probes.allSatisfy { probe in
                observations[probe.id]?.sendError != nil || again["arrived" + Testbed.key(probe)]?.contains(probe.id) == true
            }
            defer { seen = again }
            if complete && again == seen { break }
        }
        for probe in probes {
            let key = Testbed.key(probe)
            observations[probe.id, default: KernelObservation()].arrived = seen["arrived" + key]?.contains(probe.id) ?? false
            observations[probe.id, default: KernelObservation()].seenAtInput = seen["input" + key]?.contains(probe.id) ?? false
            observations[probe.id, default: KernelObservation()].seenAtPostrouting = seen["post" + key]?.contains(probe.id) ?? false
        }
        return observations
    }

    private static func key(_ probe: Probe) -> String { probe.packet.family == .ipv4 ? "4" : "6" }

    private static func pause(milliseconds: Int) { usleep(useconds_t(milliseconds * 1000)) }

    /// The ids in each of the oracle's sets.
    private func readObservations() throws -> [String: Set<Int>] {
        let output = try Commands.check(["ip", "netns", "exec", hostNamespace, "nft", "-j", "list", "table", "inet", "fwaudit_oracle"])
        guard let root = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
              let items = root["nftables"] as? [[String: Any]] else { return [:] }
        var result: [String: Set<Int>] = [:]
        for item in items {
            guard let set = item["set"] as? [String: Any], let name = set["name"] as? String else { continue }
            var ids = Set<Int>()
            if let elements = set["elem"] as? [Any] {
                for element in elements {
                    if let value = element as? Int { ids.insert(value) }
                    else if let wrapped = element as? [String: Any], let inner = wrapped["elem"] as? [String: Any], let value = inner["val"] as? Int { ids.insert(value) }
                }
            }
            result[name] = ids
        }
        return result
    }
}
