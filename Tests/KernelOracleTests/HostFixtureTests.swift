import Audit
import FirewallModel
import FixtureSupport
import FlowAnalysis
import Foundation
import PortMatrix
import Testing

/// The ordinary hosts of Fixtures/hosts, proved in the kernel: each scenario's rules loaded with
/// the real tools into a host namespace that carries the fixture's own addresses, and what
/// fwaudit concludes about them checked against what the kernel does with real traffic.
@Suite(.serialized, .needsNetworkNamespace)
struct HostFixtureKernel {
    /// A tally of one test: probes sent to the kernel and how many agreed with fwaudit.
    struct Tally {
        var connections = 0
        var packets = 0
        var agreements = 0
        var probes: Int { connections + packets }

        func line(_ name: String, _ what: String) -> String {
            "kernel oracle: hosts: \(name): \(probes) probes sent (\(connections) connections, \(packets) packets), \(agreements) agree with fwaudit \(what)"
        }
    }

    /// fwaudit's concrete verdicts on what the testbed holds, per family (no rules: everything passes).
    static func verdicts(_ rulesets: [AddressFamily: Ruleset], layout: Layout) -> [AddressFamily: FwauditVerdicts] {
        Dictionary(uniqueKeysWithValues: AddressFamily.allCases.map { family in
            (family, FwauditVerdicts(ruleset: rulesets[family] ?? Ruleset(), family: family, layout: layout))
        })
    }

    /// A testbed wired as `network`, `fixture`'s rules loaded, forwarding on unless `forwarding` is false.
    static func testbed(_ network: HostFixtureNetwork, loading fixture: HostFixture, forwarding: Bool, wired: Bool = true) throws -> Testbed {
        let testbed = try Testbed(network.layout)
        do {
            if wired { try network.wire(testbed) }
            try HostFixtureNetwork.load(fixture, into: testbed)
            try HostFixtureNetwork.setForwarding(forwarding, in: testbed)
        } catch {
            testbed.close()
            throw error
        }
        return testbed
    }

    // MARK: compliant hosts

