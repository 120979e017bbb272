import Foundation
import FixtureSupport
import Testing

/// Output is deterministic (DESIGN §6): two runs on the same input print the same report, even
/// though every process hashes with its own seed. Real-world rulesets with many overlapping
/// rules are where hash order used to leak into the example packets.
@Suite("determinism", .enabled(if: DeterminismInputs.isAvailable, "../shared/corpus/iptables is absent"))
struct DeterminismTests {
    @Test(arguments: ["diekmann__net-network__home-user.v4", "aosp-mirror__platform_external_iptables__ipt-save-filter-2003.v4"])
    func twoRunsPrintTheSameReport(_ file: String) throws {
        let arguments = ["audit", "--matrix", "Fixtures/lync-edge/matrix.yaml", "--iptables-save",
                         DeterminismInputs.directory.appendingPathComponent(file).path,
                         "--allow-unaudited-family", "--color", "never", "--format", "json"]
        let first = try Binary.run(arguments)
        #expect(first.status == 1, "\(first.stderr)")
        for _ in 0..<2 {
            #expect(try Binary.run(arguments).stdout == first.stdout)
        }
    }
}

enum DeterminismInputs {
    static let directory = packageRoot.appendingPathComponent("../shared/corpus/iptables").standardizedFileURL
    static var isAvailable: Bool { FileManager.default.fileExists(atPath: directory.path) }
}
