import FirewallModel
import Testing
@testable import IptablesLoading

/// The name test inputs are loaded under; errors and locations print it.
let testSource = "rules.v4"

/// Loads `text` as an iptables-save file.
func load(_ text: String, family: AddressFamily = .ipv4) throws -> Ruleset {
    try IptablesLoader.load(text, source: testSource, family: family)
}

/// A filter table with the three built-in chains and two user chains; `rules` start at line 7.
func filterTable(_ rules: [String]) -> String {
    ([
        "*filter",
        ":INPUT ACCEPT [0:0]",
        ":FORWARD DROP [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        ":LOGDROP - [0:0]",
        ":ssh-in - [0:0]",
    ] + rules + ["COMMIT"]).joined(separator: "\n") + "\n"
}

/// The line the first rule of `filterTable` is on.
let firstRuleLine = 7

/// Loads `-A INPUT <options>` in the filter table and returns the rule and the diagnostics.
func inputRule(_ options: String, family: AddressFamily = .ipv4) throws -> (rule: Rule, diagnostics: [Diagnostic]) {
    let ruleset = try load(filterTable(["-A INPUT " + options]), family: family)
    let rules = try #require(ruleset.tables.first?.chain(named: "INPUT")?.rules)
    try #require(rules.count == 1)
    return (rules[0], ruleset.diagnostics)
}

/// The matches of `-A INPUT <options>`.
func matches(_ options: String, family: AddressFamily = .ipv4) throws -> [Match] {
    try inputRule(options, family: family).rule.matches
}

/// The single match of `-A INPUT <options>`.
func onlyMatch(_ options: String, family: AddressFamily = .ipv4) throws -> Match {
    let all = try matches(options, family: family)
    try #require(all.count == 1, "expected one match, got \(all.map(\.text))")
    return all[0]
}

/// The action of `-A INPUT <options>`.
func action(_ options: String, family: AddressFamily = .ipv4) throws -> Action {
    try inputRule(options, family: family).rule.action
}

/// The error loading `text` throws, as `file:line[:column]: message`.
func loadingError(_ text: String, family: AddressFamily = .ipv4) -> String? {
    do {
        _ = try IptablesLoader.load(text, source: testSource, family: family)
        return nil
    } catch {
        return error.description
    }
}

/// The error a single `-A INPUT <options>` rule (line 7) throws.
func ruleError(_ options: String, family: AddressFamily = .ipv4) -> String? {
    loadingError(filterTable(["-A INPUT " + options]), family: family)
}

/// Addresses from text, for expectations.
func addresses(_ text: String) -> AddressSet {
    AddressPrefix(text)!.addresses
}

func ipv4Range(_ low: String, _ high: String) -> AddressSet {
    AddressSet(IPAddress(low)!.value...IPAddress(high)!.value)
}

/// An ICMP type with every code.
func icmpType(_ type: UInt16) -> IntervalSet<UInt16> {
    IntervalSet((type << 8)...(type << 8 | 0xff))
}
