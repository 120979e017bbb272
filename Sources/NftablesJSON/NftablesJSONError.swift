import FirewallModel

/// Why an `nft -j` export cannot be loaded: where (a line and column, or table/chain/handle and
/// JSON path), and a short lower-case fragment.
public struct NftablesJSONError: Error, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message.count > 400 ? String(message.prefix(400)) + "… (\(message.count) characters)" : message
    }

    public var description: String { "\(location): \(message)" }
}
