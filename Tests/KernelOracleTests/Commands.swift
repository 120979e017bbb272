import Foundation

/// Runs external commands (`ip`, `nft`, `iptables-restore`, `python3`) for the kernel oracle.
enum Commands {
    struct Failure: Error, CustomStringConvertible {
        var command: [String]
        var status: Int32
        var output: String
        var description: String { "\(command.joined(separator: " ")) exited \(status): \(output.trimmingCharacters(in: .whitespacesAndNewlines))" }
    }

    /// Runs `arguments` (looked up on PATH), feeding `input` on standard input; returns status and combined output.
    @discardableResult
    static func run(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        var inputFile: URL?
        if let input {
            // A file rather than a pipe: no deadlock whatever the sizes.
            let url = scratchDirectory.appendingPathComponent("input-\(UUID().uuidString)")
            try Data(input.utf8).write(to: url)
            inputFile = url
            process.standardInput = try FileHandle(forReadingFrom: url)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        defer { if let inputFile { try? FileManager.default.removeItem(at: inputFile) } }
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Like `run`, but a non-zero status is an error.
    @discardableResult
    static func check(_ arguments: [String], input: String? = nil) throws -> String {
        let result = try run(arguments, input: input)
        guard result.status == 0 else { throw Failure(command: arguments, status: result.status, output: result.output) }
        return result.output
    }

    /// A private directory for this test process (the sender script, stdin files).
    static let scratchDirectory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-oracle-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// The system Python (a pyenv shim on PATH would add a shell script to every probe batch).
    static let python: String = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
}
