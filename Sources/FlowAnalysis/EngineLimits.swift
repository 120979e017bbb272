/// The bounds the analysis keeps so that any ruleset is audited in bounded time and memory, in
/// one place. Each trades precision (widening) or merging effort for time; none changes which
/// rule decides a packet.
public enum EngineLimits {
    /// Chains this many or more jumps below a base chain are not followed: the verdict of the
    /// jump that would enter one is unknown, with a warning (`RulesetIndex.depthDiagnostics`).
    /// iptables-legacy follows any depth; real rulesets nest a handful of chains.
    public static let chainDepth = 64
    /// Fragments waiting for a chain's next rule are merged when there are more than this many and
    /// twice as many as at the last merge.
    static let pendingBeforeMerge = 32
    /// The fragments a base chain's rules (and those of the chains it reaches) drop are merged
    /// when there are more than this many; what it accepts the hook always merges.
    static let decidedBeforeMerge = 32
    /// What a jump brings back is merged when there is more than this and the chain multiplied it.
    static let returnedBeforeMerge = 8
    /// Boxes of one history that differ only in unknown answers are kept apart up to this many
    /// variants; beyond, they are merged on the answers they share (widening).
    static let answerVariants = 2
    /// Above this many boxes of one history, unknown answers are forgotten (widening).
    static let boxesBeforeForgetting = 64
    /// Fixed unknown answers one box keeps; beyond, those of the conditions earliest in the
    /// ruleset (lowest ids) are forgotten (widening).
    public static let answersPerBox = 16
    /// Mark values the analysis lists to decide masks too irregular to cut as ranges.
    public static let markValues = 256
    /// Runs of rules matching at least this many boxes are split in one pass (`RunPolicy.standard`).
    static let partitionedRun = 16
    /// ... when the fragments times the run's boxes reach this many.
    static let partitionedWork = 64
    /// Runs of at least this many boxes try two orders of fields and keep the one that cuts them
    /// into fewer pieces (`FirstMatchPartition`).
    static let partitionTrials = 64
    /// ... and stop a trial at this many pieces per box.
    static let partitionTrialPieces = 16
}
