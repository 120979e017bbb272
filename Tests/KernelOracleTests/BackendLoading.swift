import FirewallModel

/// Loading rules into the testbed's host namespace the way each backend does, and fwaudit's
/// verdicts on what was loaded (from the text, or read back from the kernel).
extension Testbed {
    /// What the kernel is given for `ruleset`: iptables-save text, or the nft script.
    static func text(_ ruleset: GeneratedRuleset, backend: OracleBackend, style: NftScript.Style, header: [String] = []) -> String {
        backend == .nft ? NftScript(ruleset: ruleset, style: style).text(header: header) : ruleset.text(header: header)
    }

    /// Loads `text` with the backend's tool (`family` picks the iptables binary; nft scripts say their own families): `iptables-restore` (the variant's), `iptables-nft-restore`, or `nft -f`.
    func load(_ text: String, family: AddressFamily, backend: OracleBackend) throws {
        switch backend {
        case .iptablesLegacy:
            try load(text, family: family)
        case .iptablesNft:
            let tool = family == .ipv4 ? "iptables-nft-restore" : "ip6tables-nft-restore"
            try Commands.check(["ip", "netns", "exec", hostNamespace, tool], input: text)
        case .nft:
            try Commands.check(["ip", "netns", "exec", hostNamespace, "nft", "-f", "-"], input: text)
        }
    }

    /// fwaudit's verdicts on what was loaded: the text itself for `iptablesLegacy`, otherwise the
    /// host namespace's nf_tables state read back over netlink.
    func fwaudit(_ text: String, family: AddressFamily, backend: OracleBackend, source: String = "generated") throws -> FwauditVerdicts {
        guard backend.readsKernel else { return try FwauditVerdicts(text, family: family, layout: layout, source: source) }
        return FwauditVerdicts(ruleset: try KernelReadback.read(self).ruleset, family: family, layout: layout)
    }
}
