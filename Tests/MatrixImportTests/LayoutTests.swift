import FirewallModel
import PortMatrix
import Testing
@testable import MatrixImport

/// Header/column classification in seven languages, checked by content, never by position alone.
@Suite struct HeaderLanguages {
    @Test(arguments: [
        // English
        ("Role/Protocol/TCP or UDP/Port", ColumnKind.compound), ("Source IP address", .source), ("Destination IP address", .destination),
        ("Destination Port or port range", .ports), ("Source port", .sourcePorts), ("Client Port(s)", .sourcePorts), ("Server Port", .ports),
        ("Direction", .direction), ("Used By", .peer), ("Protocol", .transport), ("Notes", .notes), ("Purpose", .service),
        ("From", .source), ("To", .destination), ("Server role", .host), ("Application protocol", .service),
        // Italian
        ("Ruolo/protocollo/TCP o UDP/porta", .compound), ("Indirizzo IP di origine", .source), ("Indirizzo IP di destinazione", .destination),
        ("Porta di origine", .sourcePorts), ("Porta di destinazione", .ports), ("TCP o UDP", .transport), ("Direzione", .direction),
        // German
        ("Rolle/Protokoll/TCP oder UDP/Port", .compound), ("Quell-IP-Adresse", .source), ("Ziel-IP-Adresse", .destination),
        ("Quellport", .sourcePorts), ("Richtung", .direction), ("Anmerkungen", .notes),
        // French
        ("Rôle/Protocole/TCP ou UDP/Port", .compound), ("Adresse IP source", .source), ("Adresse IP de destination", .destination), ("Remarques", .notes),
        // Spanish: "Dirección" is also "address"; the source word decides.
        ("Rol/Protocolo/TCP o UDP/Puerto", .compound), ("Dirección IP de origen", .source), ("Dirección IP de destino", .destination),
        ("Puerto de origen", .sourcePorts), ("Notas", .notes),
        // Japanese
        ("役割/プロトコル/TCP または UDP/ポート", .compound), ("送信元 IP アドレス", .source), ("宛先 IP アドレス", .destination), ("メモ", .notes),
        // Chinese
        ("角色/协议/TCP 或 UDP/端口", .compound), ("源 IP 地址", .source), ("目标 IP 地址", .destination), ("协议", .transport), ("端口", .ports), ("备注", .notes),
    ])
    func headerNamesItsColumn(_ header: String, _ kind: ColumnKind) {
        #expect(ColumnClassifier.kind(ofHeader: header) == kind)
    }

    @Test func transportIsNotAPortWord() {
        #expect(ColumnClassifier.kind(ofHeader: "Audio/Video Transport") != .ports)
    }

    @Test func contentOverridesAMisleadingHeader() {
        // A "Protocol" column holding application protocols is the service, not the transport.
        #expect(ColumnClassifier.kind(header: "Protocol", cells: ["SIP/MTLS", "PSOM", "XMPP"]) == .service)
        #expect(ColumnClassifier.kind(header: "Role or protocol", cells: ["Access/SIP(TLS)", "SIP/MTLS", "HTTPS", "XMPP"]) == .service)
        // Columns without a known header are classified by what they hold.
        #expect(ColumnClassifier.kind(header: "Spalte 1", cells: ["Access/SIP(MTLS)/TCP/5061", "A/V/RTP/TCP/50.000-59.999"]) == .compound)
        #expect(ColumnClassifier.kind(header: "", cells: ["TCP", "UDP", "TCP/UDP"]) == .transport)
        #expect(ColumnClassifier.kind(header: "x", cells: ["Inbound", "Outbound"]) == .direction)
        #expect(ColumnClassifier.kind(header: "x", cells: ["Web servers", "Clients"]) == .other)
        #expect(ColumnClassifier.kind(header: "Server CPU", cells: ["2", "4", "16"]) == .other)
        #expect(ColumnClassifier.kind(header: "FQDN", cells: ["_sipfederationtls._tcp.contoso.com", "_xmpp-server._tcp.contoso.com"]) == .other)
        #expect(ColumnClassifier.kind(header: "", cells: ["UDP e TCP", "TCP (TLS)"]) == .transport)
        #expect(ColumnClassifier.kind(header: "Spalte", cells: ["443/TCP", "UDP 4789"]) == .ports)
    }

    @Test func columnsAreFoundWhereverTheyAre() {
        let portFirst = importText("| Port | Protocol | Source | Destination |\n|--|--|--|--|\n| 6443 | TCP | Nodes | Servers |\n")
        let protocolFirst = importText("| Destination | Source | Protocol | Port |\n|--|--|--|--|\n| Servers | Nodes | TCP | 6443 |\n")
        let describe = { (page: PageImport) in page.flows.map { "\(protocolAndPorts($0)) \($0.fromRole) -> \($0.toRole)" } }
        #expect(describe(portFirst) == ["tcp 6443 Nodes -> Servers"])
        #expect(describe(protocolFirst) == describe(portFirst))
    }
}

