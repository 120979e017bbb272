/// What iptables target extensions do to the verdict, whichever reader met them
/// (`iptables-save` text or iptables-nft's `target` expressions).
extension Action {
    /// Targets that only observe or annotate the packet and leave the verdict to later rules.
    public static let continuingTargets: Set<String> = [
        "LOG", "NFLOG", "ULOG", "TRACE", "CT", "NOTRACK", "CHECKSUM", "TCPMSS", "TOS", "DSCP", "TTL", "HL",
        "CLASSIFY", "SET", "AUDIT", "CONNSECMARK", "SECMARK", "IDLETIMER", "LED", "RATEEST", "TEE", "ECN",
        "TCPOPTSTRIP", "HMARK", "CLUSTERIP",
    ]

    /// Targets whose verdict is taken outside the ruleset (user space, a SYN proxy).
    public static let externalVerdictTargets: Set<String> = ["QUEUE", "NFQUEUE", "SYNPROXY"]
}
