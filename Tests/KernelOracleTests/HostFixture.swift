import Audit
import FirewallModel
import FixtureSupport
import Foundation
import IptablesLoading
import NftablesLoading
import NftablesNetlink
import PortMatrix

/// One row of Fixtures/hosts/scenarios.tsv, read for the kernel oracle: the matrix, the rule
/// files, the exit status and findings the audit must give.
struct HostFixture: CustomStringConvertible, Sendable {
    static let directory = "Fixtures/hosts"

    /// One rule file: `iptables-save`, `ip6tables-save` or `nft-file`, and its path under the directory.
    struct Input: Sendable, Hashable {
        var kind: String
        var path: String
    }

    var name: String
    /// The table the row comes from: `scenarios.tsv`, or `translated.tsv` for hosts that translate addresses.
    var table: String
    var matrixPath: String
    var inputs: [Input]
    var exit: Int32
    /// `missing:FLOW` or `extra:FAMILY/PATH`, sorted.
    var expected: [String]

    var description: String { name }
    var isCompliant: Bool { exit == 0 }

    static let all: [HostFixture] = load("scenarios.tsv")

    /// The hosts that translate addresses (Docker, redirects, port forwards, kube-proxy).
    static let translated: [HostFixture] = load("translated.tsv")

    static func load(_ table: String) -> [HostFixture] {
        let text = Scenario.load("\(directory)/\(table)")
        return text.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: "\t").map(String.init)
            let inputs = fields[2].split(separator: " ").map { word -> Input in
                let parts = word.split(separator: ":", maxSplits: 1).map(String.init)
                return Input(kind: parts[0], path: parts[1])
            }
            return HostFixture(name: fields[0], table: table, matrixPath: fields[1], inputs: inputs, exit: Int32(fields[3]) ?? -1,
                               expected: fields[4] == "-" ? [] : fields[4].split(separator: ",").map(String.init).sorted())
        }
    }

    static func named(_ name: String) -> HostFixture { all.first { $0.name == name }! }

    /// The compliant row a broken one is checked against: the one with the same rules (the two
    /// then differ only in the matrix, which declares the host a non-router), else the one with
    /// the same matrix.
    var compliantVariant: HostFixture? {
        let compliant = HostFixture.load(table).filter(\.isCompliant)
        return compliant.first { $0.inputs == inputs } ?? compliant.first { $0.matrixPath == matrixPath }
    }

    func text(_ input: Input) -> String { Scenario.load("\(HostFixture.directory)/\(input.path)") }

    func matrix() throws -> PortMatrix {
        let path = "\(HostFixture.directory)/\(matrixPath)"
        return try PortMatrixLoader.load(Scenario.load(path), source: path)
    }

    /// The rules per family as `fwaudit audit` reads them: iptables-save text with its loader, an
    /// nft script loaded by the kernel in a throw-away namespace and read back over netlink.
    func rulesets() throws -> (rulesets: [AddressFamily: Ruleset], inputs: [AuditInput]) {
        var rulesets: [AddressFamily: Ruleset] = [:]
        var audited: [AuditInput] = []
        for input in inputs {
            let path = "\(HostFixture.directory)/\(input.path)"
            switch input.kind {
            case "iptables-save", "ip6tables-save":
                let family: AddressFamily = input.kind == "iptables-save" ? .ipv4 : .ipv6
                rulesets[family, default: Ruleset()].merge(try IptablesLoader.load(text(input), source: path, family: family))
                audited.append(AuditInput(kind: input.kind, path: path, family: family))
            default:
                let state = try NftablesReader.read(script: packageRoot.appendingPathComponent(path).path)
                let ruleset = try NftablesLoader.load(state.snapshot, source: path, interfaceNames: state.interfaceNames)
                for family in AddressFamily.allCases where ruleset.covers(family) {
                    rulesets[family, default: Ruleset()].merge(Ruleset(tables: ruleset.tables.filter { $0.family.covers(family) }))
                    audited.append(AuditInput(kind: input.kind, path: path, family: family))
                }
            }
        }
        return (rulesets, audited)
    }

    /// The audit, run with the Audit library on the same inputs the executable reads.
    func audit() throws -> AuditReport {
        let (rulesets, audited) = try rulesets()
        return Auditor(matrix: try matrix(), matrixPath: "\(HostFixture.directory)/\(matrixPath)", rulesets: rulesets, inputs: audited).run()
    }

    /// The findings as scenarios.tsv writes them.
    static func names(_ report: AuditReport) -> [String] {
        report.findings.map { finding in
            finding.flowID.map { "\(finding.kind.rawValue):\($0)" } ?? "\(finding.kind.rawValue):\(finding.family.rawValue)/\(finding.path.rawValue)"
        }.sorted()
    }
}

