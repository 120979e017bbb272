import ArgumentParser
import Audit
import FirewallModel
import Foundation
import IptablesLoading
import PortMatrix

/// The rulesets to read, shared by `audit`, `explain` and `dump`.
struct RulesetOptions: ParsableArguments {
    @Option(name: .customLong("iptables-save"), help: ArgumentHelp("An iptables-save file (IPv4); repeatable.", valueName: "file"))
    var iptablesSave: [String] = []

    @Option(name: .customLong("ip6tables-save"), help: ArgumentHelp("An ip6tables-save file (IPv6); repeatable.", valueName: "file"))
    var ip6tablesSave: [String] = []

    @Flag(name: .customLong("allow-undeclared-chains"),
          help: "Read restore fragments that jump to chains declared elsewhere; those jumps get an unknown verdict.")
    var allowUndeclaredChains = false

    var isEmpty: Bool { iptablesSave.isEmpty && ip6tablesSave.isEmpty }

    /// Reads and parses every file; the first bad one stops the run with its location.
    func load() throws(CommandFailure) -> (rulesets: [AddressFamily: Ruleset], inputs: [AuditInput], emptyInputs: [String]) {
        if isEmpty { throw .error("nothing to audit: give --iptables-save or --ip6tables-save") }
        var rulesets: [AddressFamily: Ruleset] = [:]
        var inputs: [AuditInput] = []
        var emptyInputs: [String] = []
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
        return (rulesets, inputs, emptyInputs)
    }
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
