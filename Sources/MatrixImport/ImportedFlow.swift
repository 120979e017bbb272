import FirewallModel
import PortMatrix

/// Where an imported flow was documented: page, table and row, and the line a reviewer opens.
public struct RowOrigin: Sendable, Hashable, CustomStringConvertible {
    public var page: String
    public var table: Int
    public var heading: String?
    public var row: Int
    public var line: Int

    /// `page.md:67: table 1, row 3`.
    public var description: String { "\(page):\(line): table \(table), row \(row)" }
}

/// One flow read from a table row, with its endpoints still as the roles the page names.
public struct ImportedFlow: Sendable, Hashable {
    public var service: String?
    public var `protocol`: FlowProtocol
    public var ports: PortSet?
    public var sourcePorts: PortSet?
    /// The role the connection is opened from, as written (`Any` and its translations included).
    public var fromRole: String
    public var toRole: String
    public var note: String?
    public var origin: RowOrigin
}

/// A row that could not be interpreted, with its place and the reason: never dropped silently.
public struct RowProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var origin: RowOrigin
    public var message: String

    public var description: String { "\(origin): \(message)" }
}
