import ArgumentParser
import Audit
import FirewallModel
import Foundation
import IptablesLoading
import NftablesBytecode
import NftablesJSON
import NftablesLoading
import NftablesNetlink
import PortMatrix

/// The rulesets to read, shared by `audit`, `explain` and `dump`.
struct RulesetOptions: ParsableArguments {
    @Option(name: .customLong("iptables-save"), help: ArgumentHelp("An iptables-save file (IPv4); repeatable.", valueName: "file"))
    var iptablesSave: [String] = []

    @Option(name: .customLong("ip6tables-save"), help: ArgumentHelp("An ip6tables-save file (IPv6); repeatable.", valueName: "file"))
    var ip6tablesSave: [String] = []

    @Flag(name: .customLong("live"), help: "Read the nftables ruleset of this network namespace from the kernel (needs CAP_NET_ADMIN).")
    var live = false

    @Option(name: .customLong("netns"), help: ArgumentHelp("Read the nftables ruleset of another network namespace: a name from 'ip netns list' or a path such as /proc/PID/ns/net; repeatable.", valueName: "name|path"))
    var namespaces: [String] = []

    @Option(name: .customLong("nft-file"), help: ArgumentHelp("An nft script: loaded into a private, throw-away namespace and read back, so the kernel itself parses it; repeatable.", valueName: "file"))
    var nftFiles: [String] = []

    @Option(name: .customLong("nft-json"), help: ArgumentHelp("An 'nft -j list ruleset' export, read offline; repeatable.", valueName: "file"))
    var nftJSON: [String] = []

    @Option(name: .customLong("netlink-recording"), help: ArgumentHelp("A netlink recording made by 'fwaudit dump --stage recording', replayed offline; repeatable.", valueName: "file"))
    var recordings: [String] = []

    @Flag(name: .customLong("allow-undeclared-chains"),
          help: "Read restore fragments that jump to chains declared elsewhere; those jumps get an unknown verdict.")
    var allowUndeclaredChains = false

    var isEmpty: Bool {
        iptablesSave.isEmpty && ip6tablesSave.isEmpty && !live && namespaces.isEmpty && nftFiles.isEmpty && nftJSON.isEmpty && recordings.isEmpty
    }

    /// Reads and parses every input; the first bad one stops the run with its location.
    /// `hosts`: for each live input (`--live`, `--netns`), its interface addresses and sysctls.
    func load() throws(CommandFailure) -> (rulesets: [AddressFamily: Ruleset], inputs: [AuditInput], emptyInputs: [String],
                                           hosts: [LiveHost]) {
        if isEmpty { throw .error("nothing to audit: give --iptables-save, --ip6tables-save, --live, --netns, --nft-file, --nft-json or --netlink-recording") }
        var rulesets: [AddressFamily: Ruleset] = [:]
        var inputs: [AuditInput] = []
        var emptyInputs: [String] = []
        var hosts: [LiveHost] = []
        let files = iptablesSave.map { ($0, AddressFamily.ipv4, "iptables-save") } + ip6tablesSave.map { ($0, AddressFamily.ipv6, "ip6tables-save") }
        for (path, family, kind) in files {
            let text = try readText(path)
            do {
                let ruleset = try IptablesLoader.load(text, source: path, family: family,
                                                      options: .init(allowUndeclaredChains: allowUndeclaredChains))
                rulesets[family, default: Ruleset()].merge(ruleset)
                if ruleset.tables.isEmpty { emptyInputs.append(path) }
            } catch {
                throw .error(error.description)
            }
            inputs.append(AuditInput(kind: kind, path: path, family: family))
        }
        for input in try nftablesInputs() {
            // An nftables ruleset can hold both families: it is audited for each one it filters
            // (for both when it has no IP table at all: then nothing filters), its diagnostics once.
            let (ruleset, host) = try input.ruleset()
            if let host { hosts.append(host) }
            if ruleset.tables.isEmpty { emptyInputs.append(input.name) }
            let covered = AddressFamily.allCases.filter { ruleset.covers($0) }
            for (index, family) in (covered.isEmpty ? AddressFamily.allCases : covered).enumerated() {
                // Each family gets the tables that filter it; tables off the IP paths (bridge,
                // arp, netdev) and the diagnostics are kept once, with the first.
                let tables = ruleset.tables.filter { $0.family.covers(family) || (index == 0 && !$0.family.covers(.ipv4) && !$0.family.covers(.ipv6)) }
                rulesets[family, default: Ruleset()].merge(Ruleset(tables: tables, diagnostics: index == 0 ? ruleset.diagnostics : []))
                inputs.append(AuditInput(kind: input.kind, path: input.name, family: family))
            }
        }
        return (rulesets, inputs, emptyInputs, hosts)
    }

    /// The nftables inputs in the order given: live namespaces, scripts, exports, recordings.
    func nftablesInputs() throws(CommandFailure) -> [NftablesInput] {
        var result: [NftablesInput] = []
        if live { result.append(NftablesInput(kind: "nft-live", name: "live", source: .kernel(.current))) }
        result += namespaces.map { NftablesInput(kind: "nft-netns", name: "netns:\($0)", source: .kernel(.namespace($0))) }
        result += nftFiles.map { NftablesInput(kind: "nft-file", name: $0, source: .script($0)) }
        result += nftJSON.map { NftablesInput(kind: "nft-json", name: $0, source: .json($0)) }
        result += recordings.map { NftablesInput(kind: "netlink-recording", name: $0, source: .recording($0)) }
        return result
    }
}

