import FirewallAuditCommands
import Foundation
import FixtureSupport
import Testing

/// The CI and operations recipes in contrib/ stay usable: their command lines parse, and the
/// pre-commit hook does what it says.
@Suite struct Recipes {
    static func text(_ relative: String) throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent(relative), encoding: .utf8)
    }

    /// The arguments after `fwaudit` in a command line.
    static func arguments(_ line: String) -> [String] {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        guard let binary = words.firstIndex(where: { $0.hasSuffix("fwaudit") }) else { return [] }
        return Array(words[(binary + 1)...])
    }

    static var commandLines: [(String, [String])] {
        get throws {
            let github = try text("contrib/github-actions/fwaudit.yml")
            let block = github.components(separatedBy: "run: >\n")[1].components(separatedBy: "- name:")[0]
            let gitlab = try text("contrib/gitlab-ci/fwaudit.gitlab-ci.yml").split(separator: "\n").first { $0.contains("fwaudit audit") }!
            let systemd = try text("contrib/systemd/fwaudit-audit.service").split(separator: "\n").first { $0.contains("fwaudit audit") }!
            return [("github", arguments(block)), ("gitlab", arguments(String(gitlab))), ("systemd", arguments(String(systemd)))]
        }
    }

    @Test func everyRecipeCommandLineParses() throws {
        for (name, arguments) in try Recipes.commandLines {
            #expect(arguments.first == "audit", "\(name)")
            #expect(throws: Never.self, "\(name): \(arguments)") { _ = try FirewallAudit.parseAsRoot(arguments) }
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/git"), "git is not installed"))
    func thePreCommitHookAuditsWhatIsStaged() throws {
        let repository = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-hook-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: repository) }
        try FileManager.default.createDirectory(at: repository.appendingPathComponent("firewall"), withIntermediateDirectories: true)
        func git(_ arguments: String...) throws {
            _ = try Namespaces.run(["git", "-C", repository.path] + arguments)
        }
        func place(_ fixture: String, as name: String) throws {
            let target = repository.appendingPathComponent("firewall/\(name)")
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("Fixtures/lync-edge/\(fixture)"), to: target)
        }
        func hook() throws -> Int32 {
            let process = Process()
            process.executableURL = packageRoot.appendingPathComponent("contrib/pre-commit/fwaudit-audit")
            process.currentDirectoryURL = repository
            process.environment = ProcessInfo.processInfo.environment.merging(["FWAUDIT": Binary.url.path]) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        try git("init", "-q")
        try place("matrix.yaml", as: "matrix.yaml")
        try place("shadowed-accept.v4", as: "edge.v4")
        try place("compliant.v6", as: "edge.v6")
        try git("add", ".")
        #expect(try hook() == 1)
        try place("compliant.v4", as: "edge.v4")
        try git("add", ".")
        #expect(try hook() == 0)
        // An unstaged change is not what would be committed: the hook ignores it.
        try place("extra-port.v4", as: "edge.v4")
        #expect(try hook() == 0)
    }
}
