import FirewallModel
import FlowAnalysis
import Testing

/// Address translation as conntrack does it: the opening packet is translated by the nat rule
/// and routed again; later packets take the connection's translation without running nat chains.
@Suite struct AddressTranslation {
    static let rules = """
    *raw
    :PREROUTING ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    -A PREROUTING -d 172.17.0.2/32 ! -i docker0 -j DROP
    COMMIT
    *nat
    :PREROUTING ACCEPT [0:0]
    :INPUT ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    :POSTROUTING ACCEPT [0:0]
    -A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
    -A OUTPUT -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
    COMMIT
    *filter
    :INPUT DROP [0:0]
    :FORWARD DROP [0:0]
    :OUTPUT ACCEPT [0:0]
    -A FORWARD -d 172.17.0.2/32 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
    -A OUTPUT -d 172.17.0.2/32 -o eth0 -j DROP
    COMMIT
    """

    /// The host with a route to the containers through docker0.
    static func subject() throws -> Subject {
        let base = try Subject(rules)
        var context = base.context
        let docker0 = context.interfaces.matching(InterfacePattern(name: "docker0", isWildcard: false))
        context.routing = RoutingTable(routes: [.init(destinations: AddressPrefix("172.17.0.0/16")!.addresses, interfaces: docker0)],
                                       defaultInterfaces: context.interfaces.matching(InterfacePattern(name: "eth0", isWildcard: false)))
        return Subject(index: base.index, context: context)
    }

    @Test func theOpeningPacketIsRoutedWhereItsNewDestinationLeads() throws {
        let subject = try Self.subject()
        let trace = subject.interpreter.run(subject.inbound("203.0.113.7", port: 8080), from: .network)
        #expect(trace.path == .forward)
        #expect(trace.verdict == .accept)
        #expect(trace.finalPacket.outInterface == "docker0")
        #expect(trace.finalPacket.destinationPort == 80)
        let outcomes = subject.outcomes(subject.inboundTCP)
        let translated = outcomes.filter { $0.box.originalDestinationPort == PortSet(value: 8080) }
        #expect(translated.count == 1)
        #expect(translated.first?.verdict == .accept)
        #expect(translated.first?.box.outInterface == subject.context.interfaces.matching(InterfacePattern(name: "docker0", isWildcard: false)))
        #expect(translated.first?.translations.map(\.kind) == [.dnat])
    }

    @Test func laterPacketsTakeTheConnectionsTranslationAfterRawHasSeenTheOriginal() throws {
        let subject = try Self.subject()
        var later = subject.inbound("203.0.113.7", port: 8080, state: .established)
        // Untranslated, a later packet is the host's and INPUT drops it.
        #expect(subject.interpreter.run(later, from: .network).verdict == .drop)
        later.translatedDestination = IPAddress("172.17.0.2")!.value
        later.translatedDestinationPort = 80
        let trace = subject.interpreter.run(later, from: .network)
        // The raw rule saw 198.51.100.10, not the container: FORWARD accepts.
        #expect(trace.path == .forward)
        #expect(trace.verdict == .accept)
        var box = subject.inboundTCP
        box.state = .established
        box.tcpFlags = IntervalSet(value: 0x10)
        box.destinationPort = PortSet(value: 8080)
        box.connectionDestination = AddressSet(value: IPAddress("172.17.0.2")!.value)
        box.connectionDestinationPort = PortSet(value: 80)
        let outcomes = subject.outcomes(box)
        #expect(outcomes.count == 1)
        #expect(outcomes.first?.verdict == .accept)
        #expect(outcomes.first?.path == .forward)
    }

