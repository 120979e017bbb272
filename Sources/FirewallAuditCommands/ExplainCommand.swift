import ArgumentParser
import Audit
import FirewallModel
import FlowAnalysis
import Reporting

/// `fwaudit explain`: why a flow or a packet is accepted or dropped, rule by rule.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Trace a documented flow or one packet through the rulesets.")

    @OptionGroup var inputs: AuditOptions

    @Option(help: ArgumentHelp("A flow id from the matrix.", valueName: "id"))
    var flow: String?

    @Option(help: ArgumentHelp("A packet: \"tcp 192.0.2.7:40000 -> 198.51.100.10:5061\".", valueName: "packet"))
    var packet: String?

    @Option(name: .customLong("in"), help: ArgumentHelp("Input interface of --packet.", valueName: "name"))
    var inInterface: String?

    @Option(name: .customLong("out"), help: ArgumentHelp("Output interface of --packet.", valueName: "name"))
    var outInterface: String?

    @Option(help: "Connection state of --packet: new or established.")
    var state: PacketState = .new

    @Option(help: "Output format: text or json.")
    var format: ReportFormat = .text

    @Option(help: "Colour: auto, always or never.")
    var color: ColorChoice = .auto

    func validate() throws {
        if (flow == nil) == (packet == nil) { throw ValidationError("give exactly one of --flow and --packet") }
    }

    func run() throws {
        let auditor = try inputs.auditor()
        var explanations: [Explanation] = []
        do {
            if let flow {
                explanations = try auditor.explain(flow: flow).map { Explanation(title: $0.title, trace: $0.trace, origin: "") }
            } else if let text = packet {
                guard var packet = Packet(text: text) else {
                    throw CommandFailure.error("--packet: cannot read '\(text)' (expected \"tcp 192.0.2.7:40000 -> 198.51.100.10:5061\")")
                }
                packet.inInterface = inInterface ?? ""
                packet.outInterface = outInterface ?? ""
                if state == .established {
                    packet.state = .established
                    if packet.layer4Protocol == 6 { packet.tcpFlags = 0x10 }
                }
                explanations = [Explanation(title: "packet", trace: try auditor.explain(packet: packet), origin: "")]
            }
        } catch let error as Auditor.ExplainError {
            throw CommandFailure.error(error.description)
        }
        switch format {
        case .text: try Output.write(ExplainReport.text(explanations, style: TextStyle(colors: color.enabled(toFile: false))), to: nil)
        case .json: try Output.write(ExplainReport.json(explanations), to: nil)
        }
    }
}

enum PacketState: String, ExpressibleByArgument, CaseIterable {
    case new, established
}
