import Foundation

/// Private network namespaces, where tests load rules into the real kernel without touching the host's.
public enum Namespaces {
    /// Whether `unshare -n` works here (root, or user namespaces allowed).
    public static let available: Bool = (try? run(["unshare", "-n", "true"]).status) == 0
        || (try? run(["unshare", "-r", "-n", "true"]).status) == 0

    /// CI sets FWAUDIT_REQUIRE_NETNS=1: a missing namespace is then a failure, not a skip.
    public static var required: Bool { ProcessInfo.processInfo.environment["FWAUDIT_REQUIRE_NETNS"] == "1" }

    /// Runs a command inside a fresh network namespace (user namespace too when not root).
    public static func runIsolated(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let asRoot = getuid() == 0
        return try run(["unshare"] + (asRoot ? ["-n"] : ["-r", "-n"]) + ["--"] + arguments)
    }

    public static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
