import FirewallModel

/// nft's rate limits, quotas, connection counts and meters in an export, as throttles decided by
/// their within-limits answer (see `Throttle`); `"inv": true` is nft's `over`.
enum JSONThrottles {
    /// The throttle of a `limit`, `quota` or `ct count` statement; nil when its body is not an object.
    static func throttle(_ key: String, _ body: JSONNode) -> Throttle? {
        guard case .object = body.value else { return nil }
        let over = body["inv"]?.value == .bool(true)
        switch key {
        case "limit":
            guard body["rate"]?.unsigned != nil else { return nil }
            return Throttle(.limit, withinLimits: !over)
        case "quota":
            guard body["val"]?.unsigned != nil else { return nil }
            return Throttle(.quota, withinLimits: !over)
        case "ct count":
            guard body["val"]?.unsigned != nil else { return nil }
            return Throttle(.connectionCount, withinLimits: !over)
        default:
            return nil
        }
    }

    /// A `meter` or dynamic-set update (`set`/`map` with `stmt`) whose per-element statements are
    /// rate limits, quotas or connection counts: it goes on only when every one of them does.
    /// Counters change nothing; any other statement leaves it unmodelled (nil).
    static func meter(_ statements: JSONNodeItems) -> Throttle? {
        var within = true
        var limited = false
        for statement in statements {
            guard let (key, body) = statement.tagged else { return nil }
            if key == "counter" { continue }
            guard let throttle = throttle(key, body) else { return nil }
            within = within && throttle.withinLimits
            limited = true
        }
        return limited ? Throttle(.meter, withinLimits: within) : nil
    }
}
