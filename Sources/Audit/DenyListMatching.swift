import FirewallModel
import FlowAnalysis
import PortMatrix

/// Which drops the matrix's `denyLists` make intended: drops by a rule in a chain whose name
/// matches a glob (`f2b-*`), or by a rule that looks addresses up in a named set (`@blocklist`,
/// `-m set --match-set blocklist src`).
struct DenyListMatching {
    let denyLists: [DenyList]

    /// The deny list a decision belongs to, if any.
    func denyList(of decision: Decision) -> DenyList? {
        guard decision.verdict != .accept, let rule = decision.rule else { return nil }
        for entry in denyLists {
            switch entry {
            case .chain:
                if entry.matchesChain(decision.chain) { return entry }
            case .set:
                if rule.matches.contains(where: { Self.setNames(in: $0.text).contains(where: entry.matchesSet) }) { return entry }
            }
        }
        return nil
    }

    /// The sets a match as the input wrote it looks up: nft's `@name`, iptables' `--match-set
    /// name`. The model keeps a set's elements, not its name, so its text is read.
    static func setNames(in text: String) -> [String] {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "{" || $0 == "}" || $0 == "," }).map(String.init)
        var names = words.filter { $0.hasPrefix("@") && $0.count > 1 }.map { String($0.dropFirst()) }
        for (index, word) in words.enumerated() where word == "--match-set" && index + 1 < words.count { names.append(words[index + 1]) }
        return names
    }
}
