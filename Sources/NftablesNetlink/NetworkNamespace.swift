import CMnl
import Foundation
import Glibc

/// Runs work inside another network namespace on this thread, then returns to the original one.
///
/// Sockets opened inside stay bound to that namespace, so the dump itself can run after returning.
enum NetworkNamespace {
    /// `/run/netns/NAME` for a bare name (as `ip netns` creates them), the path itself otherwise.
    static func path(for nameOrPath: String) -> String {
        nameOrPath.contains("/") ? nameOrPath : "/run/netns/\(nameOrPath)"
    }

    static func run<T>(in nameOrPath: String, _ body: () throws(NetlinkError) -> T) throws(NetlinkError) -> T {
        let path = path(for: nameOrPath)
        let target = open(path, O_RDONLY | O_CLOEXEC)
        guard target >= 0 else {
            if errno == ENOENT { throw .noSuchNamespace(nameOrPath) }
            throw .system("opening \(path)", errno: errno)
        }
        defer { close(target) }
        let original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard original >= 0 else { throw .system("opening this thread's network namespace", errno: errno) }
        defer { close(original) }
        guard setns(target, FWAUDIT_CLONE_NEWNET) == 0 else {
            let code = errno
            if code == EINVAL { throw .noSuchNamespace("\(nameOrPath) (not a network namespace)") }
            throw .system("entering network namespace \(nameOrPath)", errno: code)
        }
        defer {
            if setns(original, FWAUDIT_CLONE_NEWNET) != 0 {
                fatalError("could not return to the original network namespace: \(String(cString: strerror(errno)))")
            }
        }
        return try body()
    }
}

/// A private network namespace that exists while a holder process waits, used to let the kernel
/// itself parse an nft script (`--nft-file`) without touching any real namespace.
final class ThrowawayNamespace {
    private let holder: Process
    private let input: Pipe
    /// The namespace, as `/proc/PID/ns/net` of the holder.
    let path: String

    /// Creates the namespace and loads `script` into it with `nft -f`; nft's own error is reported as is.
    init(loading script: String) throws(NetlinkError) {
        let holder = Process()
        let input = Pipe(), output = Pipe(), errors = Pipe()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // The shell loads the script, says "ready", then waits for its stdin to close.
        holder.arguments = ["unshare", "--net", "--", "sh", "-c", "nft -f \"$1\" || exit 3; echo ready; exec cat >/dev/null", "fwaudit-netns", script]
        holder.standardInput = input
        holder.standardOutput = output
        holder.standardError = errors
        do { try holder.run() } catch { throw .namespacesUnavailable("cannot run unshare: \(error.localizedDescription)") }
        let ready = output.fileHandleForReading.readData(ofLength: 6)
        guard String(decoding: ready, as: UTF8.self).hasPrefix("ready") else {
            try? input.fileHandleForWriting.close()
            holder.waitUntilExit()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if holder.terminationStatus == 3 { throw .scriptRejected(path: script, message: message) }
            throw .namespacesUnavailable(message.isEmpty ? "unshare exited with status \(holder.terminationStatus)" : message)
        }
        self.holder = holder
        self.input = input
        self.path = "/proc/\(holder.processIdentifier)/ns/net"
    }

    deinit {
        try? input.fileHandleForWriting.close()
        holder.waitUntilExit()
    }
}
