import FirewallModel
import NftablesBytecode
@testable import NftablesLoading
import Testing

/// Kernel rules of a loaded nft script located by their line in the script: how the script is
/// read, how rule texts are compared, and when a line is not claimed.
@Suite struct ScriptLineTests {
    /// Two rules of `inet filter input`, as the kernel holds `tcp dport 22 accept` and `tcp dport 80 drop`.
    static let kernel = """
    inet filter input handle 4
      [ meta load l4proto => reg 1 ]
      [ cmp eq reg 1 0x00000006 ]
      [ payload load 2b @ transport header + 2 => reg 1 ]
      [ cmp eq reg 1 0x00001600 ]
      [ immediate reg 0 accept ]
    inet filter input handle 5
      [ meta load l4proto => reg 1 ]
      [ cmp eq reg 1 0x00000006 ]
      [ payload load 2b @ transport header + 2 => reg 1 ]
      [ cmp eq reg 1 0x00005000 ]
      [ immediate reg 0 drop ]
    """

    static func load(_ script: String, file: String = "fw.nft",
                     include: @escaping (String, String) -> [ScriptLayout.IncludedFile]? = { _, _ in nil }) throws -> Ruleset {
        try NftablesLoader.load(try snapshot(kernel), source: file, script: ScriptLayout(script, file: file, include: include))
    }

    static func lines(_ ruleset: Ruleset) -> [Int?] { ruleset.tables[0].chains[0].rules.map(\.location.line) }

    @Test func rulesTakeTheLineOfTheirRuleInTheScriptAndKeepTheirHandle() throws {
        let ruleset = try Self.load("""
        #!/usr/sbin/nft -f
        flush ruleset
        table inet filter {
            chain input {
                type filter hook input priority filter
                policy accept
                tcp dport ssh accept   # by name
                meta l4proto tcp tcp dport 80 \\
                    drop
            }
        }
        """)
        #expect(Self.lines(ruleset) == [7, 8])
        let first = ruleset.tables[0].chains[0].rules[0].location
        #expect(first.description == "fw.nft:7: table inet filter chain input handle 4")
        // The chain is located at the line that sets its policy; the table at its declaration.
        #expect(ruleset.tables[0].chains[0].location.line == 6)
        #expect(ruleset.tables[0].location.line == 3)
        #expect(ruleset.diagnostics.isEmpty)
    }

    @Test func addAndInsertCommandsOutsideBlocksFollowTheKernelsOrder() throws {
        let ruleset = try Self.load("""
        add table inet filter
        add chain inet filter input { type filter hook input priority 0; policy accept; }
        add rule inet filter input tcp dport 80 drop
        insert rule inet filter input tcp dport 22 accept
        """)
        #expect(Self.lines(ruleset) == [4, 3])
    }

    @Test func flushedRulesAndVariablesAreAccountedFor() throws {
        let ruleset = try Self.load("""
        define web = 80
        table inet filter {
            chain input { type filter hook input priority 0; tcp dport 443 accept; }
        }
        flush chain inet filter input
        table inet filter {
            chain input { tcp dport 22 accept; tcp dport $web drop; }
        }
        """)
        #expect(Self.lines(ruleset) == [7, 7])
    }

