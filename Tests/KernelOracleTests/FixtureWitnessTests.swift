import Audit
import FirewallModel
import FixtureSupport
import FlowAnalysis
import Foundation
import Testing

/// The lync-edge findings, proved in the kernel: each finding's witness packet, sent through a
/// host wired like the edge (198.51.100.10 and 2001:db8:e::10 on eth0, everything else behind
/// eth0) with the scenario's rules loaded, must be dropped when the finding says a flow is
/// missing and accepted when it says traffic is extra or in the wrong direction.
///
/// Opening packets (`new` leg) are sent as they are. A later packet or a reply (`established`
/// and `reply` legs) is only meaningful inside a connection, so for UDP the connection is made
/// first: the opening packet (which must pass), for the `established` leg also the peer's
/// answer, then the witness. TCP witnesses of those legs would need a real handshake with
/// matching sequence numbers and are not produced (none of the fixtures has one).
@Suite(.serialized, .needsNetworkNamespace)
struct KernelOracleFixtures {
    static let layout = Layout.edge

    @Test(arguments: Scenario.all)
    func witnessesBehaveInTheKernelAsTheFindingsSay(_ scenario: Scenario) throws {
        guard OracleGate.ready() else { return }
        let report = try scenario.audit()
        var checked = 0, controls = 0
        var skipped: [String] = []
        for family in AddressFamily.allCases {
            let findings = report.findings.filter { $0.family == family }
            guard !findings.isEmpty else { continue }
            let file = family == .ipv4 ? scenario.v4 : scenario.v6
            // The control: the same witness on the compliant ruleset must get the opposite verdict,
            // so a pass above cannot come from a harness that sees everything one way.
            let control = family == .ipv4 ? "compliant.v4" : "compliant.v6"
            for (name, isControl) in [(file, false), (control, true)] where !isControl || name != file {
                let text = Scenario.load("\(Scenario.directory)/\(name)")
                let testbed = try Testbed(KernelOracleFixtures.layout)
                defer { testbed.close() }
                try testbed.load(text, family: family)
                let fwaudit = try FwauditVerdicts(text, family: family, layout: KernelOracleFixtures.layout, source: name)
                var nextID = 1
                for finding in findings {
                    let what = "\(scenario.name): \(finding.kind.rawValue) \(finding.flowID ?? finding.space.destinationPortsText) (\(family), \(finding.witness.leg.rawValue) leg)"
                        + (isControl ? " on \(name)" : "")
                    let expected = isControl ? finding.kind == .missing : finding.kind != .missing
                    switch try check(finding, testbed: testbed, fwaudit: fwaudit, expectAccepted: expected, nextID: &nextID, what: what) {
                    case .checked: if isControl { controls += 1 } else { checked += 1 }
                    case .skipped(let reason): if !isControl { skipped.append("\(what): \(reason)") }
                    }
                }
            }
        }
        print("kernel oracle: \(scenario.name): \(checked) witnesses proved in the kernel (\(controls) controls on the compliant rules), \(skipped.count) not producible")
        for line in skipped { print("kernel oracle:   skipped \(line)") }
        #expect(checked + skipped.count == report.findings.count)
        if !report.findings.isEmpty { #expect(checked > 0, "\(scenario.name): no witness could be sent") }
    }

    enum Result { case checked, skipped(String) }

    func check(_ finding: Finding, testbed: Testbed, fwaudit: FwauditVerdicts, expectAccepted claimed: Bool, nextID: inout Int, what: String) throws -> Result {
        let layout = KernelOracleFixtures.layout
        let witness = finding.witness.packet
        let names = Set(layout.links.map(\.name) + [""])
        guard names.contains(witness.inInterface), names.contains(witness.outInterface) else {
            return .skipped("witness interfaces '\(witness.inInterface)'/'\(witness.outInterface)' are not wired in the testbed")
        }
        let side: ProbeSide = witness.inInterface.isEmpty ? .host : .link(witness.inInterface)
        func probe(_ packet: Packet, from side: ProbeSide) -> Probe {
            defer { nextID += 1 }
            return Probe(id: nextID, side: side, packet: packet, layout: layout)
        }
        func reversed(_ packet: Packet) -> Packet {
            var reply = packet
            reply.source = packet.destination
            reply.destination = packet.source
            reply.sourcePort = packet.destinationPort
            reply.destinationPort = packet.sourcePort
            swap(&reply.inInterface, &reply.outInterface)
            reply.state = .new
            return reply
        }
        let target = probe(witness, from: side)
        guard target.packet.inInterface == witness.inInterface, target.packet.outInterface == witness.outInterface else {
            return .skipped("the testbed routes the witness \(target.packet.inInterface)->\(target.packet.outInterface), not \(witness.inInterface)->\(witness.outInterface)")
        }
        let otherSide: ProbeSide = side == .host ? .link(witness.outInterface) : .host
        switch finding.witness.leg {
        case .new:
            guard witness.state == .new else { return .skipped("a new-leg witness in state \(witness.state)") }
        case .established, .reply:
            guard witness.layer4Protocol == 17 else {
                return .skipped("\(witness.protocolName) \(finding.witness.leg.rawValue) leg: a real handshake would be needed")
            }
            // The connection the witness belongs to: its opening packet must pass.
            var opening = finding.witness.leg == .reply ? reversed(witness) : witness
            opening.state = .new
            let opener = probe(opening, from: finding.witness.leg == .reply ? otherSide : side)
            let opened = try testbed.send([opener])[opener.id] ?? KernelObservation()
            guard opener.accepted(by: opened, layout: layout) else {
                Issue.record("\(what): the connection's opening packet \(opener) is dropped by the kernel, so the witness cannot be in state established")
                return .checked
            }
            if finding.witness.leg == .established {
                // The peer answers, so the opener's next packet is established (conntrack sees the answer before any filter).
                let answer = probe(reversed(witness), from: otherSide)
                _ = try testbed.send([answer])
            }
        }
        let observation = try testbed.send([target])[target.id] ?? KernelObservation()
        let kernelAccepts = target.accepted(by: observation, layout: layout)
        #expect(kernelAccepts == claimed,
                "\(what): witness \(target) is \(kernelAccepts ? "accepted" : "dropped") by the kernel, but \(claimed ? "accepted" : "dropped") was expected")
        let trace = fwaudit.trace(target)
        #expect((trace.verdict == .accept) == kernelAccepts, "\(what): fwaudit's interpreter gives \(trace.verdict.rawValue) for \(target)")
        return .checked
    }
}
