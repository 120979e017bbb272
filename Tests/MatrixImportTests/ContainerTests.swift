import Testing
@testable import MatrixImport

/// Container parsing: pages in Markdown, HTML and CSV become tables of plain-text cells with lines.
@Suite struct PipeTableParsing {
    @Test func readsAPipeTableWithOuterPipes() {
        let tables = TableExtraction.tables(in: "# Ports\n\n| Port | Protocol |\n|---|:---:|\n| 22 | TCP |\n| 53 | UDP |\n", page: "p.md", container: .markdown)
        #expect(tables.count == 1)
        #expect(tables[0].header == ["Port", "Protocol"])
        #expect(tables[0].rows.map(\.cells) == [["22", "TCP"], ["53", "UDP"]])
        #expect(tables[0].rows.map(\.line) == [5, 6])
        #expect(tables[0].heading == "Ports")
        #expect(tables[0].syntax == .pipe)
    }

    @Test func readsRowsWithoutOuterPipesAndShortRows() {
        let page = "Port | Protocol | Source\n--- | --- | ---\n6443 | TCP | All nodes\n9345 | TCP\n"
        let table = TableExtraction.tables(in: page, page: "p.md", container: .markdown)[0]
        #expect(table.rows.map(\.cells) == [["6443", "TCP", "All nodes"], ["9345", "TCP"]])
        #expect(table.rows[1].cell(2) == "")
    }

    @Test func keepsEscapedPipesAndDropsEmphasisAndLineBreaks() {
        let page = "|**Purpose**|**Ports**|\n|:-----|:-----|\n|a \\| b <br/>second line|443/TCP|\n"
        let table = TableExtraction.tables(in: page, page: "p.md", container: .markdown)[0]
        #expect(table.header == ["Purpose", "Ports"])
        #expect(table.rows[0].cells == ["a | b\nsecond line", "443/TCP"])
    }

    @Test func ignoresTablesInFencedCode() {
        let page = "```\n| a | b |\n|---|---|\n| 1 | 2 |\n```\n"
        #expect(TableExtraction.tables(in: page, page: "p.md", container: .markdown).isEmpty)
    }
}

@Suite struct HTMLTableParsing {
    static let page = """
    \u{FEFF}# Title\r
    \r
    <table>\r
    <thead><tr class="header"><th><img src="i.gif" alt="important" />Important:</th></tr></thead>\r
    <tbody><tr class="odd"><td>A note, not ports.</td></tr></tbody>\r
    </table>\r
    <!-- <table><tr><th>Port</th></tr></table> -->\r
    ## Firewall summary\r
    <table>\r
    <colgroup><col style="width: 50%" /><col style="width: 50%" /></colgroup>\r
    <thead>\r
    <tr class="header"><th>Role/Protocol/TCP or UDP/Port</th><th>Source &amp; origin</th></tr>\r
    </thead>\r
    <tbody>\r
    <tr class="odd"><td><p>Access/SIP(MTLS)/TCP/5061</p></td><td><p>Partners&nbsp;A<br />and B</p></td></tr>\r
    <tr class="even">\r
    <td><p>A/V/RTP/TCP/50.000-59.999</p></td>\r
    <td><p>Edge</p></td>\r
    </tr>\r
    </tbody>\r
    </table>\r
    """

    @Test func findsEveryTableWithItsHeadingAndLines() {
        let tables = TableExtraction.tables(in: Self.page, page: "p.md", container: .markdown)
        #expect(tables.count == 2, "the commented-out table is not a table")
        #expect(tables.map(\.number) == [1, 2])
        #expect(tables[0].header == ["Important:"])
        #expect(tables[1].heading == "Firewall summary")
        #expect(tables[1].line == 9)
        #expect(tables[1].rows.map(\.line) == [15, 16])
    }

    @Test func cellsArePlainTextWithEntitiesDecodedAndBreaksKept() {
        let table = TableExtraction.tables(in: Self.page, page: "p.md", container: .markdown)[1]
        #expect(table.header == ["Role/Protocol/TCP or UDP/Port", "Source & origin"])
        #expect(table.rows[0].cells == ["Access/SIP(MTLS)/TCP/5061", "Partners\u{00A0}A\nand B"])
        #expect(table.rows[1].cells == ["A/V/RTP/TCP/50.000-59.999", "Edge"])
    }

    @Test func aPlainHTMLPageUsesHTMLHeadings() {
        let page = "<html><body><h2>Edge <em>ports</em></h2><table><tr><td>Port</td><td>Protocol</td></tr><tr><td>22</td><td>TCP</td></tr></table></body></html>"
        let tables = TableExtraction.tables(in: page, page: "p.html", container: Container.guess(fromName: "p.html"))
        #expect(tables.count == 1)
        #expect(tables[0].heading == "Edge ports")
        #expect(tables[0].header == ["Port", "Protocol"], "without <th>, the first row is the header")
        #expect(tables[0].rows.map(\.cells) == [["22", "TCP"]])
    }
}

@Suite struct CSVParsing {
    @Test func readsQuotedFieldsSpanningLines() {
        let csv = "Port,Protocol,Source,Notes\r\n22,TCP,Admins,\"ssh, \"\"admin\"\" only\"\r\n443,TCP,Anyone,\"two\nlines\"\n5060,UDP,Phones,x\n"
        let table = TableExtraction.tables(in: csv, page: "m.csv", container: Container.guess(fromName: "m.csv"))[0]
        #expect(table.syntax == .csv)
        #expect(table.header == ["Port", "Protocol", "Source", "Notes"])
        #expect(table.rows.map { $0.cell(3) } == ["ssh, \"admin\" only", "two\nlines", "x"])
        #expect(table.rows.map(\.line) == [2, 3, 5])
    }

    @Test func detectsSemicolonsAndTabs() {
        let semicolons = TableExtraction.tables(in: "Porta;Protocollo\n50.000-59.999;TCP\n", page: "m.csv", container: .csv)[0]
        #expect(semicolons.rows[0].cells == ["50.000-59.999", "TCP"])
        let tabs = TableExtraction.tables(in: "Port\tProtocol\n22\tTCP\n", page: "m.tsv", container: Container.guess(fromName: "m.tsv"))[0]
        #expect(tabs.rows[0].cells == ["22", "TCP"])
    }
}
