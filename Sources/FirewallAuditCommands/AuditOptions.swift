import ArgumentParser
import Audit
import FirewallModel
import FlowAnalysis
import Foundation
import PortMatrix

/// A matrix and the rulesets to compare with it: what `audit`, `explain` and `baseline create` share.
struct AuditOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The port matrix (YAML or JSON).", valueName: "file"))
    var matrix: String

    @OptionGroup var rulesets: RulesetOptions

    @Option(help: ArgumentHelp("How rate limits, connection limits, recent lists, quotas and meters are decided: within-limits (ordinary traffic passes them) or unknown (both answers, findings possible).", valueName: "mode"))
    var throttles: ThrottleChoice = .withinLimits

    /// Loads everything; with `failClosed`, refuses an empty matrix, an input that loaded no
    /// table, or a family the matrix needs that no input covers.
    func auditor(failClosed: FailClosed? = nil) throws(CommandFailure) -> Auditor {
        let matrix = try loadMatrix(self.matrix)
        var loaded = try rulesets.load()
        for host in loaded.hosts {
            for warning in Self.absentLocalAddresses(matrix, hostAddresses: host.addresses, input: host.input) {
                let family = loaded.rulesets[.ipv4] != nil ? AddressFamily.ipv4 : .ipv6
                loaded.rulesets[family]?.diagnostics.append(warning)
            }
        }
        if let failClosed {
            if matrix.flows.isEmpty && !failClosed.allowEmpty {
                throw .error("\(self.matrix): the matrix documents no flow; nothing would be checked (--allow-empty to accept)")
            }
            if let empty = loaded.emptyInputs.first, !failClosed.allowEmpty {
                throw .error("\(empty): no table was loaded from this file (--allow-empty to accept)")
            }
            for family in AddressFamily.allCases where loaded.rulesets[family] == nil && !failClosed.allowUnauditedFamily {
                let needing = matrix.flows.filter { matrix.flow($0, appliesTo: family) }
                if let first = needing.first {
                    let option = family == .ipv4 ? "--iptables-save" : "--ip6tables-save"
                    throw .error("the matrix needs \(family) (flow '\(first.id)' and \(needing.count - 1) more) but no input filters \(family): no \(option) was given and no nftables input has an \(family == .ipv4 ? "ip" : "ip6") or inet table (--allow-unaudited-family to audit the rest)")
                }
            }
        }
        return Auditor(matrix: matrix, matrixPath: self.matrix, rulesets: loaded.rulesets, inputs: loaded.inputs,
                       hostFacts: loaded.hosts.map(\.facts), throttles: throttles.mode)
    }

    /// Warnings for the matrix's local zones whose addresses no interface of a live host has: the
    /// matrix then describes another host, or the flows to that zone cannot reach this one.
    static func absentLocalAddresses(_ matrix: PortMatrix, hostAddresses: [String], input: String) -> [Diagnostic] {
        let present = hostAddresses.compactMap { AddressPrefix($0) }
        var warnings: [Diagnostic] = []
        for zone in matrix.localZones {
            for prefix in zone.addresses where !present.contains(where: { $0.family == prefix.family && !$0.addresses.isDisjoint(with: prefix.addresses) }) {
                warnings.append(Diagnostic(.warning, "local zone '\(zone.id)' lists \(prefix.text), but no interface of \(input) has an address in it (it has \(hostAddresses.isEmpty ? "none" : hostAddresses.joined(separator: ", "))): the matrix may describe another host", at: zone.location))
            }
        }
        return warnings
    }

    /// `--throttles within-limits|unknown`.
    enum ThrottleChoice: String, ExpressibleByArgument, CaseIterable {
        case withinLimits = "within-limits"
        case unknown

        var mode: ThrottleMode { self == .withinLimits ? .withinLimits : .unknown }
    }

    struct FailClosed {
        var allowEmpty: Bool
        var allowUnauditedFamily: Bool
    }
}
