import FirewallModel
import Testing
@testable import IptablesLoading

/// What cannot be loaded: each error names the file, the line and (where known) the column.
///
/// Rules in these tests start at line 7 of a filter table (see `filterTable`); `-A INPUT ` takes
/// columns 1–9, so the first option is at column 10.
@Suite("errors")
struct ErrorTests {
    @Test("the error prints as file:line:column: message")
    func errorDescription() {
        let error = IptablesLoadingError(location: SourceLocation(source: "a.v4", line: 3, column: 7), message: "unknown chain 'FOO' in -j")
        #expect(error.description == "a.v4:3:7: unknown chain 'FOO' in -j")
    }

    @Test("a rule in a chain the table does not declare")
    func undeclaredChainInRule() {
        #expect(loadingError(filterTable(["-A NOPE -j ACCEPT"])) == "rules.v4:7:4: unknown chain 'NOPE' in -A")
    }

    @Test("a jump or goto to an undeclared chain")
    func undeclaredJumpTarget() {
        #expect(ruleError("-j nope") == "rules.v4:7:13: unknown chain 'nope' in -j")
        #expect(ruleError("-j ufw-logging-deny") == "rules.v4:7:13: unknown chain 'ufw-logging-deny' in -j")
        #expect(ruleError("-j LOG_DROP") == "rules.v4:7:13: unknown chain 'LOG_DROP' in -j")
        #expect(ruleError("-g LOGDROP2") == "rules.v4:7:13: unknown chain 'LOGDROP2' in -g")
        // An undeclared upper-case name may be a target extension fwaudit does not know (see TargetTests).
        #expect(ruleError("-j LOGDROP2") == nil)
    }

    @Test("a jump to a built-in chain")
    func jumpToBuiltin() {
        #expect(ruleError("-j OUTPUT") == "rules.v4:7:13: cannot jump to built-in chain 'OUTPUT'")
    }

    @Test("a table without COMMIT, at the end of the file or before the next table")
    func missingCommit() {
        #expect(loadingError("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n") == "rules.v4:1: missing COMMIT for table 'filter'")
        #expect(loadingError("*filter\n:INPUT ACCEPT [0:0]\n*nat\nCOMMIT\n") == "rules.v4:3: missing COMMIT for table 'filter' (line 1) before '*nat'")
    }

    @Test("COMMIT, rules and chain declarations outside a table")
    func outsideTable() {
        #expect(loadingError("COMMIT\n") == "rules.v4:1: COMMIT outside a table")
        #expect(loadingError("# x\n-A INPUT -j ACCEPT\n") == "rules.v4:2: rule outside a table")
        #expect(loadingError(":INPUT ACCEPT [0:0]\n") == "rules.v4:1: chain declaration outside a table")
    }

    @Test("a built-in chain name the table has no hook for")
    func builtinWithoutHook() {
        #expect(loadingError("*raw\n:INPUT ACCEPT [0:0]\nCOMMIT\n") == "rules.v4:2:2: table 'raw' has no built-in chain 'INPUT'")
        #expect(loadingError("*filter\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n") == "rules.v4:2:2: table 'filter' has no built-in chain 'POSTROUTING'")
    }

    @Test("policies: built-in chains take ACCEPT or DROP, user chains take '-'")
    func policies() {
        #expect(loadingError("*filter\n:INPUT RETURN [0:0]\nCOMMIT\n") == "rules.v4:2:8: invalid policy 'RETURN' for built-in chain 'INPUT'")
        #expect(loadingError("*filter\n:mine ACCEPT [0:0]\nCOMMIT\n") == "rules.v4:2:7: user chain 'mine' cannot have policy 'ACCEPT'")
        #expect(loadingError("*filter\n:INPUT\nCOMMIT\n") == "rules.v4:2:7: missing policy for chain 'INPUT'")
    }

    @Test("a chain declared twice")
    func duplicateChain() {
        #expect(loadingError("*filter\n:a - [0:0]\n:a - [0:0]\nCOMMIT\n") == "rules.v4:3:2: chain 'a' declared twice")
    }

