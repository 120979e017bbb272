import FirewallModel
import Testing
@testable import IptablesLoading

/// `-j` and `-g`: verdicts, chains, marks, address translation, and targets left to others.
@Suite("targets")
struct TargetTests {
    let line7 = SourceLocation(source: testSource, line: 7)

    @Test("ACCEPT, DROP and REJECT are verdicts; RETURN returns")
    func verdicts() throws {
        #expect(try action("-j ACCEPT") == .verdict(.accept))
        #expect(try action("--jump DROP") == .verdict(.drop))
        #expect(try action("-j REJECT --reject-with icmp-host-prohibited") == .verdict(.reject))
        #expect(try action("-p tcp -j REJECT --reject-with tcp-reset") == .verdict(.reject))
        #expect(try action("-j RETURN") == .return)
    }

    @Test("-j to a declared user chain jumps; -g goes to it")
    func chains() throws {
        #expect(try action("-j LOGDROP") == .jump("LOGDROP"))
        #expect(try action("-p tcp --dport 22 -j ssh-in") == .jump("ssh-in"))
        #expect(try action("-g ssh-in") == .goto("ssh-in"))
        #expect(try action("--goto LOGDROP") == .goto("LOGDROP"))
    }

    @Test("logging and annotating targets continue; their options are consumed")
    func continuing() throws {
        #expect(try action(#"-j LOG --log-prefix "IN DROP: " --log-level 4 --log-uid"#) == .continue("LOG"))
        #expect(try action("-j NFLOG --nflog-group 5 --nflog-prefix x") == .continue("NFLOG"))
        #expect(try action("-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu") == .continue("TCPMSS"))
        #expect(try action("-j CT --helper netbios-ns") == .continue("CT"))
        #expect(try action("-j CT --notrack") == .notrack)
        #expect(try action("-j NOTRACK") == .notrack)
        #expect(try action("-j CHECKSUM --checksum-fill") == .continue("CHECKSUM"))
        #expect(try action("-j SET --add-set seen src") == .continue("SET"))
        #expect(try inputRule("-j LOG").diagnostics.isEmpty)
    }

    @Test("QUEUE, NFQUEUE, SYNPROXY and unknown targets are opaque verdicts with a warning")
    func opaqueVerdicts() throws {
        let (rule, diagnostics) = try inputRule("-j NFQUEUE --queue-num 3 --queue-bypass")
        #expect(rule.action == .opaqueVerdict("NFQUEUE"))
        #expect(diagnostics == [Diagnostic(.warning, "target 'NFQUEUE' is not modelled; its verdict is treated as unknown", at: line7)])
        #expect(try action("-j QUEUE") == .opaqueVerdict("QUEUE"))
        #expect(try action("-p tcp -j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460") == .opaqueVerdict("SYNPROXY"))
        let (tarpit, tarpitDiagnostics) = try inputRule("-p tcp -j TARPIT --tarpit")
        #expect(tarpit.action == .opaqueVerdict("TARPIT"))
        #expect(tarpitDiagnostics.map(\.message) == ["target 'TARPIT' is not modelled; its verdict is treated as unknown"])
    }

    @Test("MARK: every operation as mark = (mark & ~mask) ^ value")
    func mark() throws {
        #expect(try action("-j MARK --set-mark 0x1") == .setMark(value: 1, mask: 0xffff_ffff))
        // --set-mark V/M sets the bits of V: iptables turns it into xmark V/(M|V).
        #expect(try action("-j MARK --set-mark 0x100/0xff00") == .setMark(value: 0x100, mask: 0xff00))
        #expect(try action("-j MARK --set-mark 0x1/0x2") == .setMark(value: 0x1, mask: 0x3))
        #expect(try action("-j MARK --set-xmark 0x1/0xffffffff") == .setMark(value: 1, mask: 0xffff_ffff))
        #expect(try action("-j MARK --set-xmark 5") == .setMark(value: 5, mask: 0xffff_ffff))
        #expect(try action("-j MARK --and-mark 0xff") == .setMark(value: 0, mask: 0xffff_ff00))
        #expect(try action("-j MARK --or-mark 0x4") == .setMark(value: 4, mask: 4))
        #expect(try action("-j MARK --xor-mark 0x4") == .setMark(value: 4, mask: 0))
        #expect(try action("-j MARK --set-mark 010") == .setMark(value: 8, mask: 0xffff_ffff))
    }

