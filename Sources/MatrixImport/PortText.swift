import Foundation
import FirewallModel

/// What went wrong reading a cell: a short lower-case fragment.
public struct CellProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Ports as a cell writes them, possibly with their transports: `5061`, `50.000-59.999`,
/// `50 000–59 999`, `50,000 ～ 59,999`, `49 152 – 53 247`, `80, 443`, `67/68`, `443/TCP (HTTPS)`,
/// `53/UDP,53/TCP`, `53,1024-65535/TCP/UDP`, `UDP 4789`, `TCP 10349, 10350, UDP 10351`, `Any`.
///
/// Digit grouping is told apart from lists: `.`, spaces and `'` group thousands when the result is
/// a port; `,` only inside a range (`50,000-59,999`) or before `000`, so `25,587` stays two ports.
public enum PortText {
    /// Ports per transport named in the text; ports written without a transport are under `nil`.
    public struct Specification: Sendable, Hashable {
        public var ports: [Transport?: PortSet] = [:]
        /// The cell says there are no ports (`n/a`, `-`): fine for ICMP and other port-less protocols.
        public var saysNone = false

        public var isEmpty: Bool { ports.isEmpty }
    }

    /// Just the ports, when the text names no transport.
    public static func ports(_ text: String) -> Result<PortSet, CellProblem> {
        switch specification(text) {
        case .failure(let problem): return .failure(problem)
        case .success(let spec):
            if spec.ports.count == 1, let ports = spec.ports[nil] { return .success(ports) }
            if spec.ports.isEmpty { return .failure(CellProblem("no port in '\(text)'")) }
            return .failure(CellProblem("transport inside port cell '\(text)'"))
        }
    }

    public static func specification(_ raw: String) -> Result<Specification, CellProblem> {
        let text = prepare(raw)
        let display = TextCleaning.oneLine(raw)
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var spec = Specification()
        if trimmed.isEmpty { return .failure(CellProblem("no port given")) }
        if ["n/a", "na", "-", "none", "nessuna", "keine", "aucun", "ninguno", "なし", "无"].contains(trimmed.lowercased()) {
            spec.saysNone = true
            return .success(spec)
        }
        let tokens: [Token]
        switch tokenize(text) {
        case .success(let value): tokens = value
        case .failure(let problem): return .failure(CellProblem("\(problem.message) in '\(display)'"))
        }

        // Prefix style (`UDP 4789`, `TCP 1, 2, UDP 3`) when a transport comes first; else postfix (`443/TCP`).
        let prefixStyle = tokens.first { if case .separator = $0 { return false }; return true }.map { if case .transport = $0 { return true }; return false } ?? false
        var pending: [ClosedRange<UInt16>] = []
        var current: Set<Transport>?
        var index = 0

        func flush(_ transports: Set<Transport>?) {
            guard !pending.isEmpty else {
                // `GRE`, `ESP` and `ICMP` beside other transports (`ESP, UDP 500`): rows without ports.
                for transport in transports ?? [] where !transport.hasPorts { spec.ports[transport] = spec.ports[transport] ?? PortSet() }
                return
            }
            let set = PortSet(ranges: pending)
            if let transports {
                for transport in transports { spec.ports[transport] = (spec.ports[transport] ?? PortSet()).union(set) }
            } else {
                spec.ports[nil] = (spec.ports[nil] ?? PortSet()).union(set)
            }
            pending = []
        }

        while index < tokens.count {
            switch tokens[index] {
            case .separator:
                index += 1
            case .any:
                pending.append(0...65535)
                index += 1
            case .number(let low):
                var range = low...low
                var look = index + 1
                while look < tokens.count, case .separator(let s) = tokens[look], s == " " { look += 1 }
                if look < tokens.count, case .dash = tokens[look] {
                    var after = look + 1
                    while after < tokens.count, case .separator(let s) = tokens[after], s == " " { after += 1 }
                    guard after < tokens.count, case .number(let high) = tokens[after] else {
                        return .failure(CellProblem("unfinished port range in '\(display)'"))
                    }
                    guard low <= high else { return .failure(CellProblem("port range '\(low)-\(high)' runs backwards in '\(display)'")) }
                    range = low...high
                    index = after + 1
                } else {
                    index += 1
                }
                pending.append(range)
            case .dash:
                return .failure(CellProblem("stray dash in '\(display)'"))
            case .transport:
                var transports = Set<Transport>()
                while index < tokens.count {
                    if case .transport(let transport) = tokens[index] { transports.insert(transport); index += 1; continue }
                    if case .separator = tokens[index], index + 1 < tokens.count, case .transport = tokens[index + 1] { index += 1; continue }
                    break
                }
                if prefixStyle {
                    flush(current)
                    current = transports
                } else {
                    flush(transports)
                }
            }
        }
        flush(prefixStyle ? current : nil)
        if prefixStyle, spec.ports.isEmpty, let current {
            // `ICMP` alone in a combined cell: a transport without ports.
            for transport in current { spec.ports[transport] = PortSet() }
        }
        return .success(spec)
    }

    enum Token: Hashable {
        case number(UInt16)
        case dash
        case separator(Character)
        case transport(Transport)
        case any
    }