    @Test func theHostsOwnPacketKeepsItsFirstRouteThroughTheOutputChainsAndLeavesByTheNewOne() throws {
        // The kernel routes the packet again when it leaves the output hook: every output chain,
        // filter included, still sees the interface of the first route (checked in the kernel by
        // the differential campaign); postrouting sees the new one.
        let base = try Subject("""
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        -A OUTPUT -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
        -A POSTROUTING -o eth0 -j MASQUERADE
        COMMIT
        *filter
        :INPUT DROP [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT DROP [0:0]
        -A OUTPUT -d 172.17.0.2/32 -o eth0 -p tcp -m tcp --dport 80 -j ACCEPT
        COMMIT
        """)
        // The zones name docker0, which no rule does.
        var context = AnalysisContext(family: .ipv4, localAddresses: base.context.localAddresses,
                                      extraInterfaces: ["eth0", "docker0"].map { InterfacePattern(name: $0, isWildcard: false) },
                                      ruleset: base.index.ruleset)
        let docker0 = context.interfaces.matching(InterfacePattern(name: "docker0", isWildcard: false))
        context.routing = RoutingTable(routes: [.init(destinations: AddressPrefix("172.17.0.0/16")!.addresses, interfaces: docker0)],
                                       defaultInterfaces: context.interfaces.matching(InterfacePattern(name: "eth0", isWildcard: false)))
        let subject = Subject(index: base.index, context: context)
        let packet = Packet(family: .ipv4, layer4Protocol: 6, source: IPAddress("198.51.100.10")!.value, destination: IPAddress("192.0.2.80")!.value,
                            sourcePort: 40000, destinationPort: 8080, tcpFlags: 0x02, outInterface: "eth0")
        let trace = subject.interpreter.run(packet, from: .host)
        #expect(trace.verdict == .accept)
        #expect(trace.finalPacket.outInterface == "docker0")
        // MASQUERADE out of eth0 in postrouting no longer applies: the packet leaves by docker0.
        #expect(!trace.steps.contains { $0.event == .matched(action: "masquerade") })
        var box = PacketBox(family: .ipv4, interfaces: subject.context.interfaces)
        box.layer4Protocol = ProtocolSet(value: 6)
        box.source = AddressSet(value: packet.source)
        box.destination = AddressSet(value: packet.destination)
        box.destinationPort = PortSet(value: 8080)
        box.inInterface = subject.context.interfaces.none
        box.outInterface = subject.context.interfaces.matching(InterfacePattern(name: "eth0", isWildcard: false))
        box.state = .new
        box.translation = IntervalSet(value: 0)
        let outcomes = subject.outcomes(box, from: .host)
        #expect(!outcomes.isEmpty && outcomes.allSatisfy { $0.verdict == .accept && $0.box.outInterface == docker0 })
        #expect(outcomes.allSatisfy { $0.translations.map(\.kind) == [.dnat] })
    }

    @Test func aRedirectSendsTheConnectionToTheHostItself() throws {
        let subject = try Subject("""
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        -A PREROUTING -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 80
        COMMIT
        *filter
        :INPUT DROP [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
        COMMIT
        """)
        // REDIRECT sends the connection to the host itself, port 80, which INPUT accepts.
        let trace = subject.interpreter.run(subject.inbound("203.0.113.7", port: 8080), from: .network)
        #expect(trace.path == .input)
        #expect(trace.verdict == .accept)
        #expect(trace.finalPacket.destinationPort == 80)
    }
}

/// `--ctstate DNAT` and `ct status dnat` hold for the packets of connections a nat rule translated.
@Suite struct TranslationStatusMatches {
    @Test func onlyTranslatedConnectionsAreForwarded() throws {
        let subject = try Subject("""
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        -A PREROUTING -s 192.0.2.0/24 -p tcp -m tcp --dport 2222 -j DNAT --to-destination 10.0.0.5:22
        COMMIT
        *filter
        :INPUT DROP [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m conntrack --ctstate DNAT -j ACCEPT
        COMMIT
        """)
        // Translated: forwarded and accepted; the same port from elsewhere is the host's, and dropped.
        #expect(subject.verdict(subject.inbound("192.0.2.7", port: 2222)) == (.accept, 12))
        #expect(subject.verdict(subject.inbound("203.0.113.7", port: 2222)).0 == .drop)
        // Sent straight to 10.0.0.5:22, nothing was translated: dropped.
        var direct = subject.inbound("192.0.2.7", port: 22)
        direct.destination = IPAddress("10.0.0.5")!.value
        #expect(subject.verdict(direct) == (.drop, nil))
        // The engine agrees over the whole space: only translated packets are accepted.
        var everywhere = subject.inboundTCP
        everywhere.destination = AddressSet(AddressFamily.ipv4.domain)
        everywhere.outInterface = subject.context.interfaces.all
        everywhere.translation = IntervalSet(value: 0)
        let accepted = subject.outcomes(everywhere).filter { $0.verdict == .accept }
        #expect(!accepted.isEmpty)
        #expect(accepted.allSatisfy { $0.box.originalDestinationPort == PortSet(value: 2222) && $0.box.translation == IntervalSet(value: 1) })
    }
}
