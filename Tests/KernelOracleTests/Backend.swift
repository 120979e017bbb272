import Foundation

/// How a generated ruleset reaches the kernel, and where fwaudit reads it from.
///
/// - `iptablesLegacy`: the iptables-save text is loaded with `iptables-restore` (the binary
///   `FWAUDIT_ORACLE_VARIANT` names: the system's, `legacy` or `nft`) and fwaudit reads the same
///   text with `IptablesLoader`. Checks the iptables-save loader and the engine.
/// - `iptablesNft`: the text is loaded with `iptables-nft-restore` / `ip6tables-nft-restore` and
///   fwaudit reads what the kernel then holds over netlink (`NftablesReader`, `NftablesLoader`).
///   Checks the reader and the decoding of xt matches and targets.
/// - `nft`: the ruleset is translated into an nft script (`NftScript`), loaded with `nft -f`, and
///   read back over netlink. Checks the reader and the delinearizer on native expressions: sets,
///   verdict maps, concatenations, inet tables, several base chains on one hook.
enum OracleBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    case iptablesLegacy = "iptables-legacy"
    case iptablesNft = "iptables-nft"
    case nft

    var description: String { rawValue }

    /// Whether fwaudit reads the kernel's state over netlink (rather than the generated text).
    var readsKernel: Bool { self != .iptablesLegacy }

    /// `FWAUDIT_ORACLE_BACKEND`, when set: the only backend a differential run uses.
    static var selected: [OracleBackend] {
        guard let value = ProcessInfo.processInfo.environment["FWAUDIT_ORACLE_BACKEND"], !value.isEmpty else { return allCases }
        return value.split(separator: ",").compactMap { OracleBackend(rawValue: String($0).trimmingCharacters(in: .whitespaces)) }
    }
}
