import FirewallModel

/// Why a YAML document (a port matrix, a waivers file) cannot be read: where, which key, and
/// what is wrong with it.
///
/// Printed as `matrix.yaml:14:12: flows[3].ports: bad port range '600-500'`.
public struct DocumentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The offending node (file, 1-based line and column).
    public var location: SourceLocation
    /// The path of the offending value: `flows[3].ports`, `zones.clients.addresses[1]`, `allow[0]`;
    /// empty for the document as a whole (YAML syntax errors).
    public var keyPath: String
    /// A short lower-case fragment.
    public var message: String

    public init(location: SourceLocation, keyPath: String, message: String) {
        self.location = location
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
    }
}
