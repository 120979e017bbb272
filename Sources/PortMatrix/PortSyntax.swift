import FirewallModel

/// The matrix's port syntax, shared with importers: `22`, `80,443`, `50000-59999` (or
/// `50000:59999`), `any`; items of a comma list may be single ports or ranges.
public enum PortSyntax {
    /// The ports `text` names, or nil when it is not port syntax.
    public static func parse(_ text: String) -> PortSet? {
        if case .success(let ports) = check(text) { return ports }
        return nil
    }

    /// The ports `text` names, or what is wrong with it as a short message.
    static func check(_ text: String) -> Result<PortSet, Problem> {
        let trimmed = text.trimmingSpaces
        if trimmed.isEmpty { return .failure(Problem(message: "empty port list")) }
        if trimmed == "any" { return .success(.full) }
        var ranges: [ClosedRange<UInt16>] = []
        for rawItem in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let item = String(rawItem).trimmingSpaces
            if item.isEmpty { return .failure(Problem(message: "empty item in port list '\(trimmed)'")) }
            let bounds = item.split(omittingEmptySubsequences: false) { $0 == "-" || $0 == ":" }
            switch bounds.count {
            case 1:
                switch port(item) {
                case .success(let value): ranges.append(value...value)
                case .failure(let problem): return .failure(problem)
                }
            case 2:
                let low = String(bounds[0]).trimmingSpaces, high = String(bounds[1]).trimmingSpaces
                guard isNumber(low), isNumber(high) else { return .failure(Problem(message: "bad port range '\(item)'")) }
                guard case .success(let first) = port(low), case .success(let last) = port(high) else {
                    return .failure(Problem(message: "port out of range in '\(item)' (0-65535)"))
                }
                guard first <= last else { return .failure(Problem(message: "bad port range '\(item)'")) }
                ranges.append(first...last)
            default:
                return .failure(Problem(message: "bad port range '\(item)'"))
            }
        }
        if let overlap = firstOverlap(ranges) { return .failure(overlap) }
        return .success(PortSet(ranges: ranges))
    }

    /// Two items of one list that share ports: almost always a typo in a documented table.
    static func firstOverlap(_ ranges: [ClosedRange<UInt16>]) -> Problem? {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.lowerBound <= a.upperBound {
            func text(_ range: ClosedRange<UInt16>) -> String {
                range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)"
            }
            return Problem(message: "overlapping ports '\(text(a))' and '\(text(b))'")
        }
        return nil
    }

    struct Problem: Error, Hashable {
        var message: String
    }

    private static func isNumber(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { $0.properties.numericType != nil && $0.isASCII }
    }

    private static func port(_ text: String) -> Result<UInt16, Problem> {
        guard isNumber(text) else { return .failure(Problem(message: "bad port '\(text)'")) }
        let digits = text.drop { $0 == "0" }
        guard digits.count <= 5, let value = Int(digits.isEmpty ? "0" : String(digits)), value <= 65535 else {
            return .failure(Problem(message: "port out of range '\(text)' (0-65535)"))
        }
        return .success(UInt16(value))
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(scalars[first...last])
    }
}