/// A testbed wired with a fixture's own addresses: the host carries the addresses of the
/// matrix's local zones and `host.addresses` on eth0, every other zone is reached through eth0
/// (the peer namespace there owns one client address per zone prefix, so real sockets can use
/// them), and eth1 leads to a far network outside every zone, for the forward path.
struct HostFixtureNetwork {
    let matrix: PortMatrix
    let layout: Layout
    /// The host's addresses per family, as the audit takes them.
    let hostAddresses: [AddressFamily: [IPAddress]]
    /// Per zone id and family, the concrete client addresses chosen in it (none for local zones).
    let clients: [String: [AddressFamily: [IPAddress]]]
    /// A destination behind eth1, per family: on the far side of the host.
    let far: [AddressFamily: IPAddress]

    static let farLink = Layout.Link(name: "eth1", hostV4: "100.64.0.1/24", peerV4: "100.64.0.2",
                                     hostV6: "fd00:f::1/64", peerV6: "fd00:f::2")
    /// Documentation addresses for an `any` zone, the first outside every other zone is used.
    static let anyCandidates: [AddressFamily: [String]] = [
        .ipv4: ["203.0.113.1", "192.0.2.1", "198.51.100.1"],
        .ipv6: ["2001:db8:ffff::1", "2001:db8:fffe::1"],
    ]

    init(matrix: PortMatrix) {
        self.matrix = matrix
        var hosts: [AddressFamily: [IPAddress]] = [:]
        for family in AddressFamily.allCases {
            var prefixes = matrix.host.addresses.filter { $0.family == family }
            for zone in matrix.zones where zone.isLocal { prefixes += zone.addresses.filter { $0.family == family } }
            hosts[family] = prefixes.compactMap { HostFixtureNetwork.firstUsable($0.addresses, avoiding: AddressSet()) }
                .map { IPAddress(family: family, value: $0) }
        }
        hostAddresses = hosts

        var chosen: [String: [AddressFamily: [IPAddress]]] = [:]
        for zone in matrix.zones where !zone.isLocal {
            for family in AddressFamily.allCases {
                let avoid = hosts[family, default: []].reduce(AddressSet()) { $0.union(AddressSet(value: $1.value)) }
                var addresses: [IPAddress] = []
                if zone.isAny {
                    let others = matrix.zones.filter { $0.id != zone.id && !$0.isAny }
                        .compactMap { $0.addresses(for: family) }.reduce(AddressSet()) { $0.union($1) }
                    if let pick = HostFixtureNetwork.anyCandidates[family]!.compactMap(IPAddress.init)
                        .first(where: { !others.contains($0.value) && !avoid.contains($0.value) }) {
                        addresses.append(pick)
                    }
                } else {
                    for prefix in zone.addresses where prefix.family == family {
                        if let value = HostFixtureNetwork.firstUsable(prefix.addresses, avoiding: avoid) {
                            addresses.append(IPAddress(family: family, value: value))
                        }
                    }
                }
                if !addresses.isEmpty { chosen[zone.id, default: [:]][family] = addresses }
            }
        }
        clients = chosen

        // eth0: the host's first address of each family, with the length of a zone prefix that
        // holds it (a cluster node on its nodes' subnet) or /24 and /64; the peer is the first
        // other host of that subnet. A family the host has no address of gets a placeholder.
        func connected(_ family: AddressFamily) -> (host: String, peer: String) {
            guard let address = hosts[family]?.first else {
                return family == .ipv4 ? ("100.65.0.10/24", "100.65.0.1") : ("fd00:e::10/64", "fd00:e::1")
            }
            var length = family == .ipv4 ? 24 : 64
            var smallest: UInt128 = .max
            for zone in matrix.zones where !zone.isLocal && !zone.isAny {
                for prefix in zone.addresses where prefix.family == family && prefix.addresses.ranges.count == 1 {
                    let range = prefix.addresses.ranges[0]
                    let span: UInt128 = range.upperBound - range.lowerBound
                    guard range.contains(address.value), span >= 3, span < smallest else { continue }
                    smallest = span
                    length = family.bitWidth - (span + 1).trailingZeroBitCount
                }
            }
            let network = AddressPrefix("\(address)/\(length)")!.addresses
            let peer = HostFixtureNetwork.firstUsable(network, avoiding: AddressSet(value: address.value))!
            return ("\(address)/\(length)", IPAddress.format(peer, family: family))
        }
        let v4 = connected(.ipv4), v6 = connected(.ipv6)
        let near = Layout.Link(name: "eth0", hostV4: v4.host, peerV4: v4.peer, hostV6: v6.host, peerV6: v6.peer)
        layout = Layout(links: [near, HostFixtureNetwork.farLink], defaultLink: "eth0")
        far = [.ipv4: IPAddress("100.64.0.2")!, .ipv6: IPAddress("fd00:f::2")!]
    }

