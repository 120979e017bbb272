import PortMatrix
import Testing

/// `PortMatrixLoader.check`: every error that one reading can find, in document order.
@Suite struct MatrixCheck {
    static let broken = """
    version: 1
    zones:
      web: {local: true, addresses: [198.51.100.300]}
      ok: {addresses: [192.0.2.0/24]}
    flows:
      - {id: a, protocol: tcp, ports: 80, from: ok, to: web}
      - {id: b, protocol: tpc, ports: 80, from: ok, to: web}
      - {id: c, protocol: tcp, ports: 99999, from: ok, to: web}
      - {id: a, protocol: udp, ports: 53, from: ok, to: ok}
    allow: [loopback, everything]
    """

    @Test func aBadZoneOrFlowDoesNotHideTheNext() {
        let errors = PortMatrixLoader.check(Self.broken, source: "m.yaml")
        #expect(errors.map(\.keyPath) == ["zones.web.addresses[0]", "flows[1].protocol", "flows[2].ports", "flows[3].id", "allow[1]"])
        #expect(errors.map { $0.location.line ?? 0 } == [3, 7, 8, 9, 10])
    }

    @Test func aFlowToABrokenZoneIsNotASecondError() {
        let errors = PortMatrixLoader.check(Self.broken, source: "m.yaml")
        #expect(!errors.contains { $0.message.contains("unknown zone 'web'") })
    }

    @Test func aGoodMatrixHasNoError() {
        let good = Self.broken.replacingOccurrences(of: "198.51.100.300", with: "198.51.100.30")
            .replacingOccurrences(of: "tpc", with: "tcp").replacingOccurrences(of: "99999", with: "9999")
            .replacingOccurrences(of: "id: a, protocol: udp", with: "id: d, protocol: udp").replacingOccurrences(of: ", everything", with: "")
        #expect(PortMatrixLoader.check(good, source: "m.yaml").isEmpty)
        #expect((try? PortMatrixLoader.load(good, source: "m.yaml")) != nil)
    }

    @Test func loadStillStopsAtTheFirstError() {
        #expect(throws: PortMatrixError.self) { try PortMatrixLoader.load(Self.broken, source: "m.yaml") }
        let error = #expect(throws: PortMatrixError.self) { try PortMatrixLoader.load(Self.broken, source: "m.yaml") }
        #expect(error?.keyPath == "zones.web.addresses[0]")
    }
}
