import Foundation
import FixtureSupport
import Gating
import Reporting
import Testing

/// The HTML report: one self-contained page, escaped by construction, that a browser renders.
@Suite struct HTMLReportGoldens {
    @Test(arguments: Scenario.all)
    func htmlReportMatchesItsGolden(_ scenario: Scenario) throws {
        let html = HTMLReport.render(try scenario.judged(), toolVersion: "test")
        if let problem = Golden.check(html, against: "Reports/lync-edge/\(scenario.name).html") { Issue.record(Comment(rawValue: problem)) }
    }

    @Test func thePageFetchesNothingAndRunsNothing() throws {
        let html = HTMLReport.render(try Scenario.named("shadowed-accept").judged(), toolVersion: "test")
        #expect(!html.contains("<script"))
        #expect(!html.contains("src="))
        #expect(!html.contains("href="))
        #expect(!html.contains("@import"))
    }

    @Test func userTextCannotBecomeMarkup() throws {
        let html = HTMLReport.render(try Variants.hostileText(), toolVersion: "test")
        #expect(!html.contains("<b>"))
        #expect(html.contains("a &lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;"))
        #expect(!html.contains("\u{1}"))
    }
}

/// A real browser renders the page: headless Chromium (Debian's `chromium`) takes a screenshot and
/// its DOM holds the verdict, the flows and the finding. Skipped where Chromium is not installed.
@Suite(.enabled(if: Chromium.path != nil, "chromium is not installed (apt-get install chromium)"))
struct HTMLReportInABrowser {
    @Test func chromiumRendersTheVerdictTheGridAndTheFinding() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("report.html"), shot = directory.appendingPathComponent("report.png")
        try HTMLReport.render(try Scenario.named("shadowed-accept").judged(), toolVersion: "test").write(to: page, atomically: true, encoding: .utf8)

        let dom = try Chromium.run(["--dump-dom", page.absoluteString])
        #expect(dom.contains("NOT COMPLIANT"))
        #expect(dom.contains("sip-mtls-from-partners: tcp 5061 — partial"))
        #expect(dom.contains("Fixtures/lync-edge/shadowed-accept.v4:13"))
        #expect(dom.contains("327c12102286e453"))

        _ = try Chromium.run(["--screenshot=\(shot.path)", "--window-size=1200,1400", page.absoluteString])
        let png = try Data(contentsOf: shot)
        #expect(png.starts(with: [0x89, 0x50, 0x4e, 0x47]), "a PNG")
        #expect(png.count > 20_000, "a page with content, not a blank one (\(png.count) bytes)")
    }
}

enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs headless Chromium with `arguments` and returns what it printed on stdout.
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path ?? "/usr/bin/chromium")
        process.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