    /// The first address of a set that is neither its network address (for sets larger than two) nor avoided.
    static func firstUsable(_ set: AddressSet, avoiding: AddressSet) -> UInt128? {
        for range in set.ranges {
            var value = range.upperBound - range.lowerBound >= 2 ? range.lowerBound + 1 : range.lowerBound
            while value <= range.upperBound {
                if !avoiding.contains(value) { return value }
                if value == range.upperBound { break }
                value += 1
            }
        }
        return nil
    }

    /// Gives the eth0 peer every chosen client address, and the host a neighbour entry for any
    /// of them on its own subnet, so that no ARP or neighbour discovery is needed.
    func wire(_ testbed: Testbed) throws {
        let peer = testbed.peerNamespaces["eth0"]!
        let near = layout.links[0]
        let linkInfo = try Commands.check(["ip", "-n", peer, "-j", "link", "show", "eth0"])
        let objects = try JSONSerialization.jsonObject(with: Data(linkInfo.utf8)) as? [[String: Any]]
        guard let mac = objects?.first?["address"] as? String else { throw Commands.Failure(command: ["ip", "link"], status: 0, output: linkInfo) }
        var lines = ["set -e"]
        for byFamily in clients.keys.sorted().compactMap({ clients[$0] }) {
            for (family, addresses) in byFamily.sorted(by: { $0.key < $1.key }) {
                let peerAddress = family == .ipv4 ? near.peerV4 : near.peerV6
                let subnet = AddressPrefix(family == .ipv4 ? near.hostV4 : near.hostV6)!.addresses
                for address in addresses where address.description != peerAddress {
                    let length = family == .ipv4 ? "32" : "128 nodad"
                    lines.append("ip -n \(peer) addr replace \(address)/\(length) dev eth0")
                    if subnet.contains(address.value) {
                        lines.append("ip -n \(testbed.hostNamespace) neigh replace \(address) lladdr \(mac) dev eth0 nud permanent")
                    }
                }
            }
        }
        try Commands.check(["sh", "-c", lines.joined(separator: "\n")])
    }

    /// Sets `net.ipv4.ip_forward` and `net.ipv6.conf.all.forwarding` in the host namespace.
    static func setForwarding(_ on: Bool, in testbed: Testbed) throws {
        let value = on ? 1 : 0
        try Commands.check(["ip", "netns", "exec", testbed.hostNamespace, "sysctl", "-qw",
                            "net.ipv4.ip_forward=\(value)", "net.ipv6.conf.all.forwarding=\(value)"])
    }

    /// Loads a fixture's rule files into the host namespace with the real tools; an nft script
    /// that flushes the ruleset takes the observer table with it, so that is loaded again.
    static func load(_ fixture: HostFixture, into testbed: Testbed) throws {
        for input in fixture.inputs {
            switch input.kind {
            case "iptables-save": try testbed.load(fixture.text(input), family: .ipv4)
            case "ip6tables-save": try testbed.load(fixture.text(input), family: .ipv6)
            default:
                try Commands.check(["ip", "netns", "exec", testbed.hostNamespace, "nft", "-f", "-"], input: fixture.text(input))
                let tables = try Commands.check(["ip", "netns", "exec", testbed.hostNamespace, "nft", "list", "tables"])
                if !tables.contains(Testbed.observerTable) {
                    try Commands.check(["ip", "netns", "exec", testbed.hostNamespace, "nft", "-f", "-"], input: Testbed.observationTable)
                }
            }
        }
    }
}
