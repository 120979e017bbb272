import FirewallModel
import NftablesBytecode
import NftablesSemantics

/// iptables-nft's `target` expressions: xt target extensions decoded from their kernel info
/// structures into the actions the iptables-save loader gives for the same target.
extension RuleDelinearizer {
    mutating func xtTarget(_ state: inout RuleState, name: String, revision: UInt32, info bytes: Bytes, expression: Expression) {
        let info = XtInfo(bytes)
        var action: Action?
        var text = "-j \(name)"
        switch (name, revision) {
        case ("REJECT", 0):
            action = .verdict(.reject)
        case ("MARK", 2) where info.has(8):
            action = .setMark(value: info.u32(0), mask: info.u32(4))
            text += " --set-xmark 0x\(String(info.u32(0), radix: 16))/0x\(String(info.u32(4), radix: 16))"
        case ("CONNMARK", 1) where info.has(13), ("CONNMARK", 2) where info.has(15):
            action = connmark(info, revision: revision)
        case ("DNAT", 1...2) where info.has(40), ("SNAT", 1...2) where info.has(40):
            action = natRange(info, destination: name == "DNAT")
        case ("DNAT", 0) where info.has(20), ("SNAT", 0) where info.has(20):
            action = natCompat(info, destination: name == "DNAT")
        case ("MASQUERADE", 0):
            action = .nat(.masquerade)
        case ("REDIRECT", 0) where xtFamily == .ipv6 && info.has(40):
            // ip6tables' REDIRECT carries an `nf_nat_range`: flags, two addresses, then the ports.
            let flags = info.u32(0)
            action = .nat(.redirect(ports: flags & 2 != 0 ? PortSet(min(info.be16(36), info.be16(38))...max(info.be16(36), info.be16(38))) : nil))
        case ("REDIRECT", 0) where xtFamily == .ipv4 && info.has(20):
            // iptables' REDIRECT carries an `nf_nat_ipv4_multi_range_compat`: one range, its flags, addresses, ports.
            let flags = info.u32(4)
            action = .nat(.redirect(ports: flags & 2 != 0 ? PortSet(min(info.be16(16), info.be16(18))...max(info.be16(16), info.be16(18))) : nil))
        case ("NOTRACK", _):
            action = .notrack
        case ("CT", _) where info.has(2):
            action = info.u16(0) & 1 != 0 ? .notrack : .continue("CT")
        case (_, _) where Action.externalVerdictTargets.contains(name):
            warn("target '\(name)' is not modelled; its verdict is treated as unknown: \(expression)")
            action = .opaqueVerdict(name)
        default:
            if Action.continuingTargets.contains(name) {
                action = .continue(name)
                if name == "LOG", info.has(32) {
                    let prefix = info.string(2, size: 30)
                    if !prefix.isEmpty { text += " --log-prefix \"\(prefix)\"" }
                }
            }
        }
        guard let action else {
            warn("target '\(name)' revision \(revision) is not modelled; its verdict is treated as unknown: \(expression)")
            state.verdict = .opaqueVerdict(name)
            state.pieces.append(.text(text))
            return
        }
        if action.isTerminal {
            state.verdict = action
        } else {
            state.effects.append(action)
        }
        state.pieces.append(.text(text))
    }

    /// `xt_connmark_tginfo1/2`: set, save and restore with whole-mark masks; shifted or partial copies are not modelled.
    private mutating func connmark(_ info: XtInfo, revision: UInt32) -> Action? {
        let ctmark = info.u32(0), ctmask = info.u32(4), nfmask = info.u32(8)
        let mode = revision == 1 ? info.u8(12) : info.u8(14)
        if revision == 2, info.u8(13) != 0 { return nil }
        switch mode {
        case 0: return .connectionMark(.set(value: ctmark, mask: ctmask))
        case 1, 2:
            guard ctmask == .max, nfmask == .max else { return nil }
            return .connectionMark(mode == 1 ? .save : .restore)
        default: return nil
        }
    }

    /// `nf_nat_range`/`nf_nat_range2`: flags, address range, port range (network order).
    private func natRange(_ info: XtInfo, destination: Bool) -> Action? {
        guard let family = xtFamily else { return nil }
        let flags = info.u32(0)
        var addresses: AddressSet?
        if flags & 1 != 0 {
            let low = info.address(4, family), high = info.address(20, family)
            guard low <= high else { return nil }
            addresses = AddressSet(low...high)
        }
        var ports: PortSet?
        if flags & 2 != 0 {
            let low = info.be16(36), high = info.be16(38)
            guard low <= high else { return nil }
            ports = PortSet(low...high)
        }
        return .nat(destination ? .destination(address: addresses, ports: ports) : .source(address: addresses, ports: ports))
    }

    /// `nf_nat_ipv4_multi_range_compat` with one range (revision 0 of SNAT/DNAT).
    private func natCompat(_ info: XtInfo, destination: Bool) -> Action? {
        guard xtFamily == .ipv4, info.u32(0) == 1 else { return nil }
        let flags = info.u32(4)
        var addresses: AddressSet?
        if flags & 1 != 0 {
            let low = info.address(8, .ipv4), high = info.address(12, .ipv4)
            guard low <= high else { return nil }
            addresses = AddressSet(low...high)
        }
        var ports: PortSet?
        if flags & 2 != 0 {
            let low = info.be16(16), high = info.be16(18)
            guard low <= high else { return nil }
            ports = PortSet(low...high)
        }
        return .nat(destination ? .destination(address: addresses, ports: ports) : .source(address: addresses, ports: ports))
    }
}