    @Test("an unknown option of a modelled match")
    func unknownModelledOption() {
        #expect(ruleError("-p tcp -m tcp --dprt 22 -j ACCEPT") == "rules.v4:7:24: unknown option '--dprt' for match 'tcp'")
        #expect(ruleError("-m conntrack --ctstates NEW") == "rules.v4:7:23: unknown option '--ctstates' for match 'conntrack'")
    }

    @Test("a module option with no module to own it")
    func optionWithoutModule() {
        // Without -p tcp, iptables has no match that knows --dport.
        #expect(ruleError("--dport 22 -j ACCEPT") == "rules.v4:7:10: unknown option '--dport'")
        // After `! -p tcp` iptables does not load the tcp match implicitly.
        #expect(ruleError("! -p tcp --dport 22") == "rules.v4:7:19: unknown option '--dport'")
        #expect(ruleError("-x foo") == "rules.v4:7:10: unknown option '-x'")
    }

    @Test("malformed addresses and addresses of the other family")
    func badAddresses() {
        #expect(ruleError("-s 10.0.0.300 -j DROP") == "rules.v4:7:13: malformed address '10.0.0.300'")
        #expect(ruleError("-s 10.0.0.0/33") == "rules.v4:7:13: malformed address '10.0.0.0/33'")
        #expect(ruleError("-d example.com") == "rules.v4:7:13: malformed address 'example.com'")
        #expect(ruleError("-s 2001:db8::1") == "rules.v4:7:13: ipv6 address '2001:db8::1' in an ipv4 ruleset")
        #expect(ruleError("-s 192.0.2.1", family: .ipv6) == "rules.v4:7:13: ipv4 address '192.0.2.1' in an ipv6 ruleset")
        #expect(ruleError("-m iprange --src-range 10.0.0.9-10.0.0.1") == "rules.v4:7:33: empty address range '10.0.0.9-10.0.0.1'")
        #expect(ruleError("! -s 192.0.2.1,192.0.2.2") == "rules.v4:7:15: '!' is not allowed with several addresses")
    }

    @Test("malformed ports, unknown services and unknown protocols")
    func badPortsAndProtocols() {
        #expect(ruleError("-p tcp --dport 70000") == "rules.v4:7:25: port '70000' out of range")
        #expect(ruleError("-p tcp --dport 80:22") == "rules.v4:7:25: empty port range '80:22'")
        #expect(ruleError("-p udp --sport nosuchservice") == "rules.v4:7:25: unknown service 'nosuchservice'")
        #expect(ruleError("-p tcp -m multiport --dports 22,,80") == "rules.v4:7:39: malformed port list '22,,80'")
        #expect(ruleError("-p nosuchproto") == "rules.v4:7:13: unknown protocol 'nosuchproto'")
        #expect(ruleError("-p 256") == "rules.v4:7:13: unknown protocol '256'")
        #expect(ruleError("-p tcp --tcp-flags SYN,BOGUS SYN") == "rules.v4:7:29: unknown tcp flag 'BOGUS'")
    }

    @Test("malformed values of other modelled matches")
    func badMatchValues() {
        #expect(ruleError("-p icmp --icmp-type bogus") == "rules.v4:7:30: unknown icmp type 'bogus'")
        #expect(ruleError("-m conntrack --ctstate NEW,BOGUS") == "rules.v4:7:33: unknown connection state 'BOGUS'")
        #expect(ruleError("-m addrtype --dst-type LOCALE") == "rules.v4:7:33: unknown address type 'LOCALE'")
        #expect(ruleError("-m mark --mark 0xzz") == "rules.v4:7:25: malformed mark '0xzz'")
        #expect(ruleError("-m comment ! --comment x") == "rules.v4:7:21: '--comment' cannot be negated")
    }

