import FirewallModel

/// Why a snapshot cannot be turned into a ruleset: where (table, chain, handle) and a short fragment.
public struct NftablesLoadingError: Error, Sendable, CustomStringConvertible {
    /// The kernel location, e.g. `table inet filter chain input handle 4`.
    public var location: SourceLocation
    /// A short lower-case fragment, e.g. `jump to missing chain 'other'`.
    public var message: String

    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}
