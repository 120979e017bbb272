import FixtureSupport
import Foundation
import Testing

/// The nftables inputs of `audit`, `explain` and `dump`: live namespaces, scripts loaded into
/// throw-away namespaces, `nft -j` exports and netlink recordings.
@Suite("nftables inputs")
struct NftablesInputTests {
    static let sampler = "Fixtures/netlink/sampler.nft"

    @Test("dump --stage bytecode shows the kernel's programs for a script", .needsNetworkNamespace)
    func bytecodeStage() throws {
        let result = try Binary.run(["dump", "--stage", "bytecode", "--nft-file", Self.sampler])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("chain input type filter hook 1 priority 0 policy drop"))
        #expect(result.stdout.contains("[ lookup reg 1 set partners 0x0 ]"))
        #expect(result.stdout.contains("comment \"SIP and web\""))
    }

    @Test("a recording replays to the same bytecode as the recorded script", .needsNetworkNamespace)
    func recordingStage() throws {
        let recorded = try Binary.run(["dump", "--stage", "recording", "--nft-file", Self.sampler])
        #expect(recorded.status == 0)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-\(UUID().uuidString).rec").path
        try recorded.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let replayed = try Binary.run(["dump", "--stage", "bytecode", "--netlink-recording", path])
        #expect(replayed.status == 0)
        #expect(replayed.stdout.contains("[ lookup reg 1 set __map0 dreg 0 0x0 ]"))
    }

    @Test("a script nft rejects exits 2 with nft's own message and line", .needsNetworkNamespace)
    func rejectedScript() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-\(UUID().uuidString).nft").path
        try "table inet t {\n  chain c {\n    tcp dport 70000 accept\n  }\n}\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Binary.run(["dump", "--nft-file", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("nft rejected \(path)"))
        #expect(result.stderr.contains("\(path):3:"))
    }

    @Test("a priority name the installed nft refuses on a hook is read as its number, with a note", .needsNetworkNamespace)
    func priorityNamesOfNewerNft() throws {
        // Docker's nftables backend writes `type nat hook output priority dstnat`, which nft 1.0.6 refuses.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-\(UUID().uuidString).nft").path
        try """
        table ip nat {
          chain output {
            type nat hook output priority dstnat; policy accept;
            tcp dport 8080 dnat to 172.17.0.2:80
          }
        }

        """.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Binary.run(["audit", "--matrix", "Fixtures/lync-edge/matrix.yaml", "--nft-file", path, "--allow-unaudited-family"])
        #expect(result.status != 2, "\(result.stderr)")
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["unshare", "-n", "nft", "-c", "-f", path]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        try check.run()
        check.waitUntilExit()
        if check.terminationStatus != 0 {
            #expect(result.stdout.contains("\(path):3: priority dstnat read as -100"))
        }
    }

    @Test("a namespace that does not exist exits 2 and says how to name one")
    func missingNamespace() throws {
        let result = try Binary.run(["dump", "--netns", "fwaudit-no-such-namespace"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no such network namespace: fwaudit-no-such-namespace"))
        #expect(result.stderr.contains("ip netns list"))
    }

    @Test("a script file that does not exist exits 2 naming it")
    func missingScript() throws {
        let result = try Binary.run(["dump", "--nft-file", "no/such/file.nft"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no/such/file.nft: no such file"))
    }

    @Test("--stage recording takes one input at a time, and never an iptables-save file")
    func recordingNeedsOneKernelInput() throws {
        let two = try Binary.run(["dump", "--stage", "recording", "--nft-file", Self.sampler, "--nft-file", Self.sampler])
        #expect(two.status == 2)
        #expect(two.stderr.contains("one input at a time"))
        let iptables = try Binary.run(["dump", "--stage", "bytecode", "--iptables-save", "Fixtures/lync-edge/compliant.v4"])
        #expect(iptables.status == 2)
        #expect(iptables.stderr.contains("shows what the kernel holds"))
    }

    // MARK: - The same firewall through every input

    /// What an audit concluded, without where the rules came from: each flow's status per family
    /// and each finding's kind, flow, certainty and families.
    static func conclusions(_ arguments: [String]) throws -> [String] {
        let result = try Binary.run(["audit", "--matrix", "\(Scenario.directory)/matrix.yaml", "--format", "json"] + arguments)
        #expect(result.status == 0 || result.status == 1, "\(arguments): \(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let flows = (report["flows"] as? [[String: Any]] ?? []).map { flow -> String in
            let families = (flow["families"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return "flow \(flow["id"] ?? "?") \(flow["status"] ?? "?") \(families.joined(separator: ","))"
        }
        let findings = (report["findings"] as? [[String: Any]] ?? []).map { finding -> String in
            let subject = (finding["flow"] as? String) ?? "\(finding["protocol"] ?? "?")/\(finding["ports"] ?? "?") \(finding["from"] ?? "?") -> \(finding["to"] ?? "?")"
            return "finding \(finding["kind"] ?? "?") \(subject) \(finding["certainty"] ?? "?") \(finding["family"] ?? "?") \(finding["path"] ?? "?")"
        }
        return flows + findings.sorted()
    }

    /// Turns forwarding on in a namespace, which starts with it off.
    static let routing = "sysctl -qw net.ipv4.ip_forward=1 && sysctl -qw net.ipv6.conf.all.forwarding=1"

    /// A namespace of its own, set up by `commands` (run by sh inside it), that lives while `body` runs.
    static func withLiveNamespace<T>(_ commands: String, _ body: (String) throws -> T) throws -> T {
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["unshare", "--net", "--", "sh", "-c", "\(commands) || exit 3; echo ready; exec cat >/dev/null"]
        holder.currentDirectoryURL = packageRoot
        let input = Pipe(), output = Pipe()
        holder.standardInput = input
        holder.standardOutput = output
        try holder.run()
        defer {
            try? input.fileHandleForWriting.close()
            holder.waitUntilExit()
        }
        let ready = String(decoding: output.fileHandleForReading.readData(ofLength: 6), as: UTF8.self)
        try #require(ready.hasPrefix("ready"), "could not set up the namespace with: \(commands)")
        return try body("/proc/\(holder.processIdentifier)/ns/net")
    }

    @Test("an nft script audits the same read live, loaded with --nft-file, and from its nft -j export", .needsNetworkNamespace,
          arguments: ["compliant", "blocking-table"])
    func nftPathsAgree(_ name: String) throws {
        let directory = "Fixtures/nft/lync-edge"
        // The blocking table is a second table beside the compliant one.
        let scripts = name == "compliant" ? ["compliant"] : ["compliant", "blocking-table"]
        let fromFile = try Self.conclusions(scripts.flatMap { ["--nft-file", "\(directory)/\($0).nft"] })
        let fromJSON = try Self.conclusions(scripts.flatMap { ["--nft-json", "\(directory)/\($0).json"] })
        // Offline the host's forwarding is undeclared and it is audited as a router: so is the live one.
        let live = try Self.withLiveNamespace(scripts.map { "nft -f \(directory)/\($0).nft" }.joined(separator: " && ") + " && \(Self.routing)") { namespace in
            try Self.conclusions(["--netns", namespace])
        }
        #expect(fromFile == fromJSON)
        #expect(fromFile == live)
        #expect(fromFile.contains { $0.hasPrefix("flow sip-mtls-from-partners") })
        if name == "blocking-table" {
            #expect(fromFile.contains("flow sip-mtls-from-partners partial ipv4=blocked,ipv6=allowed"), "\(fromFile)")
        } else {
            #expect(!fromFile.contains { $0.hasPrefix("finding") }, "\(fromFile)")
        }
    }

    @Test("an iptables-save fixture loaded with iptables-nft audits the same read live as from its file", .needsNetworkNamespace,
          arguments: Scenario.all.map(\.name))
    func iptablesNftAgrees(_ name: String) throws {
        let scenario = Scenario.named(name)
        let v4 = "\(Scenario.directory)/\(scenario.v4)", v6 = "\(Scenario.directory)/\(scenario.v6)"
        let fromFiles = try Self.conclusions(["--iptables-save", v4, "--ip6tables-save", v6])
        let live = try Self.withLiveNamespace("iptables-nft-restore < \(v4) && ip6tables-nft-restore < \(v6) && \(Self.routing)") { namespace in
            try Self.conclusions(["--netns", namespace])
        }
        #expect(live == fromFiles)
    }

    @Test("--live reads the namespace fwaudit runs in", .needsNetworkNamespace)
    func liveReadsItsOwnNamespace() throws {
        let dump = try Self.withLiveNamespace("nft -f \(Self.sampler)") { namespace in
            try Namespaces.run(["nsenter", "--net=\(namespace)", Binary.url.path, "dump", "--live"])
        }
        #expect(dump.status == 0, "\(dump.output)")
        #expect(dump.output.contains("table inet filter  # IPv4 live: table inet filter"))
        #expect(dump.output.contains("dnat to 10.0.0.2 port 443"))
    }

    @Test("without CAP_NET_ADMIN the error says what is needed and how to get it")
    func permissionDenied() throws {
        try #require(getuid() == 0, "needs root to drop privileges")
        // A copy any user can execute: the build directory may not be readable by nobody.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("fwaudit").path
        try FileManager.default.copyItem(atPath: Binary.url.path, toPath: copy)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy)
        let result = try Namespaces.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", copy, "dump", "--live"])
        #expect(result.status == 2)
        #expect(result.output.contains("permission denied"))
        #expect(result.output.contains("CAP_NET_ADMIN"))
        #expect(result.output.contains("sudo"))
    }

    @Test("a live host without the matrix's local addresses is warned about; one with them is not", .needsNetworkNamespace)
    func localZonesAreCheckedAgainstTheHost() throws {
        let script = "nft -f Fixtures/nft/lync-edge/compliant.nft"
        let arguments = ["audit", "--matrix", "\(Scenario.directory)/matrix.yaml", "--format", "json"]
        let bare = try Self.withLiveNamespace(script) { try Binary.run(arguments + ["--netns", $0]) }
        let configured = try Self.withLiveNamespace(
            "ip link add eth0 type veth peer name peer0 && ip link set eth0 up && ip addr add 198.51.100.10/24 dev eth0 && "
                + "ip addr add 2001:db8:e::10/64 dev eth0 nodad && \(script)") { try Binary.run(arguments + ["--netns", $0]) }
        #expect(bare.status == 0 && configured.status == 0, "\(bare.stderr)\(configured.stderr)")
        let warning = "local zone 'access-edge' lists"
        #expect(bare.stdout.contains(warning + " 198.51.100.10, but no interface of netns:/proc/"))
        #expect(bare.stdout.contains(warning + " 2001:db8:e::10"))
        #expect(!configured.stdout.contains(warning), "\(configured.stdout)")
    }
}
