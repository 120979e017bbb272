import Foundation

/// How a command ends when it does not succeed plainly: findings (1) or a run that could not be trusted (2).
public struct CommandFailure: Error, Sendable {
    public var status: Int32
    /// Printed to stderr as `fwaudit: error: MESSAGE`; nil when the report already said everything.
    public var message: String?

    public static func findings() -> CommandFailure { CommandFailure(status: 1, message: nil) }
    public static func error(_ message: String) -> CommandFailure { CommandFailure(status: 2, message: message) }
}

/// Writes where the user asked, and only whole: a file is replaced atomically once complete.
enum Output {
    static func write(_ text: String, to path: String?) throws(CommandFailure) {
        guard let path else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        let url = URL(fileURLWithPath: path)
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw .error("cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Whether text to stdout should be coloured under `--color auto`.
    static func terminalWantsColor() -> Bool {
        if let value = ProcessInfo.processInfo.environment["NO_COLOR"], !value.isEmpty { return false }
        if ProcessInfo.processInfo.environment["TERM"] == "dumb" { return false }
        return isatty(STDOUT_FILENO) != 0
    }
}
