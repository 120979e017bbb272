import FirewallModel
import NftablesBytecode
import NftablesLoading
import NftablesNetlink

/// fwaudit's live path on the testbed: the host namespace's nf_tables state read over netlink
/// (`NftablesReader`) and delinearized (`NftablesLoader`), as `fwaudit audit --netns` does.
///
/// The harness's own observer table (`inet fwaudit_oracle`, chains at priority -500 and +500 that
/// only add probe ids to dynamic sets) is part of what the kernel holds, and it stays in the
/// model rather than being filtered out: it is what `fwaudit audit --netns` would see in that
/// namespace, and it exercises the reader on dynamic sets, anonymous sets and inet chains. It
/// cannot change a verdict: every chain has policy accept and no verdict statement. fwaudit does
/// not model TTL, so its `ip ttl 77` guards are unknown conditions, but they only guard a
/// non-terminating `add @set`, so they leave every verdict decided;
/// `KernelOracleHarness.theObserverTableAcceptsEverything` proves both in the kernel and in fwaudit.
enum KernelReadback {
    struct Result {
        var ruleset: Ruleset
        var snapshot: Snapshot
    }

    /// Reads the host namespace of `testbed` and builds the model fwaudit analyses.
    static func read(_ testbed: Testbed) throws -> Result {
        let state = try NftablesReader.read(.namespace(testbed.hostNamespace))
        let ruleset = try NftablesLoader.load(state.snapshot, source: "netns:\(testbed.hostNamespace)", interfaceNames: state.interfaceNames)
        return Result(ruleset: ruleset, snapshot: state.snapshot)
    }
}
