import CMnl
import CNftnl
import Foundation
@testable import NftablesNetlink
import Testing

/// Recordings on which the `fuzz-netlink` libFuzzer target (Fuzz/, scripts/fuzz) crashed fwaudit.
/// A recording is a file anyone can edit; a malformed one must be an error, never a crash in libnftnl.
@Suite("Netlink fuzz regressions")
struct NetlinkFuzzRegressionTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/regressions/fuzz/netlink")

    static var crashFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }

    /// `expression-name-overruns.rec` is `Fixtures/netlink/sampler.rec` with the length of one
    /// rule expression's NFTA_EXPR_NAME raised past its element: libnftnl 1.2.4 then called
    /// strcmp on NULL+4 (SEGV in nftnl_expr_alloc). Now the rule is reported as undecodable.
    @Test("every saved crash recording replays to an error", arguments: crashFiles)
    func savedCrash(_ name: String) throws {
        let text = String(decoding: try Data(contentsOf: Self.directory.appendingPathComponent(name)), as: UTF8.self)
        #expect(throws: NetlinkError.self) { try NftablesReader.replay(try Recording(text: text, source: name)) }
    }

    @Test("the saved crash recordings are there")
    func savedCrashesExist() {
        #expect(!Self.crashFiles.isEmpty)
    }

    /// One netlink attribute, padded to 4 bytes.
    static func attribute(_ type: UInt16, _ payload: [UInt8]) -> [UInt8] {
        let length = UInt16(4 + payload.count)
        var bytes = withUnsafeBytes(of: length.littleEndian, Array.init) + withUnsafeBytes(of: type.littleEndian, Array.init) + payload
        while bytes.count % 4 != 0 { bytes.append(0) }
        return bytes
    }

    /// A rule message: netlink header, nfgenmsg, then NFTA_RULE_EXPRESSIONS holding one
    /// NFTA_LIST_ELEM with the given attributes.
    static func ruleMessage(element: [UInt8]) -> [UInt8] {
        let body = [2, 0, 0, 0] + attribute(UInt16(NFTA_RULE_EXPRESSIONS.rawValue), attribute(UInt16(NFTA_LIST_ELEM.rawValue), element))
        let length = UInt32(16 + body.count)
        return withUnsafeBytes(of: length.littleEndian, Array.init) + [6, 0x0a, 0, 0] + [UInt8](repeating: 0, count: 8) + body
    }

    static func named(_ message: [UInt8]) -> Bool {
        var copy = message
        return copy.withUnsafeMutableBytes { AttributeCheck.expressionsAreNamed($0.baseAddress!.assumingMemoryBound(to: nlmsghdr.self)) }
    }

    @Test("an expression needs a non-empty, NUL-terminated name before libnftnl sees it")
    func expressionNames() {
        let name = UInt16(NFTA_EXPR_NAME.rawValue), data = UInt16(NFTA_EXPR_DATA.rawValue)
        #expect(Self.named(Self.ruleMessage(element: Self.attribute(name, Array("meta".utf8) + [0]))))
        #expect(!Self.named(Self.ruleMessage(element: Self.attribute(data, []))))
        #expect(!Self.named(Self.ruleMessage(element: Self.attribute(name, []))))
        #expect(!Self.named(Self.ruleMessage(element: Self.attribute(name, Array("meta".utf8)))))
        // A name whose length runs past its element is not there at all, as libmnl walks it.
        var overrun = Self.attribute(name, Array("meta".utf8) + [0])
        overrun[1] = 0x08
        #expect(!Self.named(Self.ruleMessage(element: overrun)))
    }
}
