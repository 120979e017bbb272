import FirewallModel

/// Why an `iptables-save` file cannot be loaded: where, and a short lower-case fragment.
public struct IptablesLoadingError: Error, Sendable, CustomStringConvertible {
    /// The file and line (and column, where the offending token is known).
    public var location: SourceLocation
    /// A short lower-case fragment, e.g. `unknown chain 'FOO' in -j`.
    public var message: String

    /// Messages quote the offending text; a huge token is cut so the message stays readable.
    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message.count > IptablesLoadingError.longest
            ? String(message.prefix(IptablesLoadingError.longest)) + "… (\(message.count) characters)"
            : message
    }

    static let longest = 400

    public var description: String { "\(location): \(message)" }
}
