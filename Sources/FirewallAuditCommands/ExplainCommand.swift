import ArgumentParser
import Audit
import FirewallModel
import FlowAnalysis
import PortMatrix
import Reporting

/// `fwaudit explain`: why a flow or a packet is accepted or dropped, rule by rule.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Trace a documented flow or one packet through the rulesets.",
        discussion: """
            --packet takes a packet as reports print it: PROTOCOL SOURCE -> DESTINATION, then optionally \
            'type N code M' (ICMP), 'in IF', 'out IF', 'state S', 'flags F,F' (TCP) and 'mark N', e.g. \
            "tcp 192.0.2.1:40000 -> 198.51.100.10:5061 in eth0 state new flags syn" or \
            "icmpv6 2001:db8::7 -> 2001:db8:1::10 type 139 code 0 state new". The protocol is a name \
            from /etc/protocols or a number.

            Examples:
              fwaudit explain --matrix matrix.yaml --live --flow sip-mtls-from-partners
              fwaudit explain --iptables-save rules.v4 --packet "tcp 192.0.2.1:40000 -> 198.51.100.10:5061 in eth0 state new flags syn"
            """)

    @Option(help: ArgumentHelp("The port matrix (YAML or JSON). Needed for --flow; for --packet only to know the host's own addresses: without it a packet comes from the network unless --from-host is given or its source is an address of a live host.", valueName: "file"))
    var matrix: String?

    @OptionGroup var rulesets: RulesetOptions

    @Option(help: ArgumentHelp("How rate limits, connection limits, recent lists, quotas and meters are decided: within-limits (ordinary traffic passes them) or unknown (both answers, findings possible).", valueName: "mode"))
    var throttles: AuditOptions.ThrottleChoice = .withinLimits

    @Option(help: ArgumentHelp("A flow id from the matrix.", valueName: "id"))
    var flow: String?

    @Option(help: ArgumentHelp("A packet as reports print it: \"tcp 192.0.2.7:40000 -> 198.51.100.10:5061 in eth0 state new flags syn\".", valueName: "packet"))
    var packet: String?

    @Option(name: .customLong("in"), help: ArgumentHelp("Input interface of --packet (the same as 'in NAME' in its text).", valueName: "name"))
    var inInterface: String?

    @Option(name: .customLong("out"), help: ArgumentHelp("Output interface of --packet (the same as 'out NAME' in its text).", valueName: "name"))
    var outInterface: String?

    @Option(help: "Connection state of --packet: new or established (the same as 'state S' in its text).")
    var state: PacketState?

    @Flag(name: .customLong("from-host"), help: "The packet of --packet is sent by the host itself (output path), whatever its source address.")
    var fromHost = false

    @Option(help: "Output format: text or json.")
    var format: ReportFormat = .text

    @Option(help: "Colour: auto, always or never.")
    var color: ColorChoice = .auto

    func validate() throws {
        if (flow == nil) == (packet == nil) { throw ValidationError("give exactly one of --flow and --packet") }
        if flow != nil && matrix == nil { throw ValidationError("--flow needs --matrix") }
        if packet == nil && (inInterface != nil || outInterface != nil || state != nil || fromHost) {
            throw ValidationError("--in, --out, --state and --from-host describe --packet")
        }
    }

    func run() throws {
        let auditor = try makeAuditor()
        var explanations: [Explanation] = []
        do {
            if let flow {
                explanations = try auditor.explain(flow: flow).map { Explanation(title: $0.title, trace: $0.trace, origin: "") }
            } else if let text = packet {
                let packet = try Self.packet(text, inInterface: inInterface, outInterface: outInterface, state: state)
                explanations = [Explanation(title: "packet", trace: try auditor.explain(packet: packet, fromHost: fromHost), origin: "")]
            }
        } catch let error as Auditor.ExplainError {
            throw CommandFailure.error(error.description)
        }
        switch format {
        case .text: try Output.write(ExplainReport.text(explanations, style: TextStyle(colors: color.enabled(toFile: false))), to: nil)
        case .json: try Output.write(ExplainReport.json(explanations), to: nil)
        }
    }

    /// The packet of `--packet`: its text, with `--in`, `--out` and `--state` as the clauses they
    /// stand for, so that one parser reads both and a clause given both ways is refused.
    static func packet(_ text: String, inInterface: String?, outInterface: String?, state: PacketState?) throws(CommandFailure) -> Packet {
        var full = text
        if let inInterface { full += " in \(inInterface)" }
        if let outInterface { full += " out \(outInterface)" }
        if let state { full += " state \(state.rawValue)" }
        do {
            return try Packet(parsing: full)
        } catch {
            let options = full == text ? "" : " (with --in, --out or --state)"
            throw .error("--packet '\(text)'\(options): \(error.description)")
        }
    }

    /// The auditor of the rulesets, with the matrix when one is given and an empty one otherwise:
    /// a packet needs no documented flow, only the host's addresses if the matrix has them.
    private func makeAuditor() throws(CommandFailure) -> Auditor {
        let loadedMatrix = try matrix.map(loadMatrix)
            ?? PortMatrix(name: "no matrix", source: "", zones: [], flows: [])
        var loaded = try rulesets.load()
        for host in loaded.hosts {
            for warning in AuditOptions.absentLocalAddresses(loadedMatrix, hostAddresses: host.addresses, input: host.input) {
                let family = loaded.rulesets[.ipv4] != nil ? AddressFamily.ipv4 : .ipv6
                loaded.rulesets[family]?.diagnostics.append(warning)
            }
        }
        return Auditor(matrix: loadedMatrix, matrixPath: matrix ?? "", rulesets: loaded.rulesets, inputs: loaded.inputs,
                       hostFacts: loaded.hosts.map(\.facts), throttles: throttles.mode)
    }
}

enum PacketState: String, ExpressibleByArgument, CaseIterable {
    case new, established
}
