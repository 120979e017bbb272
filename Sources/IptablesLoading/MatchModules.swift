/// The match modules whose options the model translates, and how many values each option takes.
///
/// Any module not listed here is opaque: one `.opaque` match covers it and all its options.
enum MatchModules {
    private static let portOptions: [String: Int] = [
        "--sport": 1, "--source-port": 1, "--dport": 1, "--destination-port": 1,
    ]

    static let options: [String: [String: Int]] = [
        "tcp": portOptions.merging(["--tcp-flags": 2, "--syn": 0, "--tcp-option": 1]) { $1 },
        "udp": portOptions,
        "udplite": portOptions,
        "sctp": portOptions.merging(["--chunk-types": 2]) { $1 },
        "multiport": [
            "--sports": 1, "--source-ports": 1, "--dports": 1, "--destination-ports": 1, "--ports": 1,
        ],
        "conntrack": [
            "--ctstate": 1, "--ctproto": 1, "--ctorigsrc": 1, "--ctorigdst": 1, "--ctreplsrc": 1,
            "--ctrepldst": 1, "--ctorigsrcport": 1, "--ctorigdstport": 1, "--ctreplsrcport": 1,
            "--ctrepldstport": 1, "--ctstatus": 1, "--ctexpire": 1, "--ctdir": 1,
        ],
        "state": ["--state": 1],
        "iprange": ["--src-range": 1, "--dst-range": 1],
        "icmp": ["--icmp-type": 1],
        "icmp6": ["--icmpv6-type": 1],
        "addrtype": ["--src-type": 1, "--dst-type": 1, "--limit-iface-in": 0, "--limit-iface-out": 0],
        "comment": ["--comment": 1],
        "mark": ["--mark": 1],
        "connmark": ["--mark": 1],
    ]

    static func isModelled(_ module: String) -> Bool { options[module] != nil }

    /// How many values `option` takes in `module`, or nil when the module has no such option.
    static func arity(of option: String, in module: String) -> Int? { options[module]?[option] }
}
