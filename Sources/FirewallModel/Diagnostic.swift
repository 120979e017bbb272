/// Something a loader or the analysis noticed and continued past, which the user should know.
///
/// Errors stop a run; diagnostics never do, but every report lists them.
public struct Diagnostic: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable {
        case note, warning, error
        private var rank: Int { switch self { case .note: 0; case .warning: 1; case .error: 2 } }
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    public var severity: Severity
    public var location: SourceLocation?
    public var message: String

    public init(_ severity: Severity, _ message: String, at location: SourceLocation? = nil) {
        self.severity = severity
        self.message = message
        self.location = location
    }

    public var description: String {
        if let location { return "\(severity.rawValue): \(location): \(message)" }
        return "\(severity.rawValue): \(message)"
    }

    public static func < (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        switch (lhs.location, rhs.location) {
        case let (l?, r?) where l != r: return l < r
        case (nil, _?): return true
        case (_?, nil): return false
        default: return (lhs.message, lhs.severity.rawValue) < (rhs.message, rhs.severity.rawValue)
        }
    }
}
