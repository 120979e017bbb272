import FirewallModel
import Foundation
import PortMatrix
import Testing
@testable import MatrixImport

/// The lync-edge scenario's matrix can be regenerated from our own documentation page and zones file.
@Suite struct FixtureRegeneration {
    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent("Fixtures/lync-edge/\(name)"), encoding: .utf8)
    }

    @Test func portsPageAndZonesGiveTheScenarioMatrix() throws {
        let page = PageImporter.importPage(try Self.fixture("ports.md"), page: "Fixtures/lync-edge/ports.md")
        #expect(page.problems.isEmpty)
        let bindings = try ZoneBindings.load(try Self.fixture("zones.yaml"), source: "Fixtures/lync-edge/zones.yaml")
        let imported = ImportedMatrix(name: "lync-edge", pages: [page], bindings: bindings)
        #expect(imported.unboundZones.isEmpty)
        let regenerated = try PortMatrixLoader.load(MatrixEmitter.yaml(imported), source: "regenerated.yaml")
        let original = try PortMatrixLoader.load(try Self.fixture("matrix.yaml"), source: "matrix.yaml")

        func shape(_ flow: Flow) -> String { "\(flow.protocol.rawValue) \(flow.ports?.portSyntax ?? "-") \(flow.from) -> \(flow.to)" }
        #expect(regenerated.flows.map(shape) == original.flows.map(shape))
        for zone in original.zones {
            let mine = try #require(regenerated.zone(zone.id), "zone \(zone.id)")
            #expect(mine.isLocal == zone.isLocal && mine.isAny == zone.isAny && mine.addresses == zone.addresses && mine.interfaces == zone.interfaces, "zone \(zone.id)")
        }
        #expect(regenerated.zones.count == original.zones.count)
        // Each flow points back at its row of the page.
        #expect(regenerated.flows.map { $0.note?.components(separatedBy: ":").prefix(2).joined(separator: ":") ?? "" }
                == (14...19).map { "Fixtures/lync-edge/ports.md:\($0)" })
    }
}
