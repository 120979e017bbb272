import CMnl
import CNftnl
import Foundation
import NftablesBytecode
import NftablesLoading
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
    /// `set-key-field-without-length*.rec` decode, but a lookup's key field of length 0 made
    /// `NftablesLoader` loop forever appending fields (out of memory, or a hang).
    @Test("every saved crash recording replays or loads to an error", arguments: crashFiles)
    func savedCrash(_ name: String) throws {
        let text = String(decoding: try Data(contentsOf: Self.directory.appendingPathComponent(name)), as: UTF8.self)
        let snapshot: Snapshot
        do {
            snapshot = try NftablesReader.replay(try Recording(text: text, source: name))
        } catch {
            return
        }
        #expect(throws: NftablesLoadingError.self) { try NftablesLoader.load(snapshot, source: name) }
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

    /// `set-element-attribute-type-17.rec`: an element attribute typed above NFTA_SET_ELEM_MAX
    /// (but within NFTA_SET_MAX) made libnftnl 1.2.4 write past a stack array, then crash.
    @Test("a set element's attributes must be ones libnftnl has room for")
    func elementAttributeTypes() {
        func message(elementAttributeType type: UInt16) -> [UInt8] {
            let key = Self.attribute(UInt16(NFTA_SET_ELEM_KEY.rawValue), Self.attribute(1, [10, 0, 0, 1]))
            let element = Self.attribute(UInt16(NFTA_LIST_ELEM.rawValue), key + Self.attribute(type, [0, 0, 0, 0]))
            let body = [2, 0, 0, 0] + Self.attribute(UInt16(NFTA_SET_ELEM_LIST_ELEMENTS.rawValue), element)
            return withUnsafeBytes(of: UInt32(16 + body.count).littleEndian, Array.init) + [12, 0x0a, 0, 0]
                + [UInt8](repeating: 0, count: 8) + body
        }
        func known(_ bytes: [UInt8]) -> Bool {
            var copy = bytes
            return copy.withUnsafeMutableBytes { AttributeCheck.elementAttributesAreKnown($0.baseAddress!.assumingMemoryBound(to: nlmsghdr.self)) }
        }
        #expect(known(message(elementAttributeType: UInt16(NFTA_SET_ELEM_FLAGS.rawValue))))
        #expect(!known(message(elementAttributeType: 17)))
        #expect(!known(message(elementAttributeType: UInt16(NFTA_SET_ELEM_EXPRESSIONS.rawValue) + 1)))
    }
}
