import Yams

/// The candidate within edit distance 2 of a misspelt name, or that it abbreviates, for "did you mean" hints.
public enum Suggestion {
    public static func closest(to name: String, in candidates: [String]) -> String? {
        let lowered = name.lowercased()
        let scored = candidates.map { ($0, distance(Array(lowered), Array($0.lowercased()))) }
        if let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2, best.1 < name.count { return best.0 }
        // An abbreviation: `proto` for `protocol`.
        if lowered.count >= 3 { return candidates.first { $0.lowercased().hasPrefix(lowered) } }
        return nil
    }

    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension Node {
    /// The resolved tag's name (`Tag.name` is internal to Yams).
    public var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }
}
