/// An interface name as rules write it: exact (`eth0`) or a prefix wildcard (`eth+`, `veth*`).
public struct InterfacePattern: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The name, or for a wildcard the prefix before `+`.
    public var name: String
    public var isWildcard: Bool

    public init(name: String, isWildcard: Bool) {
        self.name = name
        self.isWildcard = isWildcard
    }

    /// Parses iptables syntax: a trailing `+` makes the name a prefix.
    public init(iptables text: String) {
        if text.hasSuffix("+") {
            self.init(name: String(text.dropLast()), isWildcard: true)
        } else {
            self.init(name: text, isWildcard: false)
        }
    }

    /// Whether a concrete interface name matches; the empty name stands for "no interface".
    public func matches(_ interface: String) -> Bool {
        isWildcard ? interface.hasPrefix(name) : interface == name
    }

    public var description: String { isWildcard ? name + "+" : name }

    public static func < (lhs: InterfacePattern, rhs: InterfacePattern) -> Bool {
        (lhs.name, lhs.isWildcard ? 1 : 0) < (rhs.name, rhs.isWildcard ? 1 : 0)
    }
}

/// Connection-tracking states a packet can be in, as `ct state` / `--ctstate` name them.
public struct ConnectionStates: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let new = ConnectionStates(rawValue: 1 << 0)
    public static let established = ConnectionStates(rawValue: 1 << 1)
    public static let related = ConnectionStates(rawValue: 1 << 2)
    public static let invalid = ConnectionStates(rawValue: 1 << 3)
    public static let untracked = ConnectionStates(rawValue: 1 << 4)
    public static let all: ConnectionStates = [.new, .established, .related, .invalid, .untracked]

    public static let names: [(String, ConnectionStates)] = [
        ("new", .new), ("established", .established), ("related", .related), ("invalid", .invalid), ("untracked", .untracked),
    ]

    /// Parses one state name, case-insensitively (`NEW`, `established`).
    public init?(name: String) {
        guard let entry = ConnectionStates.names.first(where: { $0.0 == name.lowercased() }) else { return nil }
        self = entry.1
    }

    public var description: String {
        ConnectionStates.names.filter { contains($0.1) }.map(\.0).joined(separator: ",")
    }
}
