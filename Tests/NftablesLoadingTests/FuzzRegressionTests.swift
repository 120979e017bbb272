import Foundation
import NftablesBytecode
import NftablesLoading
import Testing

/// Inputs on which the `fuzz-nft-notation` libFuzzer target (Fuzz/, scripts/fuzz) crashed fwaudit.
/// Each one must now parse and load, or be rejected with an error: never trap.
@Suite struct NotationFuzzRegressionTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/regressions/fuzz/nft-notation")

    /// What the fuzz target does with one input (Fuzz/Sources/fuzz-nft-notation/main.swift).
    static func fuzzBody(_ text: String) {
        guard let rules = try? NotationParser.rules(text) else { return }
        var tables: [TableObject] = []
        var chains: [ChainObject] = []
        for rule in rules {
            if !tables.contains(where: { $0.family == rule.family && $0.name == rule.table }) {
                tables.append(TableObject(family: rule.family, name: rule.table))
                chains.append(ChainObject(family: rule.family, table: rule.table, name: rule.chain,
                                          hook: 1, priority: 0, policy: 0, type: "filter"))
            } else if !chains.contains(where: { $0.family == rule.family && $0.table == rule.table && $0.name == rule.chain }) {
                chains.append(ChainObject(family: rule.family, table: rule.table, name: rule.chain))
            }
        }
        _ = try? NftablesLoader.load(Snapshot(tables: tables, chains: chains, rules: rules), source: "fuzz.nft")
    }

    static var crashFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }

    @Test("every saved crash input of the notation fuzzer is handled", arguments: crashFiles)
    func savedCrash(_ name: String) throws {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent(name))
        Self.fuzzBody(String(decoding: data, as: UTF8.self))
    }

    @Test("the saved crash inputs are there")
    func savedCrashesExist() {
        #expect(!Self.crashFiles.isEmpty)
    }

    /// A negative or over-wide number where the notation wants a register, length or type trapped
    /// in `UInt32(_:)` / `UInt8(_:)` (found by the fuzzer as `lookup reg -1`).
    @Test("out-of-range numbers are parse errors", arguments: [
        "[ lookup reg -1 set s ]",
        "[ payload load 2b @ network header + -3 => reg 1 ]",
        "[ payload load 2b @ network header + 4294967296 => reg 1 ]",
        "[ reject type 0 code 256 ]",
        "[ byteorder reg 1 = hton(reg 1, -2, 2) ]",
        "[ limit rate 10/second burst -5 type packets flags 0x0 ]",
        "[ limit rate 10/second burst 5 type packets flags 0x100000000 ]",
        "[ counter pkts -1 bytes 0 ]",
        // A queue range that ends before it starts, or has 65536 queues, overflowed UInt16.
        "[ queue num 5-3 bypass ]",
        "[ queue num 0-65535 ]",
    ])
    func outOfRange(_ line: String) {
        var parser = NotationParser()
        #expect(throws: NotationParser.ParseError.self) { try parser.expression(line) }
    }
}
