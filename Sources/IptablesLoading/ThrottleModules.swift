import FirewallModel

/// The throttle match modules (`limit`, `hashlimit`, `connlimit`, `recent`, `quota`): their options
/// and the within-limits answer of each form (see `Throttle`).
///
/// A module written with an option not listed here, a missing value or a missing mode option stays
/// opaque, so what is not understood is still reported.
enum ThrottleModules {
    /// Options of each module and how many values they take.
    private static let options: [String: [String: Int]] = [
        "limit": ["--limit": 1, "--limit-burst": 1],
        "hashlimit": [
            "--hashlimit-upto": 1, "--hashlimit-above": 1, "--hashlimit": 1, "--hashlimit-burst": 1, "--hashlimit-mode": 1,
            "--hashlimit-srcmask": 1, "--hashlimit-dstmask": 1, "--hashlimit-name": 1, "--hashlimit-htable-size": 1,
            "--hashlimit-htable-max": 1, "--hashlimit-htable-expire": 1, "--hashlimit-htable-gcinterval": 1,
            "--hashlimit-rate-match": 0, "--hashlimit-rate-interval": 1,
        ],
        "connlimit": ["--connlimit-upto": 1, "--connlimit-above": 1, "--connlimit-mask": 1, "--connlimit-saddr": 0, "--connlimit-daddr": 0],
        "recent": [
            "--set": 0, "--rcheck": 0, "--update": 0, "--remove": 0, "--seconds": 1, "--reap": 0, "--hitcount": 1, "--rttl": 0,
            "--name": 1, "--rsource": 0, "--rdest": 0, "--mask": 1,
        ],
        "quota": ["--quota": 1],
    ]

    /// The options that say which way a module answers, and that answer for ordinary traffic.
    private static let modes: [String: [String: Bool]] = [
        "limit": ["--limit": true],
        "hashlimit": ["--hashlimit-upto": true, "--hashlimit": true, "--hashlimit-above": false],
        "connlimit": ["--connlimit-upto": true, "--connlimit-above": false],
        // A source not seen before: only `--set` (which records it) matches.
        "recent": ["--set": true, "--rcheck": false, "--update": false, "--remove": false],
        "quota": ["--quota": true],
    ]

    static func isThrottle(_ module: String) -> Bool { options[module] != nil }

    /// The throttle `-m module` with `words` (its options and values, `!` left out) tests; nil when
    /// the words are not what the module takes. `limit` without `--limit` is iptables' default rate.
    static func throttle(module: String, words: [String]) -> Throttle? {
        guard let known = options[module], let answers = modes[module], let construct = Throttle.Construct(rawValue: module) else { return nil }
        var answer: Bool? = module == "limit" ? true : nil
        var seenModes = 0
        var index = 0
        while index < words.count {
            let word = words[index]
            guard let arity = known[word] else { return nil }
            guard index + arity < words.count || arity == 0 else { return nil }
            for value in words[(index + 1)..<(index + 1 + arity)] where value.hasPrefix("--") || value.isEmpty { return nil }
            if let modeAnswer = answers[word], module != "limit" {
                answer = modeAnswer
                seenModes += 1
            }
            index += 1 + arity
        }
        guard let answer, seenModes <= 1 else { return nil }
        return Throttle(construct, withinLimits: answer)
    }
}
