import FirewallModel
import PortMatrix
import Testing
@testable import MatrixImport

/// Cell parsing: ports in every locale's syntax, transports, compound cells, directions and role slugs.
@Suite struct PortCells {
    @Test(arguments: [
        ("5061", "5061"),
        ("50.000-59.999", "50000-59999"),
        ("50000-59.999", "50000-59999"),
        ("50,000-59,999", "50000-59999"),
        ("50\u{00A0}000–59\u{00A0}999", "50000-59999"),
        ("50,000 ～ 59,999", "50000-59999"),
        ("49 152 – 53 247", "49152-53247"),
        ("1024 - 65535", "1024-65535"),
        ("80, 443", "80,443"),
        ("25,587", "25,587"),
        ("67/68", "67-68"),
        ("1024-65535 \\*", "1024-65535"),
        ("138³", "138"),
        ("4789 (configurable)", "4789"),
        ("51820<sup>[3]</sup>", "51820"),
        ("445 and 139", "139,445"),
        ("Any", "0-65535"),
        ("Qualsiasi", "0-65535"),
    ])
    func readsPorts(_ text: String, _ expected: String) throws {
        let cleaned = TextCleaning.cellText(text)
        let parsed = try PortText.ports(cleaned).get()
        #expect(parsed == ports(expected))
    }

    @Test(arguments: ["Defined on the SBC", "443 or 6443", "70000", "60000-50000", "see comments", ""])
    func refusesWhatIsNotPorts(_ text: String) {
        #expect(throws: CellProblem.self) { try PortText.ports(text).get() }
    }

    @Test func readsTransportsWrittenWithPorts() throws {
        let postfix = try PortText.specification("53/UDP,53/TCP (DNS)").get()
        #expect(postfix.ports == [.udp: ports("53")!, .tcp: ports("53")!])
        let shared = try PortText.specification("53,1024-65535/TCP/UDP").get()
        #expect(shared.ports == [.udp: ports("53,1024-65535")!, .tcp: ports("53,1024-65535")!])
        let prefix = try PortText.specification("TCP 10349, 10350, 10351, UDP 10351").get()
        #expect(prefix.ports == [.tcp: ports("10349-10351")!, .udp: ports("10351")!])
        let named = try PortText.specification("143/TCP (IMAP), 993/TCP (secure IMAP)").get()
        #expect(named.ports == [.tcp: ports("143,993")!])
        #expect(try PortText.specification("n/a").get().saysNone)
    }
}

@Suite struct TransportCells {
    @Test(arguments: [
        ("TCP", [Transport.tcp]), ("UDP", [.udp]), ("TCP/UDP", [.tcp, .udp]), ("TCP and UDP", [.tcp, .udp]),
        ("UDP e TCP", [.tcp, .udp]), ("TCP + UDP", [.tcp, .udp]), ("TCP (TLS)", [.tcp]), ("HTTPS", [.tcp]), ("SIP/TLS", [.tcp]), ("UDP and DTLS", [.udp]), ("ICMP", [.icmp]),
    ])
    func readsTransports(_ text: String, _ expected: [Transport]) {
        #expect(TransportText.parse(text) == Set(expected))
    }

    @Test func refusesApplicationProtocolsItCannotPlace() {
        #expect(TransportText.parse("DCOM and remote procedure call (RPC)") == nil)
        #expect(TransportText.parse("IP Protocol ID 47") == nil)
    }

    @Test func tcpAndUDPWithTheSamePortsShareAFlow() {
        #expect(Transport.protocols(for: [.tcp, .udp]) == [.tcpUdp])
        #expect(Transport.protocols(for: [.udp]) == [.udp])
    }
}

