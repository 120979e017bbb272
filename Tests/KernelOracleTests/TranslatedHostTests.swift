@testable import Audit
import FirewallModel
import FixtureSupport
import FlowAnalysis
import Foundation
import PortMatrix
import Testing

/// The hosts that translate addresses (Fixtures/hosts/translated.tsv), proved in the kernel: a
/// testbed with the host's own links (eth0 and the bridge, LAN or pod networks behind it), the
/// fixture's rules loaded with the real tools and forwarding on. Documented flows are opened for
/// real through the translation (the server listens where the DNAT or REDIRECT sends the
/// connection), and every finding's example packet gets the verdict the finding claims, seen
/// after translation by the observer chains (the probe keeps its IP id through NAT).
@Suite(.serialized, .needsNetworkNamespace)
struct TranslatedHostKernel {
    /// Where a fixture's zones sit in the testbed.
    struct Site: Sendable {
        var layout: Layout
        /// Addresses each zone's clients and servers use, and the link they are behind (`host` for the host's own).
        var zones: [String: (address: String, side: ProbeSide)]
        /// More addresses the peer behind a link owns (containers, pods, the NAS).
        var peerAddresses: [String: [String]] = [:]
    }

    static func link(_ name: String, host: String, peer: String, v6: Int, routes: [String] = []) -> Layout.Link {
        Layout.Link(name: name, hostV4: host, peerV4: peer, hostV6: "fd00:\(v6)::1/64", peerV6: "fd00:\(v6)::2", routesV4: routes)
    }

    /// The testbed of each fixture directory.
    static let sites: [String: Site] = [
        "docker": Site(
            layout: Layout(links: [link("eth0", host: "198.51.100.20/24", peer: "198.51.100.2", v6: 1, routes: ["192.0.2.0/24", "203.0.113.0/24"]),
                                   link("docker0", host: "172.17.0.1/16", peer: "172.17.0.2", v6: 2)], defaultLink: "eth0"),
            zones: ["host": ("198.51.100.20", .host), "containers": ("172.17.0.2", .link("docker0")),
                    "admins": ("192.0.2.1", .link("eth0")), "internet": ("203.0.113.7", .link("eth0"))],
            peerAddresses: ["eth0": ["192.0.2.1", "203.0.113.7"], "docker0": ["172.17.0.3"]]),
        "redirect": Site(
            layout: Layout(links: [link("eth0", host: "198.51.100.30/24", peer: "198.51.100.2", v6: 1, routes: ["203.0.113.0/24"])], defaultLink: "eth0"),
            zones: ["web": ("198.51.100.30", .host), "internet": ("203.0.113.7", .link("eth0"))],
            peerAddresses: ["eth0": ["203.0.113.7"]]),
        "port-forward": Site(
            layout: Layout(links: [link("eth0", host: "203.0.113.1/24", peer: "203.0.113.2", v6: 1, routes: ["198.51.100.0/24", "192.0.2.0/24"]),
                                   link("lan0", host: "192.168.1.1/24", peer: "192.168.1.10", v6: 2)], defaultLink: "eth0"),
            zones: ["wan-address": ("203.0.113.1", .host), "gateway": ("192.168.1.1", .host), "lan": ("192.168.1.10", .link("lan0")),
                    "admins": ("198.51.100.1", .link("eth0")), "internet": ("192.0.2.99", .link("eth0"))],
            peerAddresses: ["eth0": ["198.51.100.1", "192.0.2.99"]]),
        "kube-proxy": Site(
            layout: Layout(links: [link("eth0", host: "10.0.0.11/24", peer: "10.0.0.1", v6: 1, routes: ["192.0.2.0/24"]),
                                   link("cni0", host: "10.244.1.1/24", peer: "10.244.1.5", v6: 2),
                                   link("flannel.1", host: "100.64.3.1/24", peer: "100.64.3.2", v6: 3, routes: ["10.244.2.0/24", "10.244.3.0/24"])],
                           defaultLink: "eth0"),
            zones: ["node": ("10.0.0.11", .host), "clients": ("192.0.2.1", .link("eth0")), "pods": ("10.244.1.5", .link("cni0")),
                    "web-service": ("10.96.0.10", .link("eth0")), "api-service": ("10.96.0.20", .link("eth0"))],
            peerAddresses: ["eth0": ["192.0.2.1"], "cni0": ["10.244.1.8"], "flannel.1": ["10.244.2.6", "10.244.2.9", "10.244.3.7", "10.244.3.10"]]),
    ]

    static func site(of fixture: HostFixture) -> Site { sites[String(fixture.matrixPath.split(separator: "/")[0])]! }

    /// A testbed wired as the fixture's site with its rules loaded and forwarding on.
    static func testbed(_ fixture: HostFixture) throws -> Testbed {
        let site = site(of: fixture)
        let testbed = try Testbed(site.layout)
        do {
            var lines = ["set -e"]
            for (link, addresses) in site.peerAddresses.sorted(by: { $0.key < $1.key }) {
                for address in addresses { lines.append("ip -n \(testbed.peerNamespaces[link]!) addr add \(address)/32 dev eth0") }
            }
            try Commands.check(["sh", "-c", lines.joined(separator: "\n")])
            try HostFixtureNetwork.load(fixture, into: testbed)
            try HostFixtureNetwork.setForwarding(true, in: testbed)
        } catch {
            testbed.close()
            throw error
        }
        return testbed
    }

