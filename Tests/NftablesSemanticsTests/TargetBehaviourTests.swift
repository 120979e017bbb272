import FirewallModel
import Testing

/// Which iptables targets leave the verdict to later rules, and which take it elsewhere.
@Suite struct TargetBehaviourTests {
    @Test func loggingAndAnnotatingTargetsContinue() {
        for name in ["LOG", "NFLOG", "ULOG", "TRACE", "CT", "NOTRACK", "TCPMSS", "CHECKSUM", "SET", "CLASSIFY", "TEE"] {
            #expect(Action.continuingTargets.contains(name), "\(name)")
        }
    }

    @Test func verdictsAndTranslationsDoNotContinue() {
        for name in ["ACCEPT", "DROP", "REJECT", "RETURN", "MARK", "CONNMARK", "DNAT", "SNAT", "MASQUERADE", "REDIRECT"] {
            #expect(!Action.continuingTargets.contains(name), "\(name)")
        }
    }

    @Test func externalVerdictsAreNeitherContinuingNorModelled() {
        #expect(Action.externalVerdictTargets == ["QUEUE", "NFQUEUE", "SYNPROXY"])
        #expect(Action.externalVerdictTargets.isDisjoint(with: Action.continuingTargets))
    }
}
