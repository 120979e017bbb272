/// A match that limits traffic by rate, count or volume rather than by what a packet carries: a
/// rate limit, a connection limit, a recently-seen list, a byte quota or a per-key meter.
///
/// Whether it holds depends on traffic the ruleset has seen, which no audit of the rules can know.
/// The analysis decides it by its *within-limits* answer: what the match answers for a packet of
/// ordinary traffic — within the rate, below the connection limit and quota, from a source not
/// seen too often. `withinLimits` is that answer for the match as written, before the `Match`'s
/// own negation (`!`), which flips it as for any other condition:
///
/// | construct | form | within limits |
/// |---|---|---|
/// | `limit` | iptables `-m limit --limit R`; nft `limit rate R` | true |
/// | `limit` | nft `limit rate over R` | false |
/// | `hashlimit` | `--hashlimit-upto R` (or the old `--hashlimit R`) | true |
/// | `hashlimit` | `--hashlimit-above R` | false |
/// | `connlimit` | `--connlimit-upto N` | true |
/// | `connlimit` | `--connlimit-above N` | false |
/// | `recent` | `--set` | true (it records the source and matches) |
/// | `recent` | `--rcheck`, `--update` (with or without `--seconds`, `--hitcount`), `--remove` | false (a source not seen before) |
/// | `quota` | iptables `-m quota --quota N`; nft `quota N`, `quota until N` | true |
/// | `quota` | nft `quota over N` | false |
/// | `connectionCount` | nft `ct count N` | true |
/// | `connectionCount` | nft `ct count over N` | false |
/// | `meter` | a meter or dynamic-set update with `limit rate R` (or `quota N`, `ct count N`) per key | true |
/// | `meter` | the same with `limit rate over R` (or `quota over N`, `ct count over N`) | false |
///
/// `recent --rcheck`/`--update` without `--hitcount` after a `--set` of the same list on the same
/// path would match a first packet in the kernel; the within-limits answer still takes the source
/// as not seen, as it is for a host's ordinary clients.
public struct Throttle: Sendable, Hashable, CustomStringConvertible {
    /// The kind of limit, named after the iptables module or nft statement.
    public enum Construct: String, Sendable, Hashable, CaseIterable {
        case limit, hashlimit, connlimit, recent, quota
        /// nft `ct count` (the `connlimit` expression).
        case connectionCount
        /// nft `meter` or a dynamic-set update (`add`/`update @set { key limit rate … }`) carrying a per-key limit.
        case meter

        /// The construct as users write it (`ct count` for `connectionCount`).
        public var keyword: String { self == .connectionCount ? "ct count" : rawValue }
    }

    public var construct: Construct
    /// What the match (before negation) answers for ordinary traffic.
    public var withinLimits: Bool

    public init(_ construct: Construct, withinLimits: Bool) {
        self.construct = construct
        self.withinLimits = withinLimits
    }

    public var description: String { "\(construct.keyword) (\(withinLimits ? "matches" : "does not match") within limits)" }
}
