/// Fuzzes the netlink decoder: a netlink recording (`Recording(text:source:)`) is replayed through
/// `NftablesReader.replay`, which walks the reply datagrams and hands them to libnftnl's C parsers,
/// then the snapshot is loaded by `NftablesLoader.load`. Arbitrary reply bytes are exactly what a
/// hostile or buggy kernel peer could send, and they cross into C here. (libnftnl is a system
/// library, so it is neither coverage-instrumented nor ASan-checked; a wild access in it still
/// shows as a crash.) Seeds: `Fixtures/netlink/*.rec`.
import FuzzDriver
import NftablesBytecode
import NftablesLoading
import NftablesNetlink

Fuzzer.runText { text in
    guard let recording = try? Recording(text: text, source: "fuzz.rec"),
          let snapshot = try? NftablesReader.replay(recording) else { return }
    _ = try? NftablesLoader.load(snapshot, source: "fuzz.rec")
}