    /// Footnotes and parenthesised remarks removed, dashes, tildes and list words normalized.
    static func prepare(_ raw: String) -> String {
        var text = TextCleaning.oneLine(raw)
        // Parenthesised remarks: `(HTTPS)`, `(note 1)`, `(configurable)`.
        while let open = text.firstIndex(where: { $0 == "(" || $0 == "（" }),
              let close = text[open...].firstIndex(where: { $0 == ")" || $0 == "）" }) {
            text.replaceSubrange(open...close, with: " ")
        }
        // Bracketed footnotes `[2]`.
        while let open = text.firstIndex(of: "["), let close = text[open...].firstIndex(of: "]"),
              text[text.index(after: open)..<close].allSatisfy(\.isNumber) {
            text.replaceSubrange(open...close, with: " ")
        }
        var result = ""
        for character in text {
            switch character {
            case "*", "†", "‡", "§", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹", "⁰": continue
            case "–", "—", "‐", "‑", "−", "～", "~", "〜", "〰": result.append("-")
            case "、", "，", ";", "；": result.append(",")
            default: result.append(character)
            }
        }
        for word in [" and ", " e ", " und ", " et ", " y ", " or ", " o ", " oder ", " ou "] {
            result = result.replacingOccurrences(of: word, with: word == " or " || word == " o " || word == " oder " || word == " ou " ? " | " : ",", options: .caseInsensitive)
        }
        for word in ["和", "及", "与", "および"] { result = result.replacingOccurrences(of: word, with: ",") }
        result = ipProtocolNames(result)
        for word in [" to ", " bis ", " à ", " al "] {
            result = result.replacingOccurrences(of: word, with: "-", options: .caseInsensitive)
        }
        return result
    }

    /// `IP protocol ID 50,51` (after list words became commas), `IP protocol 47`, `IP proto 47`
    /// written as the transports they number (`ESP/AH`), so that they read like `GRE` or `ESP`;
    /// numbers without a transport stay and are refused as ports.
    static func ipProtocolNames(_ text: String) -> String {
        let pattern = #"\bIP[ -]?proto(?:col)?\s*(?:ID|number|no\.?|#)?\s*(\d{1,3}(?:\s*,\s*\d{1,3})*)"#
        guard let expression = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return text }
        let result = NSMutableString(string: text)
        for match in expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).reversed() {
            let numbers = result.substring(with: match.range(at: 1)).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let transports = numbers.compactMap { Int($0).flatMap(Transport.ipProtocol) }
            guard transports.count == numbers.count else { continue }
            result.replaceCharacters(in: match.range, with: transports.map { $0.rawValue.uppercased() }.joined(separator: "/"))
        }
        return result as String
    }

    static let wildcardWords: Set<String> = ["any", "all", "qualsiasi", "qualunque", "tutte", "beliebig", "alle", "cualquiera", "todos", "tous", "toutes", "tout", "任意", "すべて", "全部", "所有"]

    static func tokenize(_ text: String) -> Result<[Token], CellProblem> {
        let characters = Array(text)
        var tokens: [Token] = []
        var index = 0
        func isDigit(_ i: Int) -> Bool { i < characters.count && characters[i].isASCII && characters[i].isNumber }
        func lastSignificant() -> Token? { tokens.last { if case .separator = $0 { return false }; return true } }
        while index < characters.count {
            let character = characters[index]
            if isDigit(index) {
                var digits = ""
                while isDigit(index) { digits.append(characters[index]); index += 1 }
                // Thousands grouping: one to three digits, a separator, exactly three digits.
                while digits.count <= 3, index < characters.count, [".", " ", "\u{00A0}", "\u{202F}", "\u{2009}", "'", ","].contains(characters[index]),
                      isDigit(index + 1), isDigit(index + 2), isDigit(index + 3), !isDigit(index + 4) {
                    let group = String(characters[(index + 1)...(index + 3)])
                    guard let merged = Int(digits + group), merged <= 65535 else { break }
                    if characters[index] == "," {
                        var after = index + 4
                        while after < characters.count, characters[after] == " " { after += 1 }
                        let dashAfter = after < characters.count && characters[after] == "-"
                        let dashBefore: Bool = { if case .dash = lastSignificant() { return true }; return false }()
                        guard dashAfter || dashBefore || group == "000" else { break }
                    }
                    if characters[index] == " ", digits.count > 2 { break }
                    digits += group
                    index += 4
                }
                guard digits.count <= 5, let value = Int(digits), value <= 65535 else {
                    return .failure(CellProblem("port \(digits) out of range"))
                }
                tokens.append(.number(UInt16(value)))
                continue
            }
            if character.isLetter {
                var word = ""
                while index < characters.count, characters[index].isLetter || characters[index].isNumber {
                    word.append(characters[index]); index += 1
                }
                if let transport = Transport.named(word) {
                    tokens.append(.transport(transport))
                } else if wildcardWords.contains(word.lowercased()) {
                    tokens.append(.any)
                } else if word.lowercased() == "port" || word.lowercased() == "ports" || word.lowercased() == "porta" || word.lowercased() == "porte" {
                    continue
                } else {
                    return .failure(CellProblem("cannot read '\(word)' as a port"))
                }
                continue
            }
            switch character {
            case "-": tokens.append(.dash)
            case ",", "/", " ", "\u{00A0}", "\u{202F}", "\u{2009}", "\t", "+", ":", ".": tokens.append(.separator(character == "\u{00A0}" ? " " : character))
            case "|": return .failure(CellProblem("alternative ports"))
            default: return .failure(CellProblem("cannot read '\(character)' in ports"))
            }
            index += 1
        }
        return .success(tokens)
    }
}

import Foundation
