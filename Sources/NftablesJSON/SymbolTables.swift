import FirewallModel

/// The symbolic constants `nft` prints for packet fields, with their numeric values.
///
/// Only names with a fixed meaning are listed; a name not found here makes the match opaque
/// rather than guessed.
enum SymbolTables {
    /// IP protocol names as nft prints them (from its built-in table, not /etc/protocols).
    static let protocols: [String: UInt8] = [
        "hopopt": 0, "icmp": 1, "igmp": 2, "ipip": 4, "ipencap": 4, "tcp": 6, "egp": 8, "pup": 12, "udp": 17, "idp": 22,
        "dccp": 33, "ipv6": 41, "ipv6-route": 43, "ipv6-frag": 44, "rsvp": 46, "gre": 47, "esp": 50, "ah": 51,
        "icmpv6": 58, "ipv6-icmp": 58, "ipv6-nonxt": 59, "ipv6-opts": 60, "ospf": 89, "ospfigp": 89, "pim": 103,
        "comp": 108, "vrrp": 112, "l2tp": 115, "sctp": 132, "mobility-header": 135, "udplite": 136, "mpls-in-ip": 137,
        "ethernet": 143,
    ]

    /// ICMP (IPv4) type names.
    static let icmpTypes: [String: UInt8] = [
        "echo-reply": 0, "destination-unreachable": 3, "source-quench": 4, "redirect": 5, "echo-request": 8,
        "router-advertisement": 9, "router-solicitation": 10, "time-exceeded": 11, "parameter-problem": 12,
        "timestamp-request": 13, "timestamp-reply": 14, "info-request": 15, "info-reply": 16,
        "address-mask-request": 17, "address-mask-reply": 18,
    ]

    /// ICMPv6 type names.
    static let icmpv6Types: [String: UInt8] = [
        "destination-unreachable": 1, "packet-too-big": 2, "time-exceeded": 3, "parameter-problem": 4,
        "echo-request": 128, "echo-reply": 129, "mld-listener-query": 130, "mld-listener-report": 131,
        "mld-listener-done": 132, "mld-listener-reduction": 132, "nd-router-solicit": 133, "nd-router-advert": 134,
        "nd-neighbor-solicit": 135, "nd-neighbor-advert": 136, "nd-redirect": 137, "router-renumbering": 138,
        "ind-neighbor-solicit": 141, "ind-neighbor-advert": 142, "mld2-listener-report": 143,
    ]

    /// ICMP (IPv4) code names.
    static let icmpCodes: [String: UInt8] = [
        "net-unreachable": 0, "host-unreachable": 1, "prot-unreachable": 2, "port-unreachable": 3, "frag-needed": 4,
        "net-prohibited": 9, "host-prohibited": 10, "admin-prohibited": 13,
    ]

    /// ICMPv6 code names.
    static let icmpv6Codes: [String: UInt8] = [
        "no-route": 0, "admin-prohibited": 1, "addr-unreachable": 3, "port-unreachable": 4, "policy-fail": 5, "reject-route": 6,
    ]

    /// TCP flag names, bit order as in the model (FIN=1 … CWR=128).
    static let tcpFlags: [String: UInt8] = [
        "fin": 0x01, "syn": 0x02, "rst": 0x04, "psh": 0x08, "ack": 0x10, "urg": 0x20, "ecn": 0x40, "cwr": 0x80,
    ]

    /// Service names that hand-written JSON may use for ports (nft itself writes numbers).
    static let services: [String: UInt16] = [
        "ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "bootps": 67, "bootpc": 68,
        "tftp": 69, "http": 80, "kerberos": 88, "pop3": 110, "sunrpc": 111, "ntp": 123, "imap": 143, "snmp": 161,
        "ldap": 389, "https": 443, "microsoft-ds": 445, "submission": 587, "ldaps": 636, "imaps": 993,
        "pop3s": 995, "sip": 5060, "sip-tls": 5061,
    ]

    /// `fib … type` names.
    static let addressTypes: [String: AddressType] = Dictionary(uniqueKeysWithValues: AddressType.allCases.map { ($0.rawValue, $0) })

    /// Standard chain priority names and their values in the IP families.
    static let priorities: [String: Int] = [
        "raw": -300, "mangle": -150, "dstnat": -100, "filter": 0, "security": 50, "srcnat": 100,
    ]
}
