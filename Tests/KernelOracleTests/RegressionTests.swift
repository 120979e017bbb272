import FirewallModel
import FixtureSupport
import Foundation
import Testing

/// Every shrunk disagreement saved under Fixtures/regressions/, replayed: the kernel must still
/// give the verdict the file records, and fwaudit must give the kernel's verdict. `.v4`/`.v6`
/// files are iptables-save text, loaded by the backend their `# backend:` line names (the
/// iptables-save loader's path when there is none); `.nft` files are nft scripts, loaded with
/// `nft -f` and read back over netlink.
@Suite(.serialized, .needsNetworkNamespace)
struct KernelOracleRegressions {
    static let directory = "Fixtures/regressions"

    static let files: [String] = {
        let url = packageRoot.appendingPathComponent(directory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.hasSuffix(".v4") || $0.hasSuffix(".v6") || $0.hasSuffix(".nft") }.sorted()
    }()

    /// The value of the `# key: value` header line.
    static func header(_ key: String, in text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix("# \(key): ") {
            return String(line.dropFirst(key.count + 4))
        }
        return nil
    }

    @Test(arguments: files)
    func replay(_ name: String) throws {
        guard OracleGate.ready() else { return }
        let text = Scenario.load("\(KernelOracleRegressions.directory)/\(name)")
        let probeLine = try #require(KernelOracleRegressions.header("probe", in: text), "\(name) has no '# probe:' line")
        let recorded = try #require(KernelOracleRegressions.header("kernel", in: text), "\(name) has no '# kernel:' line")
        let probe = try #require(Probe(line: probeLine, id: 1, layout: .router), "bad probe line in \(name)")
        let family = probe.packet.family
        let backendName = KernelOracleRegressions.header("backend", in: text) ?? OracleBackend.iptablesLegacy.rawValue
        let backend = try #require(OracleBackend(rawValue: backendName), "\(name): unknown backend '\(backendName)'")
        #expect((backend == .nft) == name.hasSuffix(".nft"), "\(name): nft scripts, and only they, end in .nft")
        let (observations, fwaudit) = try #require(try Oracle.both(text, family: family, backend: backend, probes: [probe], source: name),
                                                   "\(backend) rejects \(name)")
        let kernelAccepts = probe.accepted(by: observations[1] ?? KernelObservation(), layout: .router)
        #expect((kernelAccepts ? "accept" : "drop") == recorded, "the kernel's verdict is no longer the recorded one for \(probe)")
        let trace = fwaudit.trace(probe)
        let diagnosis = KernelOracleRegressions.header("diagnosis", in: text).map { "\n\($0)" } ?? ""
        #expect(fwaudit.possibleAcceptance(probe).contains(kernelAccepts),
                "\(name): \(probe): kernel \(kernelAccepts ? "accept" : "drop"), fwaudit \(trace.verdict.rawValue) by \(trace.deciding?.location.description ?? "-")\(diagnosis)")
        let engine = fwaudit.engineAcceptance(probe)
        #expect(engine.contains(kernelAccepts),
                "\(name): \(probe): kernel \(kernelAccepts ? "accept" : "drop"), engine \(verdictNames(engine))")
    }
}
