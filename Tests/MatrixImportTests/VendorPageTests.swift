import FirewallModel
import Foundation
import PortMatrix
import Testing
@testable import MatrixImport

/// What a flow says once its roles are translated: protocol, ports, source ports and direction.
struct FlowShape: Hashable, CustomStringConvertible {
    var protocolAndPorts: String
    var sourcePorts: String?
    var from: String
    var to: String

    init(_ flow: ImportedFlow, roles: (String) -> String = { $0 }) {
        protocolAndPorts = MatrixImportTests.protocolAndPorts(flow)
        sourcePorts = flow.sourcePorts?.portSyntax
        from = roles(flow.fromRole)
        to = roles(flow.toRole)
    }

    var description: String { "\(protocolAndPorts)\(sourcePorts.map { " from port \($0)" } ?? "") \(from) -> \(to)" }
}

/// The Lync Server 2013 port-summary pages in every language present say what their English originals say.
@Suite(.enabled(if: VendorDocs.available, "../shared/matrices/docs is absent; vendor page tests skipped"))
struct LyncTranslations {
    /// English page name → its translations, matched by the part of the file name after `__`.
    static func pairs() -> [(english: String, translations: [String])] {
        let pages = VendorDocs.pages().filter { $0.contains("lync-server-2013") }
        let english = pages.filter { $0.hasPrefix("MicrosoftDocs__OfficeDocs-SkypeforBusiness-Test-pr__") }
        return english.map { page in
            let topic = page.components(separatedBy: "__").last!
            return (page, pages.filter { $0 != page && $0.hasSuffix("__" + topic) })
        }.filter { !$0.translations.isEmpty }
    }

    /// The public IM connectivity page's four roles, per language, as the English original names them.
    static let publicIMRoles: [String: [String: String]] = [
        "pr.it-IT": ["Partner per la connettività per messaggistica istantanea pubblica": "Public IM connectivity partners",
                     "Interfaccia di accesso ai server perimetrali": "Edge Server Access interface",
                     "Client": "Clients", "Client Live Messenger": "Live Messenger clients"],
        "SkypeForBusiness.de-DE": ["Partner für Verbindung mit öffentlichem Chatdienst": "Public IM connectivity partners",
                                   "Edgeserver Zugriffs Schnittstelle": "Edge Server Access interface",
                                   "Clients": "Clients", "Live Messenger-Clients": "Live Messenger clients"],
        "pr.de-de": ["Partner für Verbindungen mit öffentlichen Instant Messaging-Diensten": "Public IM connectivity partners",
                     "Edgeserver-Zugriffs-Schnittstelle": "Edge Server Access interface",
                     "Clients": "Clients", "Live Messenger-Clients": "Live Messenger clients"],
        "pr.es-es": ["Socios de conectividad de MI pública": "Public IM connectivity partners",
                     "Interfaz de acceso de Servidor perimetral": "Edge Server Access interface",
                     "Clientes": "Clients", "Clientes de Live Messenger": "Live Messenger clients"],
        "pr.fr-fr": ["Partenaires PIC": "Public IM connectivity partners", "Interface Access du serveur Edge": "Edge Server Access interface",
                     "Clients": "Clients", "Clients Live Messenger": "Live Messenger clients"],
        "pr.it-it": ["Partner per la connettività per messaggistica istantanea pubblica": "Public IM connectivity partners",
                     "Interfaccia di server perimetrale Access": "Edge Server Access interface",
                     "Client": "Clients", "Client Live Messenger": "Live Messenger clients"],
        "pr.ja-jp": ["パブリック IM 接続パートナー": "Public IM connectivity partners", "エッジ サーバー アクセス インターフェイス": "Edge Server Access interface",
                     "クライアント": "Clients", "Live Messenger クライアント": "Live Messenger clients"],
    ]

