import FixtureSupport
import Foundation
import NftablesBytecode
@testable import NftablesNetlink
import Testing

/// A snapshot is read at one generation or not at all.
@Suite("Consistent snapshots")
struct ConsistencyTests {
    /// Answers from two recordings of one namespace, before and after a change, switching from
    /// the first to the second after `switchAfter` requests — a ruleset changing during a dump.
    final class ChangingExchange: Exchange {
        let before: Recording, after: Recording
        var remaining: Int
        var requests: [String] = []

        init(before: Recording, after: Recording, switchAfter: Int) {
            self.before = before
            self.after = after
            self.remaining = switchAfter
        }

        func replies(to request: Request) throws(NetlinkError) -> [[UInt8]] {
            requests.append(request.description)
            remaining -= 1
            return try (remaining >= 0 ? before : after).replies(to: request)
        }
    }

    /// Two recordings of one namespace: as loaded, and after one more rule was added.
    static func recordings() throws -> (before: Recording, after: Recording, changed: Snapshot) {
        try LiveReadingTests.withScript(LiveReadingTests.script) { path in
            try withNamespace(loading: path) { namespace in
                let before = Recording(), after = Recording()
                _ = try NftablesReader.read(.namespace(namespace), recording: before)
                let added = try Namespaces.run(["nsenter", "--net=\(namespace)", "nft", "add", "rule", "inet", "filter", "web", "tcp", "dport", "8080", "accept"])
                #expect(added.status == 0, "\(added.output)")
                let changed = try NftablesReader.read(.namespace(namespace), recording: after)
                return (before, after, changed.snapshot)
            }
        }
    }

    @Test("a change during the dump is detected and the whole snapshot is read again", .needsNetworkNamespace)
    func changeDuringDumpIsReread() throws {
        let (before, after, changed) = try Self.recordings()
        // Three requests in (GETGEN, GETTABLE, GETCHAIN) the ruleset changes.
        let exchange = ChangingExchange(before: before, after: after, switchAfter: 3)
        let snapshot = try SnapshotReader(exchange: exchange).read()
        #expect(snapshot == changed, "the snapshot is entirely the new one, never half old and half new")
        #expect(exchange.requests.filter { $0 == "GETGEN" }.count >= 3, "a second attempt started with a fresh generation")
        #expect(snapshot.rules.contains { $0.chain == "web" && $0.expressions.count > 2 })
    }

    @Test("a ruleset that keeps changing is reported after a bounded number of attempts", .needsNetworkNamespace)
    func keepsChanging() throws {
        let (before, after, _) = try Self.recordings()
        /// Flips between the two recordings on every request.
        final class Flipping: Exchange {
            let sides: [Recording]
            var count = 0
            init(_ sides: [Recording]) { self.sides = sides }
            func replies(to request: Request) throws(NetlinkError) -> [[UInt8]] {
                count += 1
                return try sides[count % 2].replies(to: request)
            }
        }
        #expect(throws: NetlinkError.keptChanging(attempts: 3)) {
            try SnapshotReader(exchange: Flipping([before, after]), attempts: 3).read()
        }
    }

    @Test("a reply flagged as interrupted is never trusted", .needsNetworkNamespace)
    func interruptedDumpIsRetried() throws {
        let (before, _, _) = try Self.recordings()
        /// Sets NLM_F_DUMP_INTR on the first chain dump, as the kernel does when a change races it.
        final class Interrupting: Exchange {
            let recording: Recording
            var interrupted = false
            init(_ recording: Recording) { self.recording = recording }
            func replies(to request: Request) throws(NetlinkError) -> [[UInt8]] {
                var datagrams = try recording.replies(to: request)
                if request == .chains && !interrupted {
                    interrupted = true
                    datagrams[0][6] |= 0x10  // nlmsg_flags, low byte: NLM_F_DUMP_INTR
                }
                return datagrams
            }
        }
        let exchange = Interrupting(before)
        let snapshot = try SnapshotReader(exchange: exchange).read()
        #expect(exchange.interrupted)
        #expect(snapshot == (try NftablesReader.replay(before)))
    }
}
