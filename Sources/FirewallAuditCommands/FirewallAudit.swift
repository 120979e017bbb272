import ArgumentParser
import Foundation
import NftablesNetlink

/// The `fwaudit` command: audits Linux firewall rulesets against a documented port matrix.
public struct FirewallAudit: ParsableCommand {
    public static let version = "0.1.0"

    /// The git commit this binary was built from, or "unknown" (see BuildCommit.swift).
    public static let commit = buildCommit

    /// What `--version` prints: the version, the commit, and the libnftnl and libmnl this process
    /// runs with (the mapped shared objects and the Debian packages that installed them).
    public static func versionReport(libraries: [LinkedLibrary] = LinkedLibraries.current()) -> String {
        (["fwaudit \(version)", "commit \(commit)"] + libraries.map(\.description)).joined(separator: "\n") + "\n"
    }

    public static let configuration = CommandConfiguration(
        commandName: "fwaudit",
        abstract: "Audit a Linux firewall against a documented port matrix.",
        discussion: """
            Examples:
              Audit this host's live ruleset, every nftables table (needs CAP_NET_ADMIN):
                fwaudit audit --matrix /etc/fwaudit/matrix.yaml --live
              Audit saved rules in CI, with a JSON report:
                fwaudit audit --matrix matrix.yaml --iptables-save rules.v4 --format json
              Trace one documented flow through the live rules:
                fwaudit explain --matrix matrix.yaml --live --flow FLOW-ID
            """,
        version: "\(version) (commit \(commit))",
        subcommands: [AuditCommand.self, ExplainCommand.self, DumpCommand.self, BaselineCommand.self, SchemaCommand.self, MatrixCommand.self])

    public init() {}

    /// Parses, runs and maps every outcome to an exit status: 0 fine, 1 findings, 2 could not run.
    public static func runMain(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let failure as CommandFailure {
            if let message = failure.message { Output.standardError("fwaudit: error: \(message)\n") }
            return failure.status
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                let text = fullMessage(for: error)
                // The parser answers --version with the configuration's one line; the full report
                // reads the libraries only when asked.
                Output.write(text == configuration.version ? versionReport() : text + "\n")
                return 0
            }
            Output.standardError("fwaudit: error: \(message(for: error))\n")
            let sub = arguments.first { ["audit", "explain", "dump", "baseline", "schema", "matrix"].contains($0) }
            Output.standardError("See 'fwaudit \(sub.map { $0 + " " } ?? "")--help'.\n")
            return 2
        }
    }
}

extension Output {
    static func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
}
