import FirewallModel
import FlowAnalysis
import Testing

@Suite struct PacketSpaceAlgebra {
    let interfaces = InterfaceUniverse(patterns: [InterfacePattern(name: "eth0", isWildcard: false), InterfacePattern(name: "veth", isWildcard: true)])

    func box(ports: ClosedRange<UInt16>, sources: String) -> PacketBox {
        var box = PacketBox(family: .ipv4, interfaces: interfaces)
        box.destinationPort = PortSet(ports)
        box.source = AddressPrefix(sources)!.addresses
        return box
    }

    @Test func subtractionLeavesDisjointPiecesThatCoverTheRest() {
        let whole = box(ports: 1...1000, sources: "10.0.0.0/8")
        let hole = box(ports: 100...200, sources: "10.1.0.0/16")
        let pieces = whole.subtracting(hole)
        #expect(pieces.allSatisfy { $0.intersection(hole) == nil })
        for (i, a) in pieces.enumerated() { for b in pieces[(i + 1)...] { #expect(a.intersection(b) == nil) } }
        // Put back together with the hole, the pieces are the whole again.
        #expect(PacketSpace([whole]).subtracting(PacketSpace(pieces + [hole])).isEmpty)
        #expect(PacketSpace(pieces + [hole]).subtracting(whole).isEmpty)
    }

    @Test func coalescingMergesBoxesThatDifferInOneField() {
        let space = PacketSpace([box(ports: 1...10, sources: "10.0.0.0/8"), box(ports: 11...20, sources: "10.0.0.0/8")])
        let merged = space.coalesced()
        #expect(merged.boxes.count == 1)
        #expect(merged.boxes[0].destinationPort == PortSet(1...20))
    }

    @Test func interfaceClassesSeparateNamesThePatternsTellApart() {
        #expect(interfaces.names.contains("eth0"))
        #expect(interfaces.names.contains("lo"))
        let wildcard = interfaces.matching(InterfacePattern(name: "veth", isWildcard: true))
        #expect(wildcard.indices.count == 1)
        // A name nobody wrote falls in the class of its wildcard.
        #expect(interfaces.index(of: "veth12ab") == wildcard.indices.first)
        #expect(!interfaces.matching(InterfacePattern(name: "eth0", isWildcard: false)).contains(interfaces.index(of: "eth1")!))
    }
}