    @Test func everyLanguageOfThePublicIMPageYieldsTheEnglishFlows() throws {
        let topic = "lync-server-2013-port-summary-public-instant-messaging-connectivity.md"
        let english = try VendorDocs.importPage("MicrosoftDocs__OfficeDocs-SkypeforBusiness-Test-pr__" + topic)
        #expect(english.flows.map { FlowShape($0).description } == [
            "tcp 5061 Public IM connectivity partners -> Edge Server Access interface",
            "tcp 5061 Edge Server Access interface -> Public IM connectivity partners",
            "tcp 443 Clients -> Edge Server Access interface",
            "tcp 50000-59999 Edge Server Access interface -> Live Messenger clients",
            "udp 3478 Edge Server Access interface -> Live Messenger clients",
            "udp 3478 Live Messenger clients -> Edge Server Access interface",
        ])
        let translations = VendorDocs.pages().filter { $0.hasSuffix("__" + topic) && !$0.hasPrefix("MicrosoftDocs__OfficeDocs-SkypeforBusiness-Test-pr__") }
        #expect(translations.count == Self.publicIMRoles.count, "\(translations)")
        for page in translations {
            let language = try #require(Self.publicIMRoles.keys.first { page.contains($0) }, "no role table for \(page)")
            let table = Self.publicIMRoles[language]!
            let translated = try VendorDocs.importPage(page)
            #expect(translated.problems.isEmpty, "\(page): \(translated.problems)")
            let shapes = translated.flows.map { FlowShape($0) { table[$0] ?? "untranslated '\($0)'" } }
            #expect(shapes == english.flows.map { FlowShape($0) }, "\(page)")
        }
    }

    /// A role the English page itself spells two ways: one role, not two.
    static let englishSpellings: [String: String] = [
        "Any (can be defined as Director, Director pool IP address, Front End Server or Front End pool address)":
            "Any (can be defined as Director, Director pool IP address, Front End Server or Front End pool IP address)",
    ]

    /// Every translated page of every topic: same flows in the same order, each translated role
    /// always stands for the same English role (so directions agree), and the same rows are not
    /// understood. Translators sometimes spell one English role two ways, so the mapping is checked
    /// from translation to English; the public IM test above checks the roles themselves.
    @Test(arguments: pairs().map(\.english))
    func translationsYieldTheSameFlows(_ englishPage: String) throws {
        let english = try VendorDocs.importPage(englishPage)
        #expect(!english.flows.isEmpty)
        for page in Self.pairs().first(where: { $0.english == englishPage })!.translations {
            let translated = try VendorDocs.importPage(page)
            #expect(translated.flows.count == english.flows.count, "\(page)")
            #expect(translated.problems.map { "\($0.origin.table)/\($0.origin.row)" } == english.problems.map { "\($0.origin.table)/\($0.origin.row)" }, "\(page)")
            var toEnglish: [String: String] = [:]
            for (theirs, ours) in zip(translated.flows, english.flows) {
                #expect(FlowShape(theirs, roles: { _ in "" }) == FlowShape(ours, roles: { _ in "" }), "\(page) row \(theirs.origin.row)")
                let english = { (role: String) in Self.englishSpellings[role] ?? role }
                for (role, englishRole) in [(theirs.fromRole, english(ours.fromRole)), (theirs.toRole, english(ours.toRole))] {
                    #expect(toEnglish[role, default: englishRole] == englishRole, "\(page): '\(role)' stands for both '\(toEnglish[role] ?? "")' and '\(englishRole)'")
                    toEnglish[role] = englishRole
                }
            }
        }
    }
}

/// The seed page (Italian public IM connectivity) yields exactly the six flows it documents.
@Suite(.enabled(if: VendorDocs.seedAvailable, "../shared/seed is absent; seed page test skipped"))
struct SeedPage {
    @Test func yieldsExactlyItsSixFlows() throws {
        let text = try String(contentsOf: VendorDocs.seed, encoding: .utf8)
        let result = PageImporter.importPage(text, page: "seed.txt")
        #expect(result.problems.isEmpty)
        #expect(result.tables.map(\.skipped) == ["not a port table (no port column)", nil], "the 'Importante' notes table is not a port table")
        let partners = "Partner per la connettività per messaggistica istantanea pubblica", edge = "Interfaccia di server perimetrale Access"
        #expect(result.flows.map { FlowShape($0).description } == [
            "tcp 5061 \(partners) -> \(edge)",
            "tcp 5061 \(edge) -> \(partners)",
            "tcp 443 Client -> \(edge)",
            "tcp 50000-59999 \(edge) -> Client Live Messenger",
            "udp 3478 \(edge) -> Client Live Messenger",
            "udp 3478 Client Live Messenger -> \(edge)",
        ])
        #expect(result.flows.map(\.service) == ["Access/SIP(MTLS)", "Access/SIP(MTLS)", "Access/SIP(TLS)", "A/V/RTP", "A/V/STUN,MSTURN", "A/V/STUN,MSTURN"])
        #expect(result.flows.map(\.origin.line) == [56, 62, 68, 74, 80, 86])
    }
}