    /// Every documented flow of a compliant host, opened for real from a client address of its
    /// `from` zone to each address of its `to` zone with a source port the audit assumes, gets
    /// its opening packet, later packets and replies through the kernel.
    @Test(.needsNetworkNamespace, arguments: HostFixture.all.filter(\.isCompliant))
    func documentedFlowsPassInTheKernel(_ fixture: HostFixture) throws {
        guard OracleGate.ready() else { return }
        let report = try fixture.audit()
        #expect(HostFixture.names(report) == fixture.expected, "the Audit library disagrees with scenarios.tsv")
        let matrix = try fixture.matrix()
        let network = HostFixtureNetwork(matrix: matrix)
        let testbed = try HostFixtureKernel.testbed(network, loading: fixture, forwarding: matrix.host.forwarding != false)
        defer { testbed.close() }
        let fwaudit = HostFixtureKernel.verdicts(try fixture.rulesets().rulesets, layout: network.layout)
        let remotePort: UInt16 = 40000, ownPort: UInt16 = 40000
        #expect(matrix.clientPorts.contains(remotePort) && matrix.host.clientPorts.contains(ownPort))
        var tally = Tally()
        var untested: [String] = []
        for flow in matrix.flows {
            guard let from = matrix.zone(flow.from), let to = matrix.zone(flow.to) else { continue }
            let protocols: [(name: String, number: UInt8)] = switch flow.protocol {
            case .tcp: [("tcp", 6)]
            case .udp: [("udp", 17)]
            case .tcpUdp: [("tcp", 6), ("udp", 17)]
            default: []
            }
            if protocols.isEmpty { untested.append("\(flow.id): \(flow.protocol.rawValue) has no socket exchange here"); continue }
            let ports = Array(Set((flow.ports?.ranges ?? []).flatMap { [$0.lowerBound, $0.upperBound] })).sorted()
            for family in AddressFamily.allCases where matrix.flow(flow, appliesTo: family) {
                // The input part: remote clients to the host's addresses in the `to` zone; the
                // output part: the host's addresses in the `from` zone to remote servers.
                let hostFrom = hostAddresses(in: from, family, network), hostTo = hostAddresses(in: to, family, network)
                let remoteFrom = from.isLocal ? [] : network.clients[from.id]?[family] ?? []
                let remoteTo = to.isLocal ? [] : network.clients[to.id]?[family] ?? []
                let pairs = remoteFrom.flatMap { s in hostTo.map { (s, $0, PathKind.input) } }
                    + hostFrom.flatMap { s in remoteTo.map { (s, $0, PathKind.output) } }
                if pairs.isEmpty { untested.append("\(flow.id) (\(family)): no address pair through the host") }
                for (source, destination, path) in pairs {
                    let sourcePort = flow.sourcePorts?.min ?? (path == .output ? ownPort : remotePort)
                    let clientSide: ProbeSide = path == .output ? .host : .link("eth0")
                    let serverSide: ProbeSide = path == .output ? .link("eth0") : .host
                    for proto in protocols {
                        for port in ports {
                            let what = "\(fixture.name): \(flow.id) \(proto.name) \(source):\(sourcePort) -> \(destination):\(port) (\(path))"
                            let outcome = try Conversation.run(proto.name, from: (source, sourcePort), in: testbed.namespace(of: clientSide),
                                                               to: (destination, port), in: testbed.namespace(of: serverSide))
                            tally.connections += 1
                            // fwaudit's interpreter on the opening packet and on the reply.
                            var opening = Packet(family: family, layer4Protocol: proto.number, source: source.value, destination: destination.value,
                                                 sourcePort: sourcePort, destinationPort: port, tcpFlags: proto.number == 6 ? 0x02 : 0)
                            var reply = Packet(family: family, layer4Protocol: proto.number, source: destination.value, destination: source.value,
                                               sourcePort: port, destinationPort: sourcePort, tcpFlags: proto.number == 6 ? 0x12 : 0, state: .established)
                            opening.state = .new
                            reply.state = .established
                            let verdicts = fwaudit[family]!
                            let openingAccepted = verdicts.trace(Probe(id: 0, side: clientSide, packet: opening, layout: network.layout)).verdict == .accept
                            let replyAccepted = verdicts.trace(Probe(id: 0, side: serverSide, packet: reply, layout: network.layout)).verdict == .accept
                            #expect(outcome.completed, "\(what): the kernel did not carry the exchange (\(outcome.detail)), but fwaudit says the host is compliant")
                            #expect(openingAccepted && replyAccepted,
                                    "\(what): fwaudit's interpreter gives \(openingAccepted ? "accept" : "drop") to the opening packet and \(replyAccepted ? "accept" : "drop") to the reply")
                            if outcome.completed && openingAccepted && replyAccepted { tally.agreements += 1 }
                        }
                    }
                }
            }
        }
        print(tally.line(fixture.name, "(every documented flow opened for real and answered)"))
        for line in untested { print("kernel oracle: hosts:   not exchanged: \(line)") }
        #expect(tally.connections > 0)
    }

    /// The host's own addresses inside a zone: all of them for a local zone, the ones its
    /// prefixes hold otherwise (a cluster node in its `nodes` zone); none for `any`.
    func hostAddresses(in zone: Zone, _ family: AddressFamily, _ network: HostFixtureNetwork) -> [IPAddress] {
        if zone.isLocal { return network.hostAddresses[family, default: []] }
        if zone.isAny { return [] }
        let set = zone.addresses(for: family) ?? AddressSet()
        return network.hostAddresses[family, default: []].filter { set.contains($0.value) }
    }

    // MARK: broken hosts

    /// Each finding's witness packet gets the kernel verdict the finding claims (a missing flow's
    /// witness is dropped, an extra's accepted), fwaudit's interpreter gives the kernel's verdict,
    /// and the same packet on the compliant variant gets the opposite one; a missing flow's real
    /// exchange between the witness's addresses and ports fails, and completes on the variant.
    @Test(.needsNetworkNamespace, arguments: HostFixture.all.filter { !$0.isCompliant })
    func witnessesGetTheClaimedVerdictInTheKernel(_ fixture: HostFixture) throws {
        guard OracleGate.ready() else { return }
        let report = try fixture.audit()
        #expect(HostFixture.names(report) == fixture.expected, "the Audit library disagrees with scenarios.tsv")
        let control = try #require(fixture.compliantVariant, "\(fixture.name) has no compliant variant in scenarios.tsv")
        let network = HostFixtureNetwork(matrix: try fixture.matrix())
        var tally = Tally()
        var controls = 0
        var skipped: [String] = []
        // A variant with the very same firewall differs only in what the matrix intends (deny
        // lists): the kernel drops the witness there too, and the variant's audit calls it intended.
        let sameFirewall = try control.inputs == fixture.inputs
            && (control.matrix().host.forwarding != false) == (fixture.matrix().host.forwarding != false)
        for (variant, isControl) in [(fixture, false), (control, true)] {
            let opposite = isControl && !sameFirewall
            let forwarding = try variant.matrix().host.forwarding != false
            let testbed = try HostFixtureKernel.testbed(network, loading: variant, forwarding: forwarding)
            defer { testbed.close() }
            let fwaudit = HostFixtureKernel.verdicts(try variant.rulesets().rulesets, layout: network.layout)
            var nextID = 1
            for finding in report.findings {
                let witness = finding.witness.packet
                let what = "\(fixture.name): \(finding.kind.rawValue) \(finding.flowID ?? "\(finding.family.rawValue)/\(finding.path.rawValue)")"
                    + (isControl ? " on \(control.name) (forwarding \(forwarding ? "on" : "off"))" : "")
                guard finding.witness.leg == .new, witness.state == .new else {
                    if !isControl { skipped.append("\(what): a \(finding.witness.leg.rawValue)-leg witness needs a primed connection") }
                    continue
                }
                let source = IPAddress(family: witness.family, value: witness.source)
                let side: ProbeSide = network.layout.localSet(witness.family).contains(witness.source)
                    ? .host : .link(network.layout.route(source.value, source.family))
                let probe = Probe(id: nextID, side: side, packet: witness, layout: network.layout)
                nextID += 1
                let links = Set(network.layout.links.map(\.name))
                if links.contains(witness.inInterface) || links.contains(witness.outInterface) {
                    #expect(probe.packet.inInterface == witness.inInterface || !links.contains(witness.inInterface),
                            "\(what): the testbed routes the witness in through '\(probe.packet.inInterface)', not '\(witness.inInterface)'")
                    #expect(probe.packet.outInterface == witness.outInterface || !links.contains(witness.outInterface),
                            "\(what): the testbed routes the witness out through '\(probe.packet.outInterface)', not '\(witness.outInterface)'")
                }
                let observation = try testbed.send([probe])[probe.id] ?? KernelObservation()
                tally.packets += 1
                #expect(observation.arrived || observation.sendError != nil, "\(what): \(probe) never reached the host's netfilter")
                let kernel = probe.accepted(by: observation, layout: network.layout)
                let claimed = (finding.kind != .missing) != opposite
                #expect(kernel == claimed, "\(what): the kernel \(kernel ? "accepts" : "drops") the witness \(probe), fwaudit claims it is \(claimed ? "accepted" : "dropped")")
                // fwaudit's interpreter does not model the forwarding sysctl: a host that does not
                // route is told by the matrix (host.forwarding: false), whose audit leaves the
                // forward path out. Elsewhere the interpreter must give the kernel's verdict.
                var agrees = kernel == claimed
                if forwarding || probe.isLocal(network.layout) || side == .host {
                    let trace = fwaudit[witness.family]!.trace(probe)
                    #expect((trace.verdict == .accept) == kernel, "\(what): fwaudit's interpreter gives \(trace.verdict.rawValue) for \(probe), the kernel \(kernel ? "accepts" : "drops") it")
                    agrees = agrees && (trace.verdict == .accept) == kernel
                }
                if agrees { tally.agreements += 1 }
                if isControl { controls += 1 }
                // A missing flow also fails for real: the witness's own addresses and ports as a
                // socket exchange, which the compliant variant completes.
                if finding.kind == .missing, let name = [6: "tcp", 17: "udp"][witness.layer4Protocol] {
                    let destination = IPAddress(family: witness.family, value: witness.destination)
                    let serverSide: ProbeSide = side == .host ? .link(probe.packet.outInterface) : .host
                    if side != .host {
                        try Commands.check(["ip", "-n", testbed.namespace(of: side), "addr", "replace",
                                            "\(source)/\(witness.family == .ipv4 ? "32" : "128 nodad")", "dev", "eth0"])
                    }
                    let outcome = try Conversation.run(name, from: (source, witness.sourcePort), in: testbed.namespace(of: side),
                                                       to: (destination, witness.destinationPort), in: testbed.namespace(of: serverSide))
                    tally.connections += 1
                    #expect(outcome.completed == opposite,
                            "\(what): a real \(name) exchange \(source):\(witness.sourcePort) -> \(destination):\(witness.destinationPort) \(outcome.completed ? "completes" : "fails (\(outcome.detail))")")
                    if outcome.completed == opposite { tally.agreements += 1 }
                }
            }
        }
        print(tally.line(fixture.name, "(witnesses of \(report.findings.count) findings, \(controls) controls on \(control.name))"))
        for line in skipped { print("kernel oracle: hosts:   skipped \(line)") }
        #expect(controls + skipped.count == report.findings.count)
        #expect(!report.findings.isEmpty)
    }

    // MARK: the forward path of a host that does not route

    /// On a host with `net.ipv4.ip_forward=0` (and IPv6 forwarding off), a packet from the client
    /// side to the far side is not delivered even though the rules accept every forwarded packet;
    /// with forwarding on, the same kind of packet is: the sysctl, not FORWARD, decides, so not
    /// auditing a declared non-router's forward path is sound and the undeclared audit's extra is real.
    @Test(.needsNetworkNamespace, arguments: HostFixture.all.filter { fixture in
        // Hosts declared not to route, with a client zone of their own to send from.
        guard fixture.isCompliant, let matrix = try? fixture.matrix(), matrix.host.forwarding == false else { return false }
        return matrix.zones.contains { !$0.isLocal && !$0.isAny }
    })
    func aHostThatDoesNotRouteDeliversNothingForward(_ fixture: HostFixture) throws {
        guard OracleGate.ready() else { return }
        let matrix = try fixture.matrix()
        let network = HostFixtureNetwork(matrix: matrix)
        let testbed = try HostFixtureKernel.testbed(network, loading: fixture, forwarding: false)
        defer { testbed.close() }
        let fwaudit = HostFixtureKernel.verdicts(try fixture.rulesets().rulesets, layout: network.layout)
        var tally = Tally()
        var nextID = 1
        let client = try #require(matrix.zones.first { !$0.isLocal && !$0.isAny })
        for on in [false, true] {
            try HostFixtureNetwork.setForwarding(on, in: testbed)
            for family in AddressFamily.allCases {
                guard let source = network.clients[client.id]?[family]?.first, let far = network.far[family] else { continue }
                let packet = Packet(family: family, layer4Protocol: 6, source: source.value, destination: far.value,
                                    sourcePort: on ? 40001 : 40000, destinationPort: 445, tcpFlags: 0x02)
                let probe = Probe(id: nextID, side: .link("eth0"), packet: packet, layout: network.layout)
                nextID += 1
                #expect(probe.packet.outInterface == "eth1")
                let observation = try testbed.send([probe])[probe.id] ?? KernelObservation()
                tally.packets += 1
                #expect(observation.arrived, "\(fixture.name): \(probe) never reached the host's netfilter")
                let kernel = probe.accepted(by: observation, layout: network.layout)
                let interpreter = fwaudit[family]!.trace(probe).verdict == .accept
                #expect(interpreter, "\(fixture.name): fwaudit's interpreter should see the rules accept \(probe) on the forward path")
                #expect(kernel == on, "\(fixture.name): with forwarding \(on ? "on" : "off") the kernel \(kernel ? "delivers" : "does not deliver") \(probe)")
                // Off: the declared matrix leaves the forward path out (nothing crosses); on: the interpreter's verdict.
                if kernel == (on ? interpreter : false) { tally.agreements += 1 }
            }
        }
        print(tally.line(fixture.name, "(forward path with forwarding off, then on)"))
    }

    // MARK: client ports

    /// The mail relay's own connections go out from client ports: a resolver's answer to the
    /// relay's port 22 or 23 is dropped (the fail2ban REJECT and the telnet DROP come before the
    /// conntrack rule), an answer to 40000 is accepted as established. fwaudit assumes the host's
    /// client ports (32768-60999) for its own connections, which is why it reports no finding.
    @Test(.needsNetworkNamespace)
    func relayRepliesPassOnlyToClientPorts() throws {
        guard OracleGate.ready() else { return }
        let fixture = HostFixture.named("client-ports")
        let matrix = try fixture.matrix()
        let network = HostFixtureNetwork(matrix: matrix)
        // Not wired: the peer owns no resolver address, so it answers nothing by itself.
        let testbed = try HostFixtureKernel.testbed(network, loading: fixture, forwarding: true, wired: false)
        defer { testbed.close() }
        let fwaudit = HostFixtureKernel.verdicts(try fixture.rulesets().rulesets, layout: network.layout)
        let relay = try #require(network.hostAddresses[.ipv4]?.first)
        let cases: [(resolver: String, port: UInt16, delivered: Bool)] = [
            ("203.0.113.53", 22, false), ("203.0.113.53", 23, false), ("192.0.2.53", 23, false),
            ("203.0.113.53", 40000, true), ("192.0.2.53", 40000, true),
        ]
        var tally = Tally()
        var nextID = 1
        for (resolverText, port, delivered) in cases {
            let resolver = IPAddress(resolverText)!
            // The relay opens a TCP DNS connection from `port`; its SYN must leave.
            let syn = Probe(id: nextID, side: .host, packet: Packet(family: .ipv4, layer4Protocol: 6, source: relay.value, destination: resolver.value,
                                                                     sourcePort: port, destinationPort: 53, tcpFlags: 0x02), layout: network.layout)
            var answer = Probe(id: nextID + 1, side: .link("eth0"),
                               packet: Packet(family: .ipv4, layer4Protocol: 6, source: resolver.value, destination: relay.value,
                                              sourcePort: 53, destinationPort: port, tcpFlags: 0x12, state: .established), layout: network.layout)
            answer.acknowledgement = syn.sequence &+ 1
            nextID += 2
            let what = "client-ports: \(resolver):53 -> \(relay):\(port)"
            let opened = try testbed.send([syn])[syn.id] ?? KernelObservation()
            let synKernel = syn.accepted(by: opened, layout: network.layout)
            let synInterpreter = fwaudit[.ipv4]!.trace(syn).verdict == .accept
            #expect(synKernel, "\(what): the relay's own SYN \(syn) does not leave")
            #expect(synInterpreter == synKernel, "\(what): fwaudit's interpreter disagrees with the kernel on \(syn)")
            if synKernel && synInterpreter { tally.agreements += 1 }
            let observation = try testbed.send([answer])[answer.id] ?? KernelObservation()
            tally.packets += 2
            #expect(observation.arrived, "\(what): \(answer) never reached the host's netfilter")
            let kernel = answer.accepted(by: observation, layout: network.layout)
            let trace = fwaudit[.ipv4]!.trace(answer)
            #expect(kernel == delivered, "\(what): the kernel \(kernel ? "accepts" : "drops") the answer \(answer)")
            #expect((trace.verdict == .accept) == kernel, "\(what): fwaudit's interpreter gives \(trace.verdict.rawValue) for \(answer)")
            #expect(matrix.host.clientPorts.contains(port) == delivered, "\(what): port \(port) and the assumed client ports \(matrix.host.clientPorts.portSyntax)")
            if kernel == delivered && (trace.verdict == .accept) == kernel { tally.agreements += 1 }
            print("kernel oracle: hosts:   \(what) (SYN-ACK): kernel \(kernel ? "accepts" : "drops"), fwaudit \(trace.verdict.rawValue)"
                  + (trace.deciding.map { " by \($0.text)" } ?? ""))
        }
        print(tally.line("client-ports replies", "(replies to ports 22, 23 and 40000 after the relay opened the connection)"))
    }
}
