import FirewallModel
import FixtureSupport
import Foundation
import Testing

/// Every shrunk disagreement saved under Fixtures/regressions/, replayed: the kernel must still
/// give the verdict the file records, and fwaudit must give the kernel's verdict.
@Suite(.serialized, .enabled(if: OracleGate.enabled, "network namespaces are unavailable here"))
struct KernelOracleRegressions {
    static let directory = "Fixtures/regressions"

    static let files: [String] = {
        let url = packageRoot.appendingPathComponent(directory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.hasSuffix(".v4") || $0.hasSuffix(".v6") }.sorted()
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
        let family: AddressFamily = name.hasSuffix(".v6") ? .ipv6 : .ipv4
        let probeLine = try #require(KernelOracleRegressions.header("probe", in: text), "\(name) has no '# probe:' line")
        let recorded = try #require(KernelOracleRegressions.header("kernel", in: text), "\(name) has no '# kernel:' line")
        let probe = try #require(Probe(line: probeLine, id: 1, layout: .router), "bad probe line in \(name)")
        let observations = try #require(try Oracle.kernel(text, family: family, probes: [probe]), "iptables-restore rejects \(name)")
        let kernelAccepts = probe.accepted(by: observations[1] ?? KernelObservation(), layout: .router)
        #expect((kernelAccepts ? "accept" : "drop") == recorded, "the kernel's verdict is no longer the recorded one for \(probe)")
        let fwaudit = try FwauditVerdicts(text, family: family, layout: .router, source: name)
        let trace = fwaudit.trace(probe)
        let diagnosis = KernelOracleRegressions.header("diagnosis", in: text).map { "\n\($0)" } ?? ""
        #expect(fwaudit.possibleAcceptance(probe).contains(kernelAccepts),
                "\(name): \(probe): kernel \(kernelAccepts ? "accept" : "drop"), fwaudit \(trace.verdict.rawValue) by \(trace.deciding?.location.description ?? "-")\(diagnosis)")
        let engine = fwaudit.engineAcceptance(probe)
        #expect(engine.contains(kernelAccepts),
                "\(name): \(probe): kernel \(kernelAccepts ? "accept" : "drop"), engine \(verdictNames(engine))")
    }
}