    @Test("CONNMARK: setting, saving and restoring the connection mark")
    func connectionMark() throws {
        #expect(try action("-j CONNMARK --set-xmark 0x1/0xff") == .connectionMark(.set(value: 1, mask: 0xff)))
        #expect(try action("-j CONNMARK --set-mark 2") == .connectionMark(.set(value: 2, mask: 0xffff_ffff)))
        #expect(try action("-j CONNMARK --or-mark 0x8") == .connectionMark(.set(value: 8, mask: 8)))
        let (save, saveDiagnostics) = try inputRule("-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff")
        #expect(save.action == .connectionMark(.save))
        #expect(saveDiagnostics.isEmpty)
        let (restore, restoreDiagnostics) = try inputRule("-j CONNMARK --restore-mark --mask 0xff")
        #expect(restore.action == .connectionMark(.restore))
        #expect(restoreDiagnostics.map(\.message) == ["CONNMARK --mask is not modelled; --restore-mark is treated as copying the whole mark"])
    }

    @Test("-m mark and -j MARK, -m connmark and -j CONNMARK, -m set and -j SET are not confused")
    func matchVersusTarget() throws {
        let (rule, _) = try inputRule("-m mark --mark 0x1 -j MARK --set-mark 0x2")
        #expect(rule.matches.map(\.condition) == [.packetMark(value: 1, mask: 0xffff_ffff)])
        #expect(rule.action == .setMark(value: 2, mask: 0xffff_ffff))
        let (connmark, _) = try inputRule("-m connmark --mark 0x4/0xf -j CONNMARK --restore-mark")
        #expect(connmark.matches.map(\.condition) == [.connectionMark(value: 4, mask: 0xf)])
        #expect(connmark.action == .connectionMark(.restore))
        let (set, _) = try inputRule("-m set --match-set a src -j SET --add-set b src")
        #expect(set.matches.map(\.text) == ["-m set --match-set a src"])
        #expect(set.action == .continue("SET"))
    }

    @Test("DNAT and SNAT: address ranges and port ranges, either may be absent")
    func addressTranslation() throws {
        let single = IPAddress("192.0.2.1")!.value
        #expect(try action("-p tcp --dport 80 -j DNAT --to-destination 192.0.2.1:8080")
            == .nat(.destination(address: AddressSet(value: single), ports: PortSet(value: 8080))))
        #expect(try action("-j DNAT --to-destination 192.0.2.1-192.0.2.3:8000-8010")
            == .nat(.destination(address: ipv4Range("192.0.2.1", "192.0.2.3"), ports: PortSet(8000...8010))))
        #expect(try action("-j DNAT --to-destination 192.0.2.1") == .nat(.destination(address: AddressSet(value: single), ports: nil)))
        #expect(try action("-p tcp -j DNAT --to-destination :8080") == .nat(.destination(address: nil, ports: PortSet(value: 8080))))
        #expect(try action("-j SNAT --to-source 198.51.100.1 --random --persistent")
            == .nat(.source(address: addresses("198.51.100.1"), ports: nil)))
        #expect(try action("-p tcp -j DNAT --to-destination [2001:db8::1]:80", family: .ipv6)
            == .nat(.destination(address: addresses("2001:db8::1"), ports: PortSet(value: 80))))
        #expect(try action("-j DNAT --to-destination 2001:db8::1", family: .ipv6)
            == .nat(.destination(address: addresses("2001:db8::1"), ports: nil)))
    }

    @Test("MASQUERADE and REDIRECT")
    func masqueradeAndRedirect() throws {
        #expect(try action("-j MASQUERADE") == .nat(.masquerade))
        #expect(try action("-p tcp -j MASQUERADE --to-ports 1024-65535 --random-fully") == .nat(.masquerade))
        #expect(try action("-p tcp -j REDIRECT --to-ports 9040") == .nat(.redirect(ports: PortSet(value: 9040))))
        #expect(try action("-p tcp -j REDIRECT") == .nat(.redirect(ports: nil)))
    }

    @Test("a user chain that shares its name with nothing iptables knows is still a chain when declared")
    func chainNamesLikeTargets() throws {
        let text = """
            *filter
            :INPUT ACCEPT [0:0]
            :Reject - [0:0]
            :LOG_DROP - [0:0]
            -A INPUT -j Reject
            -A INPUT -j LOG_DROP
            COMMIT
            """
        let rules = try #require(try load(text).tables.first?.chain(named: "INPUT")?.rules)
        #expect(rules.map(\.action) == [.jump("Reject"), .jump("LOG_DROP")])
    }
}
