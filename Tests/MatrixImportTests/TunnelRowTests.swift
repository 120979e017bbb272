import FirewallModel
import Foundation
import PortMatrix
import Testing
@testable import MatrixImport

/// GRE, ESP, AH and IPsec rows, `IP protocol ID N` cells, and a `Host(s)` column naming the hosts
/// a row applies to, read from our own page Fixtures/import/vpn-gateway.md.
@Suite struct TunnelRows {
    static let name = "Fixtures/import/vpn-gateway.md"

    static func page() throws -> PageImport {
        PageImporter.importPage(try String(contentsOf: packageRoot.appendingPathComponent(name), encoding: .utf8), page: name)
    }

    @Test func readsIPProtocolsBesidePortsAndHostColumns() throws {
        let page = try Self.page()
        let shapes = page.flows.map { FlowShape($0).description }
        #expect(shapes == [
            "esp unspecified source -> all hosts",
            "ah unspecified source -> all hosts",
            "udp 500,4500 unspecified source -> all hosts",
            "gre unspecified source -> Outside gateway",
            "esp unspecified source -> Outside gateway",
            "tcp 22 unspecified source -> Inside gateway",
            "gre Data centre -> Outside gateway",
            "esp Branch offices -> Outside gateway",
            "tcp 8443 Monitoring -> Outside gateway",
        ], "\(shapes)")
        // A protocol number without a transport of its own is not guessed at: the row is reported.
        #expect(page.problems.map(\.message) == ["cannot read 'IP' as a port in 'IP Protocol 112'"], "\(page.problems.map(\.message))")
    }

    @Test(arguments: [
        ("GRE", [Transport.gre]), ("ESP", [.esp]), ("IPsec", [.esp]), ("IPsec ESP", [.esp]), ("AH", [.ah]),
    ])
    func readsTunnelTransports(_ text: String, _ expected: [Transport]) {
        #expect(TransportText.parse(text).map { $0.sorted() } == expected)
    }

    @Test(arguments: [
        ("IP Protocol ID 47", [Transport.gre: ""]),
        ("IP protocol ID 50 and 51, UDP 500 and 4500", [.esp: "", .ah: "", .udp: "500,4500"]),
        ("ESP, UDP 4500", [.esp: "", .udp: "4500"]),
        ("IP proto 50", [.esp: ""]),
    ])
    func readsIPProtocolNumbersInPortCells(_ text: String, _ expected: [Transport: String]) throws {
        guard case .success(let spec) = PortText.specification(text) else { Issue.record("\(text) not read"); return }
        var shown: [Transport: String] = [:]
        for (transport, ports) in spec.ports {
            guard let transport else { Issue.record("ports without a transport in \(text)"); continue }
            shown[transport] = ports.isEmpty ? "" : ports.portSyntax
        }
        #expect(shown == expected)
    }

    @Test func theImportedMatrixLoadsWithItsProtocols() throws {
        let imported = ImportedMatrix(name: "vpn", pages: [try Self.page()], bindings: ZoneBindings())
        let yaml = MatrixEmitter.yaml(imported)
        #expect(yaml.contains("protocol: gre"))
        #expect(yaml.contains("protocol: esp"))
        #expect(yaml.contains("protocol: ah"))
        #expect(!yaml.contains("protocol: gre\n    ports"))
    }

    /// Antrea's network-requirements page, read where it is shared: its `Host(s)` column gives the
    /// flows' destinations, and its GRE and IPsec rows become gre, esp and ah flows.
    @Test(.enabled(if: VendorDocs.available, "../shared/matrices/docs is absent"))
    func antreaHostColumnAndTunnelRows() throws {
        let name = "antrea-io__antrea__network-requirements.md"
        guard VendorDocs.pages().contains(name) else { return }
        let page = try VendorDocs.importPage(name)
        let destinations = Set(page.flows.map(\.toRole))
        #expect(destinations.contains(RowInterpreter.allHosts))
        #expect(!destinations.contains("Network Requirements"))
        let protocols = Set(page.flows.map(\.protocol.rawValue))
        #expect(protocols.isSuperset(of: ["gre", "esp", "ah", "udp", "tcp"]))
    }
}
