import FirewallModel
import Foundation
@testable import MatrixImport
import PortMatrix

/// The package root, found from this file.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Vendor documentation pages shared beside the project; read from there, never copied.
enum VendorDocs {
    static let directory = packageRoot.appendingPathComponent("../shared/matrices/docs").standardizedFileURL
    static let seed = packageRoot.appendingPathComponent("../shared/seed/000_ae09056ee1f3280b.txt").standardizedFileURL
    static var available: Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent("MANIFEST.tsv").path) }
    static var seedAvailable: Bool { FileManager.default.fileExists(atPath: seed.path) }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    static func pages() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".md") }.sorted()
    }

    static func importPage(_ name: String) throws -> PageImport {
        PageImporter.importPage(try text(name), page: name)
    }
}

/// `tcp 5061`, `udp 3478`, `icmp`.
func protocolAndPorts(_ flow: ImportedFlow) -> String {
    flow.protocol.rawValue + (flow.ports.map { " " + $0.portSyntax } ?? "")
}

func ports(_ text: String) -> PortSet? { PortSyntax.parse(text) }

/// Imports one page given as text.
func importText(_ text: String, page: String = "page.md") -> PageImport {
    PageImporter.importPage(text, page: page)
}
