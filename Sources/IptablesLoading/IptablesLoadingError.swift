import FirewallModel

/// Why an `iptables-save` file cannot be loaded: where, and a short lower-case fragment.
public struct IptablesLoadingError: Error, Sendable, CustomStringConvertible {
    /// The file and line (and column, where the offending token is known).
    public var location: SourceLocation
    /// A short lower-case fragment, e.g. `unknown chain 'FOO' in -j`.
    public var message: String

    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}
