import FirewallModel
import Testing

/// The iptables → nft translation of the oracle, without a kernel: what each style writes for a
/// few rules. (Whether `nft -f` accepts the scripts is checked by every differential run, which
/// reports a rejected script as a harness anomaly.)
struct NftScriptTranslation {
    static let ruleset = GeneratedRuleset(family: .ipv4, tables: [
        .init(name: "raw", chains: [
            .init(name: "PREROUTING", policy: "ACCEPT", rules: [.init(matches: ["-p udp"], target: "-j CT --notrack")]),
        ]),
        .init(name: "filter", chains: [
            .init(name: "INPUT", policy: "DROP", rules: [
                .init(matches: ["-s 10.0.0.0/8", "-p tcp", "-m tcp --dport 22"], target: "-j ACCEPT"),
                .init(matches: ["-p tcp", "-m multiport --dports 80,443,81:90"], target: "-j u1"),
                .init(matches: ["-p udp", "-m multiport --ports 53"], target: "-j DROP"),
                .init(matches: ["! -i eth+", "-m conntrack --ctstate RELATED,ESTABLISHED"], target: "-j ACCEPT"),
            ]),
            .init(name: "u1", policy: nil, rules: [.init(matches: [], target: "-j MARK --set-xmark 0x2/0x2")]),
        ]),
    ])

    @Test func inetStyleWritesOneInetTableWithNamedSets() {
        let text = NftScript(ruleset: NftScriptTranslation.ruleset, style: .inet).text()
        #expect(text.contains("table inet fwaudit_rules {"))
        #expect(!text.contains("table ip "))
        #expect(text.contains("chain raw_PREROUTING {\n        type filter hook prerouting priority -300; policy accept;"))
        #expect(text.contains("chain filter_INPUT {\n        type filter hook input priority 0; policy drop;"))
        #expect(text.contains("meta l4proto tcp ip saddr . tcp dport { 10.0.0.0/8 . 22 } accept"))
        #expect(text.contains("tcp dport vmap { 80-90 : jump filter_u1, 443 : jump filter_u1 }"))
        #expect(text.contains("meta l4proto udp udp sport { 53 } drop"))
        #expect(text.contains("meta l4proto udp udp sport != { 53 } udp dport { 53 } drop"))
        #expect(text.contains("iifname != \"eth*\" ct state related,established accept"))
        #expect(text.contains("meta mark set meta mark and 0xfffffffd xor 0x2"))
        #expect(text.contains("meta l4proto udp notrack"))
    }

    @Test func perFamilyStyleWritesIptablesTablesAndNames() {
        let text = NftScript(ruleset: NftScriptTranslation.ruleset, style: .perFamily).text()
        #expect(text.contains("table ip raw {") && text.contains("table ip filter {") && !text.contains("table inet"))
        #expect(text.contains("tcp dport vmap { 80-90 : jump u1, 443 : jump u1 }"))
        #expect(text.contains("ct state { related, established } accept"))
        #expect(text.contains("ip protocol udp notrack"))
    }

    @Test func mixedStyleWritesFilterAsInetAndTheRestPerFamily() {
        let text = NftScript(ruleset: NftScriptTranslation.ruleset, style: .mixed).text()
        #expect(text.contains("table ip raw {") && text.contains("table inet fwaudit_rules {") && !text.contains("table ip filter"))
        #expect(text.contains("chain filter_u1 {"))
    }

    @Test func multiportListsAreMergedIntoDisjointElements() {
        #expect(NftScript.mergedPorts("22,80:90,85,91,443") == ["22", "80-91", "443"])
        #expect(NftScript.mergedPorts("5:5") == ["5"])
    }

    @Test func namedIntervalSetsTakeTurnsAtAdjacentAndOverlappingElements() {
        #expect((1...3).map(NftScript.IntervalShape.init) == [.adjacent, .overlapping, .plain])
        #expect(NftScript.addressElements("10.0.0.0/8", family: .ipv4, shape: .adjacent) == ["10.0.0.0-10.127.255.255", "10.128.0.0-10.255.255.255"])
        #expect(NftScript.addressElements("10.0.0.0/8", family: .ipv4, shape: .overlapping)
                == ["10.0.0.0/8", "10.0.0.0-10.127.255.255", "10.127.255.255-10.255.255.255"])
        #expect(NftScript.addressElements("192.0.2.7/32", family: .ipv4, shape: .adjacent) == ["192.0.2.7/32"])
        #expect(NftScript.addressElements("2001:db8::/127", family: .ipv6, shape: .adjacent) == ["2001:db8::", "2001:db8::1"])
        #expect(NftScript.addressElements("192.0.2.1-192.0.2.3", family: .ipv4, shape: .adjacent) == ["192.0.2.1-192.0.2.2", "192.0.2.3"])
        #expect(NftScript.portElements(["22", "80-90"], shape: .adjacent) == ["22", "80-85", "86-90"])
        #expect(NftScript.portElements(["22", "80-90"], shape: .overlapping) == ["22", "80-90", "80-85", "85-90"])
        let ruleset = GeneratedRuleset(family: .ipv4, tables: [.init(name: "filter", chains: [
            .init(name: "INPUT", policy: "DROP", rules: [
                .init(matches: ["! -s 10.0.0.0/8", "! -d 192.0.2.0/24", "-p tcp", "-m multiport ! --dports 80:90"], target: "-j ACCEPT"),
            ]),
        ])])
        let text = NftScript(ruleset: ruleset, style: .inet).text()
        #expect(text.contains("set addresses_adjacent1 { type ipv4_addr; flags interval; elements = { 10.0.0.0-10.127.255.255, 10.128.0.0-10.255.255.255 } }"))
        #expect(text.contains("set addresses_overlapping2 { type ipv4_addr; flags interval; auto-merge; elements = { 192.0.2.0/24, "))
        #expect(text.contains("set ports3 { type inet_service; flags interval; elements = { 80-90 } }"))
        #expect(text.contains("ip saddr != @addresses_adjacent1 ip daddr != @addresses_overlapping2 meta l4proto tcp tcp dport != @ports3 accept"))
    }

    @Test func stylesAlternateOverACampaign() {
        #expect((0..<3).map(NftScript.style(forRuleset:)) == [.inet, .perFamily, .mixed])
    }
}