    @Test func includedFilesAreReadWhereTheyAreIncluded() throws {
        let ruleset = try Self.load("""
        table inet filter {
            chain input {
                type filter hook input priority 0;
                tcp dport 22 accept
            }
        }
        include "rules.d/*.nft"
        """, include: { name, from in
            name == "rules.d/*.nft" && from == "fw.nft"
                ? [ScriptLayout.IncludedFile(path: "rules.d/web.nft", text: "\n\nadd rule inet filter input tcp dport 80 drop\n")] : nil
        })
        let rules = ruleset.tables[0].chains[0].rules.map(\.location)
        #expect(rules.map(\.description) == ["fw.nft:4: table inet filter chain input handle 4",
                                             "rules.d/web.nft:3: table inet filter chain input handle 5"])
    }

    @Test func anIncludeThatCannotBeReadLeavesEveryRuleAtItsHandle() throws {
        let ruleset = try Self.load("include \"missing.nft\"\n")
        #expect(Self.lines(ruleset) == [nil, nil])
        #expect(ruleset.diagnostics.map(\.message) == ["rules are located by kernel handle, not by script line: could not read the included file 'missing.nft'"])
    }

    @Test func aRuleWhoseTextDisagreesIsNotClaimed() throws {
        let ruleset = try Self.load("""
        table inet filter {
            chain input {
                type filter hook input priority 0;
                tcp dport 22 accept
                tcp dport 8080 drop
            }
        }
        """)
        #expect(Self.lines(ruleset) == [4, nil])
        let note = try #require(ruleset.diagnostics.first)
        #expect(note.severity == .note)
        #expect(note.message == "the kernel's rule does not read as fw.nft:5 (tcp dport 8080 drop); it is located by kernel handle")
        #expect(note.location?.detail == "table inet filter chain input handle 5")
    }

    @Test func rulesThatDisagreeAreNotedOncePerChain() throws {
        let ruleset = try Self.load("""
        table inet filter {
            chain input {
                tcp dport 23 accept
                tcp dport 8080 drop
            }
        }
        """)
        #expect(Self.lines(ruleset) == [nil, nil])
        #expect(ruleset.diagnostics.map(\.message)
            == ["the kernel's rule does not read as fw.nft:3 (tcp dport 23 accept); it and 1 more rule of this chain are located by kernel handle"])
    }

    @Test func aChainWhoseRuleCountDiffersOrWhoseOrderIsUnknownIsNotMapped() throws {
        let extra = try Self.load("table inet filter {\n chain input {\n tcp dport 22 accept\n }\n}\n")
        #expect(Self.lines(extra) == [nil, nil])
        #expect(extra.diagnostics.map(\.message) == ["the kernel holds 2 rules in this chain, the script writes 1; rules are located by kernel handle"])
        let placed = try Self.load("""
        table inet filter {
            chain input {
                tcp dport 80 drop
            }
        }
        add rule inet filter input position 2 tcp dport 22 accept
        """)
        #expect(Self.lines(placed) == [nil, nil])
        #expect(placed.diagnostics.map(\.message) == ["rules are located by kernel handle, not by script line: the script places a rule by position"])
        let deleted = try Self.load("""
        table inet filter { chain input { tcp dport 22 accept; tcp dport 80 drop; tcp dport 23 drop; } }
        delete rule inet filter input handle 6
        """)
        #expect(Self.lines(deleted) == [nil, nil])
    }

    @Test func withoutAScriptRulesAreLocatedByHandleAlone() throws {
        let ruleset = try NftablesLoader.load(try snapshot(Self.kernel), source: "live")
        #expect(ruleset.tables[0].chains[0].rules.map(\.location.description)
            == ["live: table inet filter chain input handle 4", "live: table inet filter chain input handle 5"])
    }

    @Test func theRuleCommentIsKeptAndPrintedAfterTheRule() throws {
        var notation = try NotationParser.rules("inet filter input handle 4\n  [ immediate reg 0 accept ]\n")
        notation[0].comment = "from the office"
        let snapshot = Snapshot(tables: [TableObject(family: .inet, name: "filter")],
                                chains: [ChainObject(family: .inet, table: "filter", name: "input", hook: 1, priority: 0, policy: 1, type: "filter")],
                                rules: notation)
        let script = ScriptLayout("table inet filter {\n chain input {\n  accept comment \"from the office\"\n }\n}\n", file: "c.nft")
        let rule = try NftablesLoader.load(snapshot, source: "c.nft", script: script).tables[0].chains[0].rules[0]
        #expect(rule.comment == "from the office")
        #expect(rule.text == "accept comment \"from the office\"")
        #expect(rule.location.line == 3)
        // A different comment is a different rule.
        let other = ScriptLayout("table inet filter {\n chain input {\n  accept comment \"elsewhere\"\n }\n}\n", file: "c.nft")
        #expect(try NftablesLoader.load(snapshot, source: "c.nft", script: other).tables[0].chains[0].rules[0].location.line == nil)
    }
}

