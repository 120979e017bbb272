import ArgumentParser
import Audit
import Foundation
import Gating
import Reporting

/// The report formats `audit` writes.
enum OutputFormat: String, CaseIterable, Sendable {
    case text, json, sarif, junit, markdown, html, prometheus

    func render(_ report: GatedReport, colors: Bool, quiet: Bool) -> String {
        switch self {
        case .text: TextReport.render(report, style: TextStyle(colors: colors), quiet: quiet)
        case .json: JSONReport.render(report, toolVersion: FirewallAudit.version)
        case .sarif: SARIFReport.render(report, toolVersion: FirewallAudit.version)
        case .junit: JUnitReport.render(report, toolVersion: FirewallAudit.version)
        case .markdown: MarkdownReport.render(report, toolVersion: FirewallAudit.version)
        case .html: HTMLReport.render(report, toolVersion: FirewallAudit.version)
        case .prometheus: PrometheusReport.render(report, timestamp: Int(Date().timeIntervalSince1970))
        }
    }
}

/// `--format FMT[=PATH]`: a format, written to stdout or to a file.
struct FormatRequest: ExpressibleByArgument, Sendable {
    var format: OutputFormat
    var path: String?

    init?(argument: String) {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        guard let format = OutputFormat(rawValue: parts[0]) else { return nil }
        self.format = format
        if parts.count == 2 {
            guard !parts[1].isEmpty else { return nil }
            path = parts[1]
        }
    }

    static var allValueStrings: [String] { OutputFormat.allCases.map(\.rawValue) }
}
