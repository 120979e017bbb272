/// ANSI colours for people reading a terminal; plain text everywhere else.
public struct TextStyle: Sendable {
    public var colors: Bool

    public init(colors: Bool) { self.colors = colors }

    public enum Color: String, Sendable {
        case red = "31", green = "32", yellow = "33", blue = "34", magenta = "35", cyan = "36", bold = "1", dim = "2"
    }

    public func paint(_ text: String, _ color: Color) -> String {
        colors ? "\u{1B}[\(color.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// Pads visible text to `width`, so colour codes do not break alignment.
    public func padded(_ text: String, _ color: Color?, width: Int) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return (color.map { paint(text, $0) } ?? text) + padding
    }
}
