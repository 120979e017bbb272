import FirewallModel
import NftablesBytecode

/// Rate limits, quotas, connection counts and meters, native or iptables-nft's xt matches, as
/// throttles decided by their within-limits answer (see `Throttle`). Flags or layouts the model does
/// not know leave the expression opaque, with its warning.
extension RuleDelinearizer {
    /// The construct and within-limits answer of a native `limit`, `quota` or `connlimit` (`ct count`)
    /// expression; their flag 1 is `over`, which matches only past the limit.
    static func throttle(_ expression: Expression) -> Throttle? {
        switch expression {
        case .limit(_, _, _, let type, let flags) where type <= 1 && flags & ~1 == 0:
            Throttle(.limit, withinLimits: flags & 1 == 0)
        case .quota(_, _, let flags) where flags & ~3 == 0:
            // Flag 2 says the quota is used up now; ordinary traffic is taken as within it.
            Throttle(.quota, withinLimits: flags & 1 == 0)
        case .connlimit(_, let flags) where flags & ~1 == 0:
            Throttle(.connectionCount, withinLimits: flags & 1 == 0)
        default:
            nil
        }
    }

    /// A `dynset` `add`/`update` whose per-element expressions are rate limits, quotas or
    /// connection counts (a `meter`): it goes on only when every one of them does. Counters change
    /// nothing; any other expression leaves it opaque.
    static func meter(op: UInt32, _ expressions: [Expression]) -> Throttle? {
        guard op <= 1 else { return nil }
        var within = true
        var limited = false
        for expression in expressions {
            if case .counter = expression { continue }
            guard let throttle = throttle(expression) else { return nil }
            within = within && throttle.withinLimits
            limited = true
        }
        return limited ? Throttle(.meter, withinLimits: within) : nil
    }

    mutating func appendThrottle(_ state: inout RuleState, _ throttle: Throttle, negated: Bool = false, text: String) {
        state.append(Match(.throttle(throttle), negated: negated, text: text))
    }

    /// iptables-nft's xt throttle matches, decoded from their kernel info structures (Linux UAPI
    /// `xt_limit.h`, `xt_hashlimit.h`, `xt_connlimit.h`, `xt_recent.h`, `xt_quota.h`); nil for
    /// other matches, unknown revisions and short or inconsistent structures.
    static func xtThrottle(name: String, revision: UInt32, info bytes: Bytes) -> (throttle: Throttle, negated: Bool)? {
        let info = XtInfo(bytes)
        switch (name, revision) {
        case ("limit", 0) where info.has(8):
            // xt_rateinfo: no inversion; it matches while within the rate.
            return (Throttle(.limit, withinLimits: true), false)
        case ("hashlimit", 0) where info.has(20):
            // xt_hashlimit_info: name[16], then cfg.mode; revision 0 only limits "up to".
            return (Throttle(.hashlimit, withinLimits: true), false)
        case ("hashlimit", 1) where info.has(20), ("hashlimit", 2...3) where info.has(276):
            // name[IFNAMSIZ] then cfg1.mode (revision 1), or name[NAME_MAX] padded to 256 then
            // cfg2/3 {u64 avg, u64 burst, u32 mode}; XT_HASHLIMIT_INVERT (bit 4) is `--hashlimit-above`.
            let mode = info.u32(revision == 1 ? 16 : 272)
            return (Throttle(.hashlimit, withinLimits: mode & 0x10 == 0), false)
        case ("connlimit", 0...1) where info.has(24):
            // mask (16), limit (u32), then the inverse word (revision 0) or flags with
            // XT_CONNLIMIT_INVERT (bit 0), which is `--connlimit-upto`; without it the match is
            // "more than the limit" (`--connlimit-above`).
            let word = info.u32(20)
            let upto = revision == 0 ? word != 0 : word & 1 != 0
            return (Throttle(.connlimit, withinLimits: upto), false)
        case ("recent", 0) where info.has(211), ("recent", 1) where info.has(227):
            // seconds, hit_count, check_set (u8), invert (u8): --rcheck 1, --set 2, --update 4, --remove 8.
            let checkSet = info.u8(8) & 0x0f
            guard checkSet.nonzeroBitCount == 1 else { return nil }
            return (Throttle(.recent, withinLimits: checkSet == 2), info.u8(9) != 0)
        case ("quota", 0) where info.has(16):
            // flags (XT_QUOTA_INVERT 1), pad, quota (u64).
            let flags = info.u32(0)
            guard flags & ~1 == 0 else { return nil }
            return (Throttle(.quota, withinLimits: true), flags & 1 != 0)
        default:
            return nil
        }
    }
}