/// Row → flows: each layout's rows become flows between roles, or a reported problem.
@Suite struct RowsToFlows {
    func flows(_ page: String) -> [String] {
        importText(page).flows.map { flow in
            var text = "\(protocolAndPorts(flow)) \(flow.fromRole) -> \(flow.toRole)"
            if let sourcePorts = flow.sourcePorts { text += " from port \(sourcePorts.portSyntax)" }
            return text
        }
    }

    @Test func compoundCellsWithSourceAndDestinationColumns() {
        let page = "| Role/Protocol/TCP or UDP/Port | Source IP address | Destination IP address |\n|-|-|-|\n| A/V/STUN,MSTURN/UDP/3478 | Edge | Messenger |\n"
        #expect(flows(page) == ["udp 3478 Edge -> Messenger"])
    }

    @Test func aDirectionColumnRelatesThePeerToTheSectionsHost() {
        let page = """
        ## Control plane

        | Protocol | Direction | Port Range | Purpose | Used By |
        |---|---|---|---|---|
        | TCP | Inbound | 6443 | API server | All |
        | TCP | Inbound | 10250 | Kubelet | Self, Control plane |
        | UDP | Outbound | 53 | DNS | Resolvers |
        | TCP | ingress, egress | 7946 | Gossip | Peers |
        """
        #expect(flows(page) == [
            "tcp 6443 All -> Control plane",
            "tcp 10250 Control plane -> Control plane",
            "tcp 10250 Control plane -> Control plane",
            "udp 53 Control plane -> Resolvers",
            "tcp 7946 Peers -> Control plane",
            "tcp 7946 Control plane -> Peers",
        ])
    }

    @Test func tcpAndUDPInOneCellBecomeOneFlow() {
        let page = "| Port | Protocol | Source | Destination |\n|-|-|-|-|\n| 53 | TCP and UDP | Clients | DNS |\n| 3478 | UDP e TCP | A | B |\n"
        #expect(flows(page) == ["tcp+udp 53 Clients -> DNS", "tcp+udp 3478 A -> B"])
    }

    @Test func transportsWrittenWithPortsSplitWhenTheirPortsDiffer() {
        let page = "| Purpose | Ports | Source | Destination |\n|-|-|-|-|\n| Mixed | TCP 10349, 10350, UDP 10351 | A | B |\n"
        #expect(flows(page) == ["tcp 10349-10350 A -> B", "udp 10351 A -> B"])
    }

    @Test func sourceAndDestinationPortColumns() {
        let page = "| Traffic | From | To | Source port | Destination port |\n|-|-|-|-|-|\n| UDP/SRTP | Media Processor | SBC | 49 152 – 53 247 | 3478 |\n"
        #expect(flows(page) == ["udp 3478 Media Processor -> SBC from port 49152-53247"])
    }

    @Test func aTableWithoutEndpointsIsAboutTheHostOfItsSection() {
        let page = "## Mailbox server\n\n| Purpose | Ports | Comments |\n|-|-|-|\n| IMAP4 clients | 143/TCP (IMAP), 993/TCP (secure IMAP) | off by default |\n"
        #expect(flows(page) == ["tcp 143,993 unspecified source -> Mailbox server"])
    }

    @Test func rowsThatCannotBeReadAreReportedWithTheirPlace() {
        let page = """
        # Ports

        | Traffic | Protocol | Port | Source | Destination |
        |-|-|-|-|-|
        | SIP | TCP | 5061 | A | B |
        | SIP | TCP | Defined on the SBC | A | B |
        | Media | RTP | 3478 | A | B |
        | SIP | TCP | 5061 |  | B |
        """
        let result = importText(page, page: "doc.md")
        #expect(result.flows.count == 1)
        #expect(result.problems.map(\.description) == [
            "doc.md:6: table 1, row 2: cannot read 'Defined' as a port in 'Defined on the SBC'",
            "doc.md:7: table 1, row 3: cannot read protocol 'RTP'",
            "doc.md:8: table 1, row 4: empty source cell",
        ])
        #expect(result.tables[0].rowsImported == 1)
    }

    @Test func tablesThatAreNotAboutPortsAreSkippedAndSaySo() {
        let page = "| Server CPU | Server RAM |\n|-|-|\n| 2 | 4 GB |\n\n| Port | Usage |\n|-|-|\n| 443 | web |\n"
        let result = importText(page)
        #expect(result.flows.isEmpty)
        #expect(result.tables.map(\.skipped) == ["not a port table (no port column)", "not a port table (no protocol column and no protocol in the port cells)"])
    }

    @Test func selectionByNumberOrHeading() {
        let page = "## A\n\n| Port | Protocol |\n|-|-|\n| 22 | TCP |\n\n## B\n\n| Port | Protocol |\n|-|-|\n| 53 | UDP |\n"
        #expect(PageImporter.importPage(page, page: "p.md", selection: TableSelection(number: 2)).flows.map(protocolAndPorts) == ["udp 53"])
        #expect(PageImporter.importPage(page, page: "p.md", selection: TableSelection(heading: "a")).flows.map(protocolAndPorts) == ["tcp 22"])
        #expect(PageImporter.importPage(page, page: "p.md", selection: TableSelection(heading: "nowhere")).flows.isEmpty)
    }
}
