import FirewallModel
@testable import FlowAnalysis
import Testing

/// A jump joins a run of rules when its chain ends every packet the jump sends it; a chain that
/// may give packets back (a return, a fall-through, a last rule that takes only some packets, a
/// mark rewritten before the rule that tests it) does not qualify.
@Suite struct ChainEndingsSpecification {
    /// Whether chain `name` of the filter table ends every packet of `box` on the input hook.
    static func ends(_ subject: Subject, _ name: String, _ box: PacketBox) -> Bool {
        let endings = ChainEndings(index: subject.index, context: subject.context, matchSpace: MatchSpaceBox(MatchSpace(context: subject.context, index: subject.index)))
        let chain = subject.index.chainIndex(table: 0, named: name)!
        return endings.endsEveryPacket(chain: chain, of: box, table: 0, hook: .input, beforeConntrack: false)
    }

    static let subject = try! Subject(filter("""
    :zone - [0:0]
    :returns - [0:0]
    :tcp-only - [0:0]
    :marks - [0:0]
    :masq - [0:0]
    :service - [0:0]
    :falls - [0:0]
    -A zone -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT
    -A zone -j REJECT
    -A returns -s 10.0.0.0/8 -j RETURN
    -A returns -j DROP
    -A tcp-only -j LOG
    -A tcp-only -p tcp -j ACCEPT
    -A marks -j MARK --set-xmark 0x1/0xffffffff
    -A marks -m mark --mark 0x0 -j ACCEPT
    -A masq -j MARK --set-xmark 0x4000/0x4000
    -A service ! -s 10.244.0.0/16 -j masq
    -A service -j tcp-only
    -A falls -p tcp -j ACCEPT
    """))

    static var anyPacket: PacketBox {
        var box = PacketBox(family: .ipv4, interfaces: subject.context.interfaces)
        box.mark = IntervalSet(value: 0)
        return box
    }

    static var tcpPacket: PacketBox {
        var box = anyPacket
        box.layer4Protocol = ProtocolSet(value: 6)
        return box
    }

    @Test func aChainEndingInACatchAllVerdictEndsEveryPacket() {
        #expect(Self.ends(Self.subject, "zone", Self.anyPacket))
    }

    @Test func aReturnBeforeTheLastRuleGivesPacketsBack() {
        #expect(!Self.ends(Self.subject, "returns", Self.anyPacket))
    }

    @Test func aLastRuleForSomeProtocolsEndsOnlyThose() {
        #expect(Self.ends(Self.subject, "tcp-only", Self.tcpPacket))
        #expect(!Self.ends(Self.subject, "tcp-only", Self.anyPacket))
        #expect(!Self.ends(Self.subject, "falls", Self.anyPacket))
    }

    @Test func aMarkRewrittenBeforeTheLastRuleIsNotTrustedToMatch() {
        // The packets reach the last rule with mark 1, so `--mark 0x0` takes none of them.
        #expect(!Self.ends(Self.subject, "marks", Self.anyPacket))
    }

    @Test func aJumpMayRewriteMarksAndStillEndInTheChainItJumpsToLast() {
        // kube-proxy's shape: a jump that marks some packets, then a chain that takes every TCP packet.
        #expect(Self.ends(Self.subject, "service", Self.tcpPacket))
        #expect(!Self.ends(Self.subject, "service", Self.anyPacket))
    }
}

/// The rest of the answer's cases: what goes to another chain before the last rule, a missing
/// chain, and a last rule that takes every packet of the jump's protocol.
@Suite struct ChainEndingsCases {
    static let subject = try! Subject(filter("""
    :goes - [0:0]
    :elsewhere - [0:0]
    :missing - [0:0]
    :falls - [0:0]
    -A goes -s 10.0.0.0/8 -g elsewhere
    -A goes -j DROP
    -A elsewhere -j RETURN
    -A falls -p tcp -j ACCEPT
    """))

    @Test func aGotoBeforeTheLastRuleMayGivePacketsBack() {
        // `elsewhere` returns to the chain that jumped to `goes`, not to `goes`.
        #expect(!ChainEndingsSpecification.ends(Self.subject, "goes", ChainEndingsSpecification.anyPacket))
    }

    @Test func anEmptyChainGivesEveryPacketBack() {
        #expect(!ChainEndingsSpecification.ends(Self.subject, "missing", ChainEndingsSpecification.anyPacket))
    }

    @Test func aLastRuleForTCPEndsEveryTCPPacket() {
        #expect(ChainEndingsSpecification.ends(Self.subject, "falls", ChainEndingsSpecification.tcpPacket))
    }
}
