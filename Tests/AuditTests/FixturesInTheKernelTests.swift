import FixtureSupport
import Foundation
import Testing

/// The fixture rulesets are what the real iptables accepts: loaded with iptables-restore in a
/// private network namespace (never the host's).
@Suite(.enabled(if: Namespaces.available || Namespaces.required, "network namespaces are unavailable here"))
struct FixturesInTheKernel {
    static let files: [String] = {
        let directory = packageRoot.appendingPathComponent(Scenario.directory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".v4") || $0.hasSuffix(".v6") }.sorted()
    }()

    @Test(arguments: files)
    func iptablesRestoreAcceptsTheFixture(_ name: String) throws {
        guard Namespaces.available else {
            Issue.record("FWAUDIT_REQUIRE_NETNS=1 but unshare -n does not work here")
            return
        }
        let path = packageRoot.appendingPathComponent("\(Scenario.directory)/\(name)").path
        let tool = name.hasSuffix(".v6") ? "ip6tables-restore" : "iptables-restore"
        let result = try Namespaces.runIsolated([tool, "--test", path])
        #expect(result.status == 0, "\(tool) rejected \(name): \(result.output)")
    }
}
