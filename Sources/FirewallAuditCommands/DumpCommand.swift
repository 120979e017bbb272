import ArgumentParser
import FirewallModel
import NftablesNetlink
import Reporting

/// `fwaudit dump`: the normalised ruleset, to check what fwaudit understood.
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print the rulesets as fwaudit understood them, one rule per line.",
        discussion: """
        Examples:
          fwaudit dump --live
          fwaudit dump --nft-file /etc/nftables.conf --stage bytecode
          fwaudit dump --live --stage recording > host.rec
        """)

    @OptionGroup var rulesets: RulesetOptions

    @Option(help: "Output format: text or json.")
    var format: ReportFormat = .text

    @Option(help: "What to show: the semantic ruleset; the kernel's bytecode as read over netlink; or the raw netlink recording, to replay with --netlink-recording.")
    var stage: Stage = .ruleset

    enum Stage: String, ExpressibleByArgument, CaseIterable {
        case ruleset, bytecode, recording
    }

    func run() throws {
        if stage != .ruleset {
            let inputs = try rulesets.nftablesInputs()
            guard !inputs.isEmpty, rulesets.iptablesSave.isEmpty, rulesets.ip6tablesSave.isEmpty else {
                throw CommandFailure.error("--stage \(stage.rawValue) shows what the kernel holds: give --live, --netns, --nft-file or --netlink-recording")
            }
            if stage == .recording && inputs.count > 1 {
                throw CommandFailure.error("--stage recording records one input at a time")
            }
            var text = ""
            for input in inputs {
                let recording = Recording()
                guard let (snapshot, _, _, _) = try input.snapshot(recording: stage == .recording ? recording : nil) else {
                    throw CommandFailure.error("\(input.name): an nft -j export has no bytecode; --stage \(stage.rawValue) needs a kernel input")
                }
                if stage == .bytecode {
                    text += "# \(input.name)\n" + snapshot.description
                } else {
                    text += recording.text
                }
            }
            try Output.write(text, to: nil)
            return
        }
        let loaded = try rulesets.load().rulesets
        let ordered = AddressFamily.allCases.compactMap { family in loaded[family].map { (family, $0) } }
        switch format {
        case .text:
            var text = DumpReport.text(ordered)
            let diagnostics = ordered.flatMap(\.1.diagnostics)
            if !diagnostics.isEmpty {
                text += "\n" + diagnostics.map { "# \($0)" }.joined(separator: "\n") + "\n"
            }
            try Output.write(text, to: nil)
        case .json:
            try Output.write(DumpReport.json(ordered), to: nil)
        }
    }
}
