import FirewallAuditCommands
import Foundation
import NftablesNetlink
import Testing

/// `fwaudit --version` names the version, the commit it was built from and the C libraries it runs with.
@Suite struct Version {
    @Test func versionPrintsTheCommitAndTheLibraries() throws {
        let result = try Binary.run(["--version"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 4, "\(result.stdout)")
        #expect(lines[0] == "fwaudit \(FirewallAudit.version)")
        #expect(lines[1] == "commit \(FirewallAudit.commit)")
        #expect(lines[2].hasPrefix("libnftnl "))
        #expect(lines[3].hasPrefix("libmnl "))
        // The binary links both libraries, so both are loaded: each line names its file.
        #expect(lines[2].contains("libnftnl.so"), "\(lines[2])")
        #expect(lines[3].contains("libmnl.so"), "\(lines[3])")
    }

    @Test func aLibraryOutsideDpkgShowsOnlyItsFile() {
        let report = FirewallAudit.versionReport(libraries: [
            LinkedLibrary(name: "libnftnl", path: "/usr/local/lib/libnftnl.so.11.6.0"),
            LinkedLibrary(name: "libmnl", path: "/usr/lib/x86_64-linux-gnu/libmnl.so.0.2.0", package: "libmnl0", packageVersion: "1.0.4-3"),
        ])
        #expect(report == """
            fwaudit \(FirewallAudit.version)
            commit \(FirewallAudit.commit)
            libnftnl version unknown (/usr/local/lib/libnftnl.so.11.6.0, not installed by dpkg)
            libmnl 1.0.4-3 (Debian package libmnl0, /usr/lib/x86_64-linux-gnu/libmnl.so.0.2.0)

            """)
    }
}
