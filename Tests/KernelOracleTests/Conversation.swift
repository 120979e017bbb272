import FirewallModel
import Foundation

/// A real exchange through the testbed: a server socket in one namespace, a client socket bound
/// to a chosen address and source port in another, one message sent and echoed back. The
/// exchange completes only if the kernel delivered the opening packet, the later packets and
/// the replies, so it proves a documented flow end to end.
enum Conversation {
    static let script = #"""
import errno, json, socket, sys

mode, family, proto, address, port, timeout = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6])
kind = socket.SOCK_STREAM if proto == 'tcp' else socket.SOCK_DGRAM
s = socket.socket(socket.AF_INET if family == 4 else socket.AF_INET6, kind)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.settimeout(timeout)
message = b'fwaudit-host-fixture'

def report(ok, detail):
    print(json.dumps({'ok': ok, 'detail': detail}), flush=True)

try:
    if mode == 'server':
        s.bind((address, port))
        if kind == socket.SOCK_STREAM:
            s.listen(1)
        print('ready', flush=True)
        if kind == socket.SOCK_STREAM:
            connection, peer = s.accept()
            connection.settimeout(timeout)
            data = connection.recv(64)
            connection.sendall(data)
            connection.close()
        else:
            data, peer = s.recvfrom(64)
            s.sendto(data, peer)
        report(True, 'served %s' % (peer[0],))
    else:
        source, sport = sys.argv[7], int(sys.argv[8])
        s.bind((source, sport))
        if kind == socket.SOCK_STREAM:
            s.connect((address, port))
            s.sendall(message)
            data = s.recv(64)
        else:
            s.sendto(message, (address, port))
            data, _ = s.recvfrom(64)
        report(data == message, 'echoed' if data == message else 'wrong echo')
except socket.timeout:
    report(False, 'timed out')
except OSError as error:
    report(False, errno.errorcode.get(error.errno, str(error)))
"""#

    static let path: String = {
        let url = Commands.scratchDirectory.appendingPathComponent("conversation.py")
        try! Data(script.utf8).write(to: url)
        return url.path
    }()

    /// How one exchange ended.
    struct Outcome: Sendable {
        var completed: Bool
        var detail: String
    }

    /// Runs one exchange: `protocolName` (tcp or udp) from `client` (address, source port) in
    /// `clientNamespace` to `server` (address, port) in `serverNamespace`.
    /// `listening` is where the server binds when a translation sends the connection elsewhere
    /// than `server` (a container's address and port behind a DNAT); `0.0.0.0` binds every address.
    static func run(_ protocolName: String, from client: (IPAddress, UInt16), in clientNamespace: String,
                    to server: (IPAddress, UInt16), in serverNamespace: String, listening: (String, UInt16)? = nil,
                    timeout: Double = 3) throws -> Outcome {
        let family = server.0.family == .ipv4 ? "4" : "6"
        let serverProcess = Process()
        serverProcess.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        serverProcess.arguments = ["ip", "netns", "exec", serverNamespace, Commands.python, path, "server", family, protocolName,
                                   listening?.0 ?? server.0.description, String(listening?.1 ?? server.1), String(timeout + 1)]
        let pipe = Pipe()
        serverProcess.standardOutput = pipe
        serverProcess.standardError = pipe
        serverProcess.standardInput = FileHandle.nullDevice
        try serverProcess.run()
        // Wait for the server to listen before the client sends anything.
        var received = Data()
        while !String(decoding: received, as: UTF8.self).contains("\n") {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received.append(chunk)
        }
        let firstLine = String(decoding: received, as: UTF8.self)
        guard firstLine.hasPrefix("ready") else {
            serverProcess.waitUntilExit()
            return Outcome(completed: false, detail: "server did not start: \(firstLine.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        let client = try Commands.run(["ip", "netns", "exec", clientNamespace, Commands.python, path, "client", family, protocolName,
                                       server.0.description, String(server.1), String(timeout), client.0.description, String(client.1)])
        if serverProcess.isRunning && !client.output.contains("\"ok\": true") { serverProcess.terminate() }
        received.append(pipe.fileHandleForReading.readDataToEndOfFile())
        serverProcess.waitUntilExit()
        let line = client.output.split(separator: "\n").last.map(String.init) ?? ""
        let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        return Outcome(completed: object?["ok"] as? Bool ?? false, detail: object?["detail"] as? String ?? line)
    }
}