    /// fwaudit's interpreter as the audit builds it (host addresses, routing by the zones).
    static func interpreter(_ fixture: HostFixture, family: AddressFamily = .ipv4) throws -> Interpreter {
        let ruleset = try #require(try fixture.rulesets().rulesets[family])
        return FamilyAudit(matrix: try fixture.matrix(), family: family, ruleset: ruleset).interpreter
    }

    /// The verdicts the interpreter allows for a packet, over every answer of the conditions it
    /// cannot know or that choose per connection (kube-proxy's endpoint pick).
    static func verdicts(_ interpreter: Interpreter, _ packet: Packet, from side: ProbeSide) -> Set<Bool> {
        Set(interpreter.traces(packet, from: side.origin).map { $0.verdict == .accept })
    }

    // MARK: compliant hosts

    /// Every documented TCP or UDP flow (and every `any` flow, as TCP to port 443) is opened for
    /// real from its `from` zone to its `to` zone; the server listens where the flow's translation
    /// sends the connection. The exchange completes, which proves the opening packet, the later
    /// packets and the replies through the translation, and the interpreter accepts the opening packet.
    @Test(.needsNetworkNamespace, arguments: HostFixture.translated.filter { $0.isCompliant && $0.inputs.allSatisfy { $0.kind == "iptables-save" || $0.kind == "nft-file" } })
    func documentedFlowsPassThroughTheTranslation(_ fixture: HostFixture) throws {
        guard OracleGate.ready() else { return }
        let report = try fixture.audit()
        #expect(HostFixture.names(report) == fixture.expected, "the Audit library disagrees with translated.tsv")
        let site = Self.site(of: fixture)
        let testbed = try Self.testbed(fixture)
        defer { testbed.close() }
        let interpreter = try Self.interpreter(fixture)
        var tally = HostFixtureKernel.Tally()
        var untested: [String] = []
        for result in report.flows {
            let flow = result.flow
            guard let from = site.zones[flow.from], let to = site.zones[flow.to] else { untested.append("\(flow.id): no address here"); continue }
            let protocols: [(String, UInt8)] = switch flow.protocol {
            case .tcp, .any: [("tcp", 6)]
            case .udp: [("udp", 17)]
            case .tcpUdp: [("tcp", 6), ("udp", 17)]
            default: []
            }
            if protocols.isEmpty { untested.append("\(flow.id): \(flow.protocol.rawValue) has no socket exchange here"); continue }
            // kube-proxy picks one of several endpoints on other links: one server cannot stand for them.
            let targets = result.translatedBy.filter { $0.kind == .dnat || $0.kind == .redirect }
            let endpoints = Set(targets.compactMap { $0.addresses?.min })
            if endpoints.count > 1 { untested.append("\(flow.id): \(endpoints.count) endpoints, proved by packets in the broken variant"); continue }
            var source = IPAddress(from.address)!, destination = IPAddress(to.address)!
            if flow.from == flow.to {
                // Two members of one zone: the second address the peer owns.
                guard case .link(let name) = to.side, let other = site.peerAddresses[name]?.first else { untested.append("\(flow.id): one member only"); continue }
                destination = IPAddress(other)!
            }
            if source == destination { untested.append("\(flow.id): one address"); continue }
            let port = flow.ports?.min ?? 443
            let sourcePort: UInt16 = from.side == .host ? 40000 : 40001
            // Where the connection really ends: the translation's target, else the destination.
            var listening: (String, UInt16)?
            var serverSide = to.side
            if let target = targets.first {
                let address = target.kind == .redirect ? "0.0.0.0" : IPAddress.format(target.addresses!.min!, family: .ipv4)
                listening = (address, target.ports?.min ?? port)
                serverSide = target.kind == .redirect ? .host : .link(site.layout.route(target.addresses!.min!, .ipv4))
            }
            for (name, number) in protocols {
                let what = "\(fixture.name): \(flow.id) \(name) \(source):\(sourcePort) -> \(destination):\(port)"
                    + (listening.map { " (served at \($0.0):\($0.1))" } ?? "")
                let outcome = try Conversation.run(name, from: (source, sourcePort), in: testbed.namespace(of: from.side),
                                                   to: (destination, port), in: testbed.namespace(of: serverSide), listening: listening)
                tally.connections += 1
                // The interfaces the kernel gives it before any translation (Probe routes by the layout).
                let opening = Probe(id: 0, side: from.side, packet: Packet(family: .ipv4, layer4Protocol: number, source: source.value,
                                                                            destination: destination.value, sourcePort: sourcePort,
                                                                            destinationPort: port, tcpFlags: number == 6 ? 0x02 : 0),
                                    layout: site.layout).packet
                let accepted = Self.verdicts(interpreter, opening, from: from.side)
                #expect(outcome.completed, "\(what): the kernel did not carry the exchange (\(outcome.detail)), but fwaudit says the flow is allowed")
                #expect(accepted == [true], "\(what): fwaudit's interpreter gives \(accepted) to the opening packet")
                if outcome.completed && accepted == [true] { tally.agreements += 1 }
            }
            source = IPAddress(from.address)!
        }
        print(tally.line(fixture.name, "(documented flows opened for real through their translation)"))
        for line in untested { print("kernel oracle: translated hosts:   not exchanged: \(line)") }
        #expect(tally.connections > 0)
    }

