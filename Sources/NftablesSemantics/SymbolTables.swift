import FirewallModel

/// The symbolic constants nft uses for packet and connection fields, with their numeric values.
///
/// Only names with a fixed meaning are listed; a name not found here makes a match opaque
/// rather than guessed. Protocol names are `IPProtocol`'s.
public enum SymbolTables {
    /// ICMP (IPv4) type names.
    public static let icmpTypes: [String: UInt8] = [
        "echo-reply": 0, "destination-unreachable": 3, "source-quench": 4, "redirect": 5, "echo-request": 8,
        "router-advertisement": 9, "router-solicitation": 10, "time-exceeded": 11, "parameter-problem": 12,
        "timestamp-request": 13, "timestamp-reply": 14, "info-request": 15, "info-reply": 16,
        "address-mask-request": 17, "address-mask-reply": 18,
    ]

    /// ICMPv6 type names.
    public static let icmpv6Types: [String: UInt8] = [
        "destination-unreachable": 1, "packet-too-big": 2, "time-exceeded": 3, "parameter-problem": 4,
        "echo-request": 128, "echo-reply": 129, "mld-listener-query": 130, "mld-listener-report": 131,
        "mld-listener-done": 132, "mld-listener-reduction": 132, "nd-router-solicit": 133, "nd-router-advert": 134,
        "nd-neighbor-solicit": 135, "nd-neighbor-advert": 136, "nd-redirect": 137, "router-renumbering": 138,
        "ind-neighbor-solicit": 141, "ind-neighbor-advert": 142, "mld2-listener-report": 143,
    ]

    /// ICMP (IPv4) code names.
    public static let icmpCodes: [String: UInt8] = [
        "net-unreachable": 0, "host-unreachable": 1, "prot-unreachable": 2, "port-unreachable": 3, "frag-needed": 4,
        "net-prohibited": 9, "host-prohibited": 10, "admin-prohibited": 13,
    ]

    /// ICMPv6 code names.
    public static let icmpv6Codes: [String: UInt8] = [
        "no-route": 0, "admin-prohibited": 1, "addr-unreachable": 3, "port-unreachable": 4, "policy-fail": 5, "reject-route": 6,
    ]

    /// The name nft prints for an ICMP (IPv4) or ICMPv6 type, nil for a type it prints as a number.
    public static func icmpTypeName(_ value: UInt8, family: AddressFamily) -> String? {
        name(of: value, in: family == .ipv4 ? icmpTypes : icmpv6Types)
    }

    /// The name nft prints for an ICMP (IPv4) or ICMPv6 code, nil for a code it prints as a number.
    public static func icmpCodeName(_ value: UInt8, family: AddressFamily) -> String? {
        name(of: value, in: family == .ipv4 ? icmpCodes : icmpv6Codes)
    }

    /// The first name in alphabetical order with `value`: where two names share a value
    /// (`mld-listener-done`, `mld-listener-reduction`), the one nft prints comes first.
    private static func name(of value: UInt8, in table: [String: UInt8]) -> String? {
        table.filter { $0.value == value }.map(\.key).min()
    }

    /// TCP flag names from the lowest bit up, as in the model (FIN=1 … CWR=128).
    public static let tcpFlagNames = ["fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr"]

    /// TCP flag names and their bits.
    public static let tcpFlags: [String: UInt8] = Dictionary(uniqueKeysWithValues: tcpFlagNames.enumerated().map { ($1, UInt8(1) << UInt8($0)) })

    /// The kernel's `ct state` bits (`NF_CT_STATE_*_BIT`) and the model's states.
    public static let connectionStateBits: [(ConnectionStates, UInt128)] = [
        (.invalid, 1), (.established, 2), (.related, 4), (.new, 8), (.untracked, 64),
    ]

    /// The kernel's `ct status` bits (`IPS_*`) by their nft names.
    public static let connectionStatusBits: [String: UInt32] = [
        "expected": 0x1, "seen-reply": 0x2, "assured": 0x4, "confirmed": 0x8, "snat": 0x10, "dnat": 0x20, "dying": 0x200,
    ]

    /// The `ct status` bits of a `TranslationStatus` value (`dnat` 0x20, `snat` 0x10).
    public static func statusBits(ofTranslation value: UInt8) -> UInt32 {
        (value & TranslationStatus.destination != 0 ? 0x20 : 0) | (value & TranslationStatus.source != 0 ? 0x10 : 0)
    }

    /// The translation statuses whose `ct status` bits satisfy `holds`, when `mask` keeps only the
    /// `snat` and `dnat` bits (the others, `assured` and the like, the model does not know).
    public static func translationStatus(mask: UInt32, _ holds: (UInt32) -> Bool) -> IntervalSet<UInt8>? {
        guard mask & ~UInt32(0x30) == 0 else { return nil }
        return IntervalSet(ranges: (0...3).map(UInt8.init).filter { holds(statusBits(ofTranslation: $0) & mask) }.map { $0...$0 })
    }

    /// `meta nfproto` / `ct l3proto` values: netfilter family numbers and their names.
    public static let netfilterFamilies: [UInt128: String] = [2: "ipv4", 10: "ipv6"]

    /// `meta protocol` / `ether type` values: ethertypes and their names.
    public static let ethertypes: [UInt128: String] = [0x0800: "ip", 0x86dd: "ip6", 0x0806: "arp"]

    /// The address family a netfilter family number (or an ethertype) stands for; nil for others.
    public static func addressFamily(_ number: UInt128, ethertype: Bool) -> AddressFamily? {
        switch (ethertype ? ethertypes : netfilterFamilies)[number] {
        case "ipv4", "ip": .ipv4
        case "ipv6", "ip6": .ipv6
        default: nil
        }
    }

    /// The netfilter family number (or ethertype) of a name nft writes.
    public static func familyNumber(named name: String, ethertype: Bool) -> UInt128? {
        (ethertype ? ethertypes : netfilterFamilies).first { $0.value == name }?.key
    }

    /// Service names that hand-written JSON may use for ports (nft itself writes numbers).
    public static let services: [String: UInt16] = [
        "ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "bootps": 67, "bootpc": 68,
        "tftp": 69, "http": 80, "kerberos": 88, "pop3": 110, "sunrpc": 111, "ntp": 123, "imap": 143, "snmp": 161,
        "ldap": 389, "https": 443, "microsoft-ds": 445, "submission": 587, "ldaps": 636, "imaps": 993,
        "pop3s": 995, "sip": 5060, "sip-tls": 5061,
    ]

    /// `fib … type` names; a route type's number is its place in this order (`RTN_*`).
    public static let addressTypes: [String: AddressType] = Dictionary(uniqueKeysWithValues: AddressType.allCases.map { ($0.rawValue, $0) })

    /// The route type with kernel number `number`, nil when out of range.
    public static func addressType(number: UInt128) -> AddressType? {
        number < AddressType.allCases.count ? AddressType.allCases[Int(number)] : nil
    }

    /// Standard chain priority names and their values in the IP families.
    public static let priorities: [String: Int] = [
        "raw": -300, "mangle": -150, "dstnat": -100, "filter": 0, "security": 50, "srcnat": 100,
    ]
}