    @Test("icmp and icmp6 belong to their own family")
    func icmpFamily() {
        #expect(ruleError("-p icmp -m icmp --icmp-type 8", family: .ipv6) == "rules.v4:7:21: match 'icmp' is for ipv4 rulesets; use icmp6")
        #expect(ruleError("-m icmp6 --icmpv6-type 128") == "rules.v4:7:13: match 'icmp6' is for ipv6 rulesets; use icmp")
    }

    @Test("missing values, doubled options and misplaced negation")
    func optionShape() {
        #expect(ruleError("-s") == "rules.v4:7:10: option '-s' needs a value")
        #expect(ruleError("-s -j ACCEPT") == "rules.v4:7:10: option '-s' needs a value")
        #expect(ruleError("-p tcp -p udp") == "rules.v4:7:17: option '-p' given twice")
        #expect(ruleError("! -s ! 10.0.0.1") == "rules.v4:7:15: double negation")
        #expect(ruleError("-s 10.0.0.1 !") == "rules.v4:7:22: '!' at end of rule")
        #expect(ruleError("! -m tcp") == "rules.v4:7:10: '!' cannot precede -m")
        #expect(ruleError("-j ACCEPT -j DROP") == "rules.v4:7:20: more than one target")
        #expect(ruleError("-s 10.0.0.1 stray") == "rules.v4:7:22: unexpected word 'stray'")
        #expect(ruleError("-A INPUT -j ACCEPT") == "rules.v4:7:10: unexpected command '-A' inside a rule")
        #expect(ruleError("-i averyveryverylongname") == "rules.v4:7:13: invalid interface name 'averyveryverylongname'")
    }

    @Test("unterminated quotes and malformed counters")
    func lexicalErrors() {
        #expect(ruleError("-m comment --comment \"open -j ACCEPT") == "rules.v4:7:31: unterminated double quote")
        #expect(loadingError(filterTable(["[1:x] -A INPUT -j ACCEPT"])) == "rules.v4:7:1: malformed counters")
        // Columns count characters, not bytes.
        #expect(ruleError(#"-m comment --comment "é" -s 300.0.0.1"#) == "rules.v4:7:38: malformed address '300.0.0.1'")
    }

    @Test("bad target options and incomplete targets")
    func targetErrors() {
        #expect(ruleError("-j REJECT --reject-whith tcp-reset") == "rules.v4:7:20: unknown option '--reject-whith' for target 'REJECT'")
        #expect(ruleError("-j ACCEPT --foo") == "rules.v4:7:20: unknown option '--foo' for target 'ACCEPT'")
        #expect(ruleError("-j LOGDROP --foo") == "rules.v4:7:21: unexpected option '--foo' after -j LOGDROP")
        #expect(ruleError("-j DNAT") == "rules.v4:7:13: DNAT needs --to-destination")
        #expect(ruleError("-j DNAT --to-destination 300.0.0.1") == "rules.v4:7:35: malformed address '300.0.0.1'")
        #expect(ruleError("-j MARK") == "rules.v4:7:13: MARK needs --set-mark, --set-xmark, --and-mark, --or-mark or --xor-mark")
        #expect(ruleError("-j MARK --set-mark 1 --or-mark 2") == "rules.v4:7:31: MARK takes one mark operation")
        #expect(ruleError("-j MARK --set-mark") == "rules.v4:7:18: option '--set-mark' needs a value")
        #expect(ruleError("-j REJECT ! --reject-with x") == "rules.v4:7:20: target options cannot be negated")
    }

    @Test("unsupported table commands")
    func unsupportedCommands() {
        #expect(loadingError(filterTable(["-D INPUT 1"])) == "rules.v4:7:1: unsupported command '-D'")
        #expect(loadingError(filterTable(["-F"])) == "rules.v4:7:1: unsupported command '-F'")
    }

    @Test("a line inside a table that is neither a declaration, a rule nor COMMIT")
    func unexpectedLine() {
        #expect(loadingError("*filter\nbogus\nCOMMIT\n") == "rules.v4:2:1: unexpected line 'bogus'")
    }
}