    // MARK: broken hosts

    /// Each finding's example packet, sent from where it arrives, gets the verdict the finding
    /// claims, after translation; the interpreter allows the kernel's verdict; the same packet on
    /// the compliant variant gets the opposite one. Where a per-connection choice decides
    /// (kube-proxy's endpoint pick), the packet is sent from 24 source ports: a missing flow has
    /// some of them dropped, and every kernel verdict is one the interpreter allows.
    @Test(.needsNetworkNamespace, arguments: HostFixture.translated.filter { !$0.isCompliant })
    func witnessesGetTheClaimedVerdictAfterTranslation(_ fixture: HostFixture) throws {
        guard OracleGate.ready() else { return }
        let report = try fixture.audit()
        #expect(HostFixture.names(report) == fixture.expected, "the Audit library disagrees with translated.tsv")
        let control = try #require(fixture.compliantVariant, "\(fixture.name) has no compliant variant in translated.tsv")
        var tally = HostFixtureKernel.Tally()
        var skipped: [String] = []
        var nextID = 1
        for (variant, opposite) in [(fixture, false), (control, true)] {
            let testbed = try Self.testbed(variant)
            defer { testbed.close() }
            let interpreter = try Self.interpreter(variant)
            let choices = try FamilyAudit(matrix: try variant.matrix(), family: .ipv4,
                                          ruleset: try #require(try variant.rulesets().rulesets[.ipv4])).missingFlows.index.choiceIds
            for finding in report.findings where finding.family == .ipv4 {
                let witness = finding.witness.packet
                if finding.witness.leg != .new {
                    if !opposite { skipped.append("\(finding.flowID ?? finding.kind.rawValue): a \(finding.witness.leg.rawValue)-leg witness needs a primed connection") }
                    continue
                }
                let side: ProbeSide = witness.inInterface.isEmpty ? .host : .link(witness.inInterface)
                let chosen = !finding.witness.answers.keys.filter(choices.contains).isEmpty
                    || (finding.kind == .missing && !choices.isEmpty && finding.translatedBy.count > 0)
                let count = chosen ? 24 : 1
                var probes: [Probe] = []
                for index in 0..<count {
                    var packet = witness
                    packet.sourcePort = witness.sourcePort &+ UInt16(index)
                    packet.translatedDestination = nil
                    packet.translatedDestinationPort = nil
                    probes.append(Probe(id: nextID, side: side, packet: packet, layout: Self.site(of: variant).layout))
                    nextID += 1
                }
                let observations = try testbed.send(probes)
                tally.packets += probes.count
                let what = "\(variant.name): \(finding.kind.rawValue) \(finding.flowID ?? "\(finding.path)")"
                var kernelVerdicts = Set<Bool>()
                var agrees = true
                for probe in probes {
                    let observation = observations[probe.id] ?? KernelObservation()
                    #expect(observation.arrived || observation.sendError != nil, "\(what): \(probe) never reached the host's netfilter")
                    // After translation a probe for the host may leave (DNAT) and one for elsewhere may stay (REDIRECT).
                    let kernel = observation.seenAtInput || observation.seenAtPostrouting
                    kernelVerdicts.insert(kernel)
                    var packet = probe.packet
                    packet.outInterface = witness.outInterface
                    let allowed = Self.verdicts(interpreter, packet, from: side)
                    #expect(allowed.contains(kernel), "\(what): the kernel \(kernel ? "accepts" : "drops") \(probe), fwaudit's interpreter allows only \(allowed)")
                    if !allowed.contains(kernel) { agrees = false }
                }
                let claimedAccepted = (finding.kind != .missing) != opposite
                if chosen && finding.kind == .missing && !opposite {
                    #expect(kernelVerdicts.contains(false), "\(what): no connection of \(count) was dropped, fwaudit says some are")
                    agrees = agrees && kernelVerdicts.contains(false)
                } else {
                    #expect(kernelVerdicts == [claimedAccepted], "\(what): the kernel gives \(kernelVerdicts), fwaudit claims \(claimedAccepted ? "accepted" : "dropped")")
                    agrees = agrees && kernelVerdicts == [claimedAccepted]
                }
                tally.agreements += agrees ? probes.count : 0
            }
        }
        print(tally.line(fixture.name, "(witnesses of \(report.findings.count) findings, and on \(control.name))"))
        for line in skipped { print("kernel oracle: translated hosts:   skipped \(line)") }
        #expect(tally.packets > 0)
    }
}
