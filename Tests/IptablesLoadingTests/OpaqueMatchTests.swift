import FirewallModel
import Testing
@testable import IptablesLoading

/// What the model does not cover is kept as opaque matches with a warning, never an error.
@Suite("opaque matches")
struct OpaqueMatchTests {
    let line7 = SourceLocation(source: testSource, line: 7)

    @Test("an unmodelled module becomes one opaque match spanning all its options, with a warning")
    func unmodelledModule() throws {
        let (rule, diagnostics) = try inputRule("-m owner --uid-owner 1000 --gid-owner 10 -j LOG --log-prefix \"dropped: \"")
        #expect(rule.matches == [
            Match(.opaque(OpaqueMatch(module: "owner", reason: "match module 'owner' is not modelled")), text: "-m owner --uid-owner 1000 --gid-owner 10"),
        ])
        #expect(rule.action == .continue("LOG"))
        #expect(diagnostics == [Diagnostic(.warning, "match 'owner' is not modelled; treated as unknown", at: line7)])
    }

    @Test("a negated option inside an opaque module makes the opaque match negated")
    func negatedOpaque() throws {
        let match = try onlyMatch("-m pkttype ! --pkt-type broadcast")
        #expect(match.negated)
        #expect(match.text == "-m pkttype ! --pkt-type broadcast")
        #expect(match.condition == .opaque(OpaqueMatch(module: "pkttype", reason: "match module 'pkttype' is not modelled")))
    }

    @Test("top-level options after an opaque module are read normally")
    func afterOpaque() throws {
        let (rule, _) = try inputRule("-m owner --uid-owner 1000 ! -s 10.0.0.0/8 -m set --match-set blocklist src -j DROP")
        #expect(rule.matches.map(\.text) == ["-m owner --uid-owner 1000", "! -s 10.0.0.0/8", "-m set --match-set blocklist src"])
        #expect(rule.matches.map(\.isOpaque) == [true, false, true])
        #expect(rule.action == .verdict(.drop))
    }

    @Test("quoted values inside an opaque module are never taken for options")
    func quotedOpaqueValues() throws {
        let (rule, _) = try inputRule(#"-m string --string "-j ACCEPT" --algo bm -j DROP"#)
        #expect(rule.matches.map(\.text) == [#"-m string --string "-j ACCEPT" --algo bm"#])
        #expect(rule.action == .verdict(.drop))
    }

    @Test("options of the implicit protocol match end an opaque module, as iptables reads them")
    func implicitAfterOpaque() throws {
        let texts = try matches("-p tcp -m owner --uid-owner 0 --dport 22 -j ACCEPT").map(\.text)
        #expect(texts == ["-p tcp", "-m owner --uid-owner 0", "--dport 22"])
    }

    @Test("many unmodelled modules load without errors, each with its warning")
    func manyModules() throws {
        let modules = [
            "-m mac --mac-source 00:11:22:33:44:55", "-m pkttype --pkt-type broadcast",
            "-m physdev --physdev-in eth0 --physdev-is-bridged", "-m rpfilter --invert",
            "-m length --length 0:100",
            "-m ttl --ttl-lt 5", "-m tos --tos 0x10", "-m dscp --dscp 10",
            "-m time --timestart 09:00 --timestop 17:00 --weekdays Mon,Tue", "-m u32 --u32 \"0>>22&0x3C@12>>26&0x3C@0&0xFFFF=0x1234\"",
            "-m bpf --bytecode \"4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0\"", "-m policy --dir in --pol ipsec", "-m some-future-module --whatever 1 2 3",
        ]
        for module in modules {
            let (rule, diagnostics) = try inputRule(module + " -j ACCEPT")
            #expect(rule.matches.count == 1, "\(module)")
            #expect(rule.matches.first?.isOpaque == true, "\(module)")
            #expect(rule.matches.first?.text == module)
            #expect(diagnostics.count == 1)
            #expect(rule.action == .verdict(.accept))
        }
    }

    @Test("hl and rt in IPv6 rulesets are opaque too")
    func ipv6Modules() throws {
        let (rule, diagnostics) = try inputRule("-p ipv6-icmp -m icmp6 --icmpv6-type 133 -m hl --hl-eq 255 -m rt --rt-type 0 --rt-segsleft 0 -j ACCEPT", family: .ipv6)
        #expect(rule.matches.map(\.isOpaque) == [false, false, true, true])
        #expect(diagnostics.map(\.message) == [
            "match 'hl' is not modelled; treated as unknown", "match 'rt' is not modelled; treated as unknown",
        ])
    }

    @Test("unmodelled options of modelled modules are opaque on their own")
    func opaqueOptions() throws {
        let (rule, diagnostics) = try inputRule("-p tcp -m conntrack --ctstate NEW --ctproto tcp --ctorigdstport 80 -m tcp --tcp-option 8")
        #expect(rule.matches.map(\.text) == ["-p tcp", "--ctstate NEW", "--ctproto tcp", "--ctorigdstport 80", "--tcp-option 8"])
        #expect(rule.matches.map(\.isOpaque) == [false, false, true, true, true])
        #expect(rule.matches[2].condition == .opaque(OpaqueMatch(module: "conntrack", reason: "option --ctproto is not modelled")))
        #expect(diagnostics.map(\.message) == [
            "match 'conntrack --ctproto' is not modelled; treated as unknown",
            "match 'conntrack --ctorigdstport' is not modelled; treated as unknown",
            "match 'tcp --tcp-option' is not modelled; treated as unknown",
        ])
        let iface = try onlyMatch("-m addrtype --limit-iface-in")
        #expect(iface.isOpaque)
    }

    @Test("-f (fragments) is opaque")
    func fragments() throws {
        let (rule, diagnostics) = try inputRule("! -f -j DROP")
        #expect(rule.matches == [Match(.opaque(OpaqueMatch(module: "fragment", reason: "fragments are not modelled")), negated: true, text: "! -f")])
        #expect(diagnostics == [Diagnostic(.warning, "fragment match '-f' is not modelled; treated as unknown", at: line7)])
    }

    @Test("the implicit match of an unmodelled protocol (dccp, esp, ah) is opaque")
    func unmodelledImplicit() throws {
        let dccp = try matches("-p dccp --dport 5004")
        #expect(dccp.map(\.text) == ["-p dccp", "--dport 5004"])
        #expect(dccp[1].condition == .opaque(OpaqueMatch(module: "dccp", reason: "match module 'dccp' is not modelled")))
        #expect(try matches("-p esp --espspi 500")[1].isOpaque)
    }
}
