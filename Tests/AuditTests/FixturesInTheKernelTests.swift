import FixtureSupport
import Foundation
import Testing

/// The fixture rulesets are what the real iptables accepts: loaded with iptables-restore in a
/// private network namespace (never the host's).
@Suite(.needsNetworkNamespace)
struct FixturesInTheKernel {
    static let files: [String] = {
        let directory = packageRoot.appendingPathComponent(Scenario.directory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".v4") || $0.hasSuffix(".v6") }.sorted()
    }()

    @Test(arguments: files)
    func iptablesRestoreAcceptsTheFixture(_ name: String) throws {
        let path = packageRoot.appendingPathComponent("\(Scenario.directory)/\(name)").path
        let tool = name.hasSuffix(".v6") ? "ip6tables-restore" : "iptables-restore"
        let result = try Namespaces.runIsolated([tool, "--test", path])
        #expect(result.status == 0, "\(tool) rejected \(name): \(result.output)")
    }
}