/// One nftables input and how to read it.
struct NftablesInput {
    enum Source {
        case kernel(NftablesReader.Target)
        case script(String)
        case json(String)
        case recording(String)
    }

    /// `nft-live`, `nft-netns`, `nft-file`, `nft-json` or `netlink-recording`, as reports name inputs.
    var kind: String
    var name: String
    var source: Source

    /// The kernel's state as read over netlink, before any interpretation (not for JSON exports);
    /// `recording`, when given, receives every netlink reply.
    /// `host`: the interface addresses and sysctls of a real namespace (nil for scripts and recordings).
    /// `notes`: what had to be adapted for the installed nft to load a script.
    func snapshot(recording: Recording? = nil) throws(CommandFailure) -> (snapshot: Snapshot, interfaceNames: [UInt32: String], host: LiveHost?, notes: [String])? {
        do {
            switch source {
            case .kernel(let target):
                let state = try NftablesReader.read(target, recording: recording)
                return (state.snapshot, state.interfaceNames, LiveHost(input: name, addresses: state.interfaceAddresses, settings: state.settings), [])
            case .script(let path):
                guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure.error("\(path): no such file") }
                let state = try NftablesReader.read(script: path, recording: recording)
                return (state.snapshot, state.interfaceNames, nil, state.notes)
            case .recording(let path):
                let text = try readText(path)
                return (try NftablesReader.replay(try Recording(text: text, source: path)), [:], nil, [])
            case .json:
                return nil
            }
        } catch let error as NetlinkError {
            throw .error(error.description)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw .error("\(error)")
        }
    }

    /// The input as the semantic model, with what a real namespace says about its host.
    func ruleset() throws(CommandFailure) -> (ruleset: Ruleset, host: LiveHost?) {
        if case .json(let path) = source {
            let text = try readText(path)
            do { return (try NftablesJSONLoader.load(text, source: path), nil) } catch { throw .error(error.description) }
        }
        guard let (snapshot, names, host, notes) = try snapshot() else { return (Ruleset(), nil) }
        var layout: ScriptLayout?
        if case .script(let path) = source {
            // The script the kernel just parsed: its lines locate the kernel's rules.
            layout = ScriptLayout(try readText(path), file: path, include: nftIncludes)
        }
        do {
            var ruleset = try NftablesLoader.load(snapshot, source: name, interfaceNames: names, script: layout)
            ruleset.diagnostics += notes.map { Diagnostic(.note, $0) }
            return (ruleset, host)
        } catch { throw .error(error.description) }
    }
}

/// What a live input's namespace says about the audited host.
struct LiveHost {
    var input: String
    /// Interface addresses as the kernel prints them (`192.0.2.1`, `2001:db8::1`).
    var addresses: [String]
    var settings: NftablesReader.KernelSettings

    /// The same, as the audit takes it.
    var facts: HostFacts {
        var byFamily: [AddressFamily: AddressSet] = [:]
        for prefix in addresses.compactMap({ AddressPrefix($0) }) {
            byFamily[prefix.family, default: AddressSet()] = byFamily[prefix.family, default: AddressSet()].union(prefix.addresses)
        }
        var forwarding: [AddressFamily: Bool] = [:]
        forwarding[.ipv4] = settings.ipv4Forwarding
        forwarding[.ipv6] = settings.ipv6Forwarding
        return HostFacts(source: input, addresses: byFamily, forwarding: forwarding,
                         clientPorts: settings.localPortRange.map { PortSet($0) })
    }
}


/// The files an nft `include` names, looked up as nft looks them up: absolute paths and paths
/// starting with `./` or `../` as given, other names in nft's include directory (`/etc`) and then
/// beside the including file; wildcards expand in sorted order. Nil when a file cannot be read.
func nftIncludes(_ name: String, from including: String) -> [ScriptLayout.IncludedFile]? {
    var candidates: [String]
    if name.hasPrefix("/") || name.hasPrefix("./") || name.hasPrefix("../") {
        candidates = [name]
    } else {
        let directory = (including as NSString).deletingLastPathComponent
        candidates = ["/etc/" + name, directory.isEmpty ? name : directory + "/" + name]
    }
    let hasWildcard = name.contains { "*?[".contains($0) }
    for candidate in candidates {
        var matches = glob_t()
        defer { globfree(&matches) }
        guard glob(candidate, 0, nil, &matches) == 0 else { continue }
        var paths: [String] = []
        for index in 0..<Int(matches.gl_pathc) {
            if let path = matches.gl_pathv[index] { paths.append(String(cString: path)) }
        }
        var files: [ScriptLayout.IncludedFile] = []
        for path in paths.sorted() {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else { return nil }
            files.append(ScriptLayout.IncludedFile(path: path, text: text))
        }
        return files
    }
    // nft accepts a wildcard that matches nothing.
    return hasWildcard ? [] : nil
}

/// Reads a whole text file, or fails with a message naming it.
func readText(_ path: String) throws(CommandFailure) -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            throw .error(isDirectory.boolValue ? "\(path): is a directory" : "\(path): permission denied")
        }
        throw .error("\(path): no such file")
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw .error("\(path): not UTF-8 text")
    }
    return text
}

/// Reads and validates the port matrix.
func loadMatrix(_ path: String) throws(CommandFailure) -> PortMatrix {
    let text = try readText(path)
    do {
        return try PortMatrixLoader.load(text, source: path)
    } catch {
        throw .error(error.description)
    }
}
