import FirewallModel
import Foundation
import PortMatrix
import Testing
@testable import MatrixImport
import YAMLDocuments

/// YAML emission: the imported matrix loads with the matrix loader once its roles are bound, and
/// refuses to load, at the placeholder's line, while they are not.
@Suite struct MatrixEmission {
    static let page = """
    ## Edge

    | Service | Protocol | Port | Source | Destination | Notes |
    |---|---|---|---|---|---|
    | SIP "secure" | TCP | 5061 | Partners: A\\|B | Edge interface | federation # not a comment |
    | Media | UDP | 3478 | Any | Edge interface | relay |
    | Ping | ICMP | n/a | Edge interface | Any | |
    """

    static let zones = """
    zones:
      edge:
        roles: ["Edge interface"]
        local: true
        addresses: [198.51.100.10]
        interfaces: [eth0]
      partners:
        roles: ["partners: a|b"]
        addresses: [192.0.2.0/24]
    """

    @Test func aBoundMatrixRoundTripsThroughTheLoader() throws {
        let pages = [importText(Self.page, page: "edge.md")]
        let bindings = try ZoneBindings.load(Self.zones, source: "zones.yaml")
        let imported = ImportedMatrix(name: "Edge \"ports\"", pages: pages, bindings: bindings)
        #expect(imported.unboundZones.isEmpty)
        let yaml = MatrixEmitter.yaml(imported)
        let matrix = try PortMatrixLoader.load(yaml, source: "out.yaml")
        #expect(matrix.name == "Edge \"ports\"")
        #expect(matrix.reference == "Imported by fwaudit matrix import from edge.md (table 1 'Edge')")
        #expect(matrix.zones.map(\.id) == ["partners", "edge", "any"])
        #expect(matrix.zone("edge")?.isLocal == true)
        #expect(matrix.zone("edge")?.interfaces.map(\.description) == ["eth0"])
        #expect(matrix.zone("any")?.isAny == true)
        #expect(matrix.flows.map(\.description) == [
            "sip-secure-5061: tcp 5061 partners -> edge",
            "media-3478: udp 3478 any -> edge",
            "ping: icmp edge -> any",
        ])
        #expect(matrix.flows[0].service == "SIP \"secure\"")
        #expect(matrix.flows[0].note == "edge.md:5: table 1 'Edge', row 1: federation # not a comment")
        #expect(matrix.allowances == Allowance.defaults)
    }

    @Test func unboundRolesAreMarkedAndTheLoaderRefusesThemAtTheirLine() throws {
        let imported = ImportedMatrix(name: "Edge", pages: [importText(Self.page, page: "edge.md")])
        #expect(imported.unboundZones.map(\.id) == ["partners-a-b", "edge-interface"])
        let yaml = MatrixEmitter.yaml(imported)
        // Valid YAML all the same.
        _ = try YAMLDocument.compose(yaml, source: "out.yaml", emptyMessage: "empty")
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        let placeholder = try #require(lines.firstIndex { $0.contains(MatrixEmitter.unboundMarker) && $0.contains("addresses: []") })
        #expect(throws: PortMatrixError.self) { try PortMatrixLoader.load(yaml, source: "out.yaml") }
        do {
            _ = try PortMatrixLoader.load(yaml, source: "out.yaml")
        } catch {
            #expect(error.location.line == placeholder + 1)
            #expect(error.keyPath == "zones.partners-a-b.addresses")
            #expect(error.message == "must not be empty")
        }
    }

    @Test func strangeTextIsQuotedSafely() throws {
        for text in ["a: b", "- x", "#hash", "\"quoted\" \\ back", "tab\there", "line\nbreak", "yes", "null", "50\u{00A0}000", "@at", "{x}"] {
            let yaml = "key: \(MatrixEmitter.quote(text))\n"
            let node = try YAMLDocument.compose(yaml, source: "t", emptyMessage: "")
            #expect(node.mapping?["key"]?.string == text)
        }
    }
}

/// Zone bindings (`--zones`): roles to addresses, interfaces and `local`, with located errors.
@Suite struct ZoneBindingFiles {
    @Test func bindsByRoleTextOrBySlug() throws {
        let bindings = try ZoneBindings.load("""
        zones:
          edge:
            roles: ["Edge Server Access interface", "Interfaccia di server perimetrale Access"]
            addresses: [198.51.100.10]
          client-live-messenger:
            addresses: any
        """, source: "z.yaml")
        #expect(bindings.binding(for: "edge server  access INTERFACE")?.id == "edge")
        #expect(bindings.binding(for: "Interfaccia di server perimetrale Access")?.id == "edge")
        #expect(bindings.binding(for: "Client Live Messenger")?.id == "client-live-messenger")
        #expect(bindings.binding(for: "Client") == nil)
    }

    @Test(arguments: [
        ("zones:\n  edge:\n    addresses: [198.51.100.300]\n", "z.yaml:2:3: zones.edge.addresses[0]: bad address '198.51.100.300'"),
        ("zones:\n  edge:\n    local: true\n", "z.yaml:3:5: zones.edge.addresses: required"),
        ("zones:\n  edge:\n    addresses: [any]\n    interface: eth0\n", "z.yaml:4:5: zones.edge.interface: unknown key 'interface', did you mean 'interfaces'?"),
        ("zones:\n  bad id:\n    addresses: [any]\n", "z.yaml:2:3: zones.bad id: bad zone id 'bad id'; ids are letters, digits, '.', '_' and '-', starting with a letter or digit"),
        ("", "z.yaml:1:1: empty zones file, expected a mapping with 'zones'"),
    ])
    func badBindingsAreLocated(_ text: String, _ expected: String) {
        #expect(throws: DocumentError.self) { try ZoneBindings.load(text, source: "z.yaml") }
        do {
            _ = try ZoneBindings.load(text, source: "z.yaml")
        } catch {
            #expect(error.description == expected)
        }
    }
}
