import Foundation

/// Roles (the endpoints a table names: `Edge Server Access interface`, `Client Live Messenger`) and
/// the zone ids they become.
public enum RoleName {
    /// Endpoint words that mean every address: these roles become the pre-bound zone `any`.
    static let wildcards: Set<String> = [
        "any", "all", "anywhere", "internet", "internet (any)", "qualsiasi", "qualunque", "tutti", "beliebig", "alle",
        "cualquiera", "cualquier", "todos", "tout", "tous", "toutes", "n'importe lequel", "n’importe lequel",
        "任意", "すべて", "全部", "所有", "任何",
    ]

    /// The id of the zone every wildcard role becomes.
    public static let anyZone = "any"

    /// Whether the role means every address (`Any`, `Qualsiasi`, `Internet (any)`, `任意`).
    public static func isWildcard(_ role: String) -> Bool {
        var text = role.trimmingCharacters(in: .whitespaces).lowercased()
        while text.hasSuffix(":") || text.hasSuffix(".") { text.removeLast() }
        return wildcards.contains(text)
    }

    /// A stable zone id for a role: lower-case ASCII words joined by '-', accents dropped, at most
    /// 48 characters. Text in other scripts (`エッジ サーバー`) cannot be spelt in ASCII: the id then
    /// ends with a short hash of the role text, so different roles never share an id.
    public static func slug(_ role: String) -> String {
        let folded = role.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
        var words: [String] = []
        var current = ""
        var droppedLetters = false
        for scalar in folded.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                current.unicodeScalars.append(scalar)
            } else {
                if scalar.properties.isAlphabetic { droppedLetters = true }
                if !current.isEmpty { words.append(current); current = "" }
            }
        }
        if !current.isEmpty { words.append(current) }
        var slug = ""
        for word in words {
            let candidate = slug.isEmpty ? word : slug + "-" + word
            if candidate.count > 48 { break }
            slug = candidate
        }
        if slug.isEmpty, let first = words.first { slug = String(first.prefix(48)) }
        if droppedLetters || slug.isEmpty {
            let hash = String(fnv1a(role.precomposedStringWithCanonicalMapping) % 0x100_0000, radix: 16)
            let suffix = String(repeating: "0", count: 6 - hash.count) + hash
            slug = slug.isEmpty ? "role-\(suffix)" : "\(slug)-\(suffix)"
        }
        return slug
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