/// What nft rewrites between a script and its listing, and what it does not.
@Suite struct RuleTextComparisonTests {
    static func agree(_ script: String, _ kernel: String, comment: String? = nil, map: Bool = false) -> Bool {
        RuleTextComparison.agree(script: ScriptToken.scan(script), kernelTexts: [kernel], kernelComment: comment, looksUpMap: map)
    }

    @Test func equivalentSpellingsAgree() {
        #expect(Self.agree("iif lo accept", "iif \"lo\" accept"))
        #expect(Self.agree("ct state { established, related } accept", "ct state established,related accept"))
        #expect(Self.agree("tcp dport { 443, 80, 22 } accept", "tcp dport { 22, 80, 443 } accept"))
        #expect(Self.agree("tcp dport { ssh, https } accept", "tcp dport { 22, 443 } accept"))
        #expect(Self.agree("tcp dport { 22 } accept", "tcp dport 22 accept"))
        #expect(Self.agree("tcp dport ssh counter accept", "tcp dport 22 counter packets 0 bytes 0 accept"))
        #expect(Self.agree("meta l4proto ipv6-icmp icmpv6 type echo-request accept", "icmpv6 type echo-request accept"))
        #expect(Self.agree("ip6 nexthdr icmpv6 accept", "ip6 nexthdr ipv6-icmp accept"))
        #expect(Self.agree("meta l4proto 6 accept", "meta l4proto tcp accept"))
        #expect(Self.agree("meta mark 0x10 drop", "meta mark 16 drop"))
        #expect(Self.agree("ip saddr 192.0.2.1/32 drop", "ip saddr 192.0.2.1 drop"))
        #expect(Self.agree("tcp dport 22 reject", "tcp dport 22 reject type 0 code 3"))
        #expect(Self.agree("meta l4proto . th dport { tcp . 50000-59999, udp . 3478 } accept",
                           "meta l4proto . th dport { meta l4proto udp . th dport 3478, meta l4proto tcp . th dport 50000-59999 } accept"))
        #expect(Self.agree("accept comment \"a b\"", "accept", comment: "a b"))
        #expect(Self.agree("tcp flags & (syn | ack) == syn limit rate 10/second accept",
                           "tcp flags & 0x12 syn limit rate 10/second burst 5 packets accept"))
        #expect(Self.agree("tcp flags & (fin|syn|rst|ack) == syn drop", "tcp flags & 0x17 syn drop"))
        #expect(Self.agree("meta pkttype broadcast counter drop", "meta pkttype 0x1 counter drop"))
        #expect(Self.agree("log prefix \"in: \" flags all", "log prefix \"in: \""))
    }

    @Test func differentRulesDisagree() {
        #expect(!Self.agree("tcp dport 22 accept", "tcp dport 22 drop"))
        #expect(!Self.agree("tcp dport { 22, 80 } accept", "tcp dport { 22, 443 } accept"))
        #expect(!Self.agree("iifname \"eth0\" accept", "iifname \"eth1\" accept"))
        #expect(!Self.agree("meta l4proto tcp accept", "meta l4proto udp accept"))
        #expect(!Self.agree("accept comment \"a\"", "accept", comment: "b"))
        #expect(!Self.agree("accept", "accept", comment: "b"))
        #expect(!Self.agree("tcp flags & (syn | ack) == syn accept", "tcp flags & 0x17 syn accept"))
        #expect(!Self.agree("meta pkttype broadcast drop", "meta pkttype 0x2 drop"))
    }

    @Test func aMapRuleAgreesByWhatItWritesBeforeTheKey() {
        let paths = ["ct state new ip daddr 198.51.100.10 meta l4proto tcp th dport 443 accept",
                     "ct state new ip daddr 198.51.100.10 meta l4proto udp th dport 3478 accept"]
        func agree(_ script: String) -> Bool {
            RuleTextComparison.agree(script: ScriptToken.scan(script), kernelTexts: paths, kernelComment: nil, looksUpMap: true)
        }
        #expect(agree("ct state new ip daddr 198.51.100.10 meta l4proto . th dport vmap @inbound"))
        #expect(!agree("ct state new ip daddr 198.51.100.11 meta l4proto . th dport vmap @inbound"))
        #expect(!agree("ct state new ip daddr 198.51.100.10 accept"))
    }
}