@Suite struct CompoundCells {
    @Test(arguments: [
        ("Access/SIP(MTLS)/TCP/5061", "Access/SIP(MTLS)", [Transport.tcp], "5061"),
        ("A/V/RTP/TCP/50.000-59.999", "A/V/RTP", [.tcp], "50000-59999"),
        ("A/V/STUN,MSTURN/UDP/3478", "A/V/STUN,MSTURN", [.udp], "3478"),
        ("A/V/STUN, MSTURN/UDP/3478", "A/V/STUN,MSTURN", [.udp], "3478"),
        ("音声ビデオ/STUN、MSTURN/UDP/3478", "音声ビデオ/STUN,MSTURN", [.udp], "3478"),
        ("音声ビデオ/RTP/TCP/50,000 ～ 59,999", "音声ビデオ/RTP", [.tcp], "50000-59999"),
        ("Access/SIP (MTLS)-/TCP/5061", "Access/SIP (MTLS)", [.tcp], "5061"),
        ("SIP/MTLS/TCP 5061", "SIP/MTLS", [.tcp], "5061"),
        ("MTLS/TCP/50001", "MTLS", [.tcp], "50001"),
        ("Webkonferenzen/PSOM(TLS)TCP/443", "Webkonferenzen/PSOM(TLS)", [.tcp], "443"),
        ("DNS/TCP/UDP/53", "DNS", [.tcp, .udp], "53"),
    ])
    func readsRoleProtocolTransportPort(_ text: String, _ service: String, _ transports: [Transport], _ expected: String) throws {
        let parsed = try CompoundCell.parse(text).get()
        #expect(parsed.service == service)
        #expect(parsed.transports == Set(transports))
        #expect(parsed.ports == ports(expected))
    }

    @Test func aCellWithoutTransportIsNotGuessed() {
        #expect(throws: CellProblem.self) { try CompoundCell.parse("XMPP/MTLS/23456").get() }
    }
}

@Suite struct DirectionCells {
    @Test(arguments: [
        ("Inbound", Direction.inbound), ("in entrata", .inbound), ("Eingehend", .inbound), ("entrant", .inbound), ("受信", .inbound),
        ("Outbound", .outbound), ("in uscita", .outbound), ("ausgehend", .outbound), ("saliente", .outbound),
        ("ingress, egress", .both), ("Bidirectional", .both), ("bidirezionale", .both),
    ])
    func readsDirections(_ text: String, _ expected: Direction) {
        #expect(Direction.parse(text) == expected)
    }

    @Test func somethingElseIsNoDirection() {
        #expect(Direction.parse("Kubelet API") == nil)
    }
}

@Suite struct RoleSlugs {
    @Test func slugsAreStableLowerCaseASCII() {
        #expect(RoleName.slug("Edge Server Access interface") == "edge-server-access-interface")
        #expect(RoleName.slug("Partner für Chatdienst (öffentlich)") == "partner-fur-chatdienst-offentlich")
        #expect(RoleName.slug("Interfaccia di server perimetrale Access") == RoleName.slug("interfaccia  di server perimetrale ACCESS"))
        #expect(RoleName.slug("Edgeserver-Zugriffs-Schnittstelle") == "edgeserver-zugriffs-schnittstelle")
    }

    @Test func longRolesAreCutAtAWord() {
        let slug = RoleName.slug("Any (can be defined as Director, Director pool IP address, Front End Server or Front End pool IP address)")
        #expect(slug.count <= 48)
        #expect(slug.hasPrefix("any-can-be-defined-as-director"))
        #expect(!slug.hasSuffix("-"))
    }

    @Test func rolesInOtherScriptsGetADistinctHashedSlug() {
        let edge = RoleName.slug("エッジ サーバー アクセス インターフェイス")
        let partners = RoleName.slug("パブリック IM 接続パートナー")
        #expect(edge.hasPrefix("role-"))
        #expect(partners.hasPrefix("im-"))
        #expect(edge != partners)
        #expect(edge == RoleName.slug("エッジ サーバー アクセス インターフェイス"))
        #expect(RoleName.slug("Live Messenger クライアント") != "live-messenger")
    }

    @Test func wildcardsInEveryLanguage() {
        for word in ["Any", "Qualsiasi", "Beliebig", "Cualquiera", "任意", "All", "Internet (any)", "Any:"] {
            #expect(RoleName.isWildcard(word), "\(word)")
        }
        #expect(!RoleName.isWildcard("Any (can be defined as Director)"))
    }
}
