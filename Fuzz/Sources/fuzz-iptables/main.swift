/// Fuzzes `IptablesLoader.load`, the iptables-save / ip6tables-save reader: any text must load or
/// throw `IptablesLoadingError`, never trap. Each input is read as IPv4 with the default options
/// and as IPv6 with undeclared chains allowed, so both families and both chain policies are covered.
/// Seeds: `Fixtures/lync-edge/*.v4|*.v6`, `Fixtures/regressions/*`, the shared corpus's `iptables/`.
import FirewallModel
import FuzzDriver
import IptablesLoading

Fuzzer.runText { text in
    _ = try? IptablesLoader.load(text, source: "fuzz.v4", family: .ipv4)
    _ = try? IptablesLoader.load(text, source: "fuzz.v6", family: .ipv6,
                                 options: IptablesLoader.Options(allowUndeclaredChains: true))
}