/// Kubernetes, RKE2 and Exchange tables yield their documented ports.
@Suite(.enabled(if: VendorDocs.available, "../shared/matrices/docs is absent; vendor page tests skipped"))
struct OtherVendorPages {
    @Test func kubernetesPortsAndProtocols() throws {
        let result = try VendorDocs.importPage("aptkid__website__ports-and-protocols.md")
        #expect(result.problems.isEmpty)
        #expect(result.portTables.map(\.layoutName) == ["pipe/direction", "pipe/direction"])
        #expect(Set(result.flows.map { "\(protocolAndPorts($0)) -> \($0.toRole)" }) == [
            "tcp 6443 -> Control plane", "tcp 2379-2380 -> Control plane", "tcp 10250 -> Control plane",
            "tcp 10259 -> Control plane", "tcp 10257 -> Control plane",
            "tcp 10250 -> Worker node(s)", "tcp 30000-32767 -> Worker node(s)",
        ])
        let apiServer = try #require(result.flows.first { $0.ports == ports("6443") })
        #expect(apiServer.fromRole == "All")
        #expect(result.flows.filter { $0.ports == ports("2379-2380") }.map(\.fromRole) == ["kube-apiserver", "etcd"])
    }

    @Test func rke2InboundRules() throws {
        let result = try VendorDocs.importPage("rancher__rke2-docs__requirements.md")
        #expect(result.problems.isEmpty)
        #expect(result.portTables.count == 6)
        #expect(result.tables.contains { $0.skipped == "not a port table (no port column)" }, "the VM sizing table is not a port table")
        #expect(result.flows.map(protocolAndPorts) == [
            "tcp 6443", "tcp 9345", "tcp 10250", "tcp 2379", "tcp 2380", "tcp 2381", "tcp 30000-32767",
            "udp 8472", "tcp 9099", "udp 51820", "udp 51821",
            "icmp", "tcp 4240", "udp 8472", "udp 51871",
            "tcp 179", "udp 4789", "tcp 5473", "tcp 9098", "tcp 9099",
            "udp 4789",
            "udp 4789", "tcp 179",
        ])
        #expect(result.flows[0].fromRole == "All RKE2 nodes")
        #expect(result.flows[0].toRole == "RKE2 server nodes")
    }

    @Test(arguments: ["MicrosoftDocs__OfficeDocs-Exchange__network-ports.md",
                      "MicrosoftDocs__OfficeDocs-Exchange__network-ports-for-clients-and-mail-flow-in-exchange-2013-exchange-2013-help.md"])
    func exchangeClientAndMailFlowPorts(_ page: String) throws {
        let result = try VendorDocs.importPage(page)
        #expect(result.portTables.count == 3)
        #expect(result.flows.map(protocolAndPorts) == [
            "tcp 443", "tcp 80", "tcp 143,993", "tcp 110,995", "tcp 587",
            "tcp 25", "tcp 25", "tcp 25", "tcp+udp 53",
            "tcp 25", "tcp 25", "tcp 25", "tcp 25", "tcp 50636", "tcp+udp 53",
        ])
        let inbound = try #require(result.flows.first { $0.origin.table == result.portTables[1].number })
        #expect(inbound.fromRole == "Internet (any)")
        #expect(inbound.toRole == (page.contains("exchange-2013") ? "Client Access server" : "Mailbox server"))
        // The one row without a port ('see comments' / 'user defined') is reported, not dropped.
        #expect(result.problems.count == 1)
        #expect(result.problems[0].origin.row == 7)
    }
}
