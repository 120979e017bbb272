import FirewallModel

/// The names iptables resolves through `/etc/services` and its own tables, hard-coded so that
/// loading never depends on the machine it runs on (protocol names are `IPProtocol`'s).
enum NameTables {
    /// Service names as port options accept them, from `/etc/services` (TCP and UDP share numbers).
    static let services: [String: UInt16] = [
        "tcpmux": 1, "echo": 7, "discard": 9, "systat": 11, "daytime": 13, "netstat": 15, "qotd": 17,
        "chargen": 19, "ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "time": 37,
        "whois": 43, "tacacs": 49, "domain": 53, "bootps": 67, "bootpc": 68, "tftp": 69,
        "gopher": 70, "finger": 79, "http": 80, "www": 80, "kerberos": 88, "iso-tsap": 102,
        "pop3": 110, "sunrpc": 111, "auth": 113, "ident": 113, "nntp": 119, "ntp": 123,
        "epmap": 135, "loc-srv": 135, "netbios-ns": 137, "netbios-dgm": 138, "netbios-ssn": 139,
        "imap": 143, "imap2": 143, "snmp": 161, "snmp-trap": 162, "xdmcp": 177, "bgp": 179,
        "irc": 194, "ldap": 389, "https": 443, "microsoft-ds": 445, "kpasswd": 464, "smtps": 465,
        "submissions": 465, "isakmp": 500, "exec": 512, "biff": 512, "login": 513, "who": 513,
        "shell": 514, "syslog": 514, "printer": 515, "talk": 517, "ntalk": 518, "route": 520,
        "uucp": 540, "afpovertcp": 548, "rtsp": 554, "submission": 587, "ipp": 631, "ldaps": 636,
        "kerberos-adm": 749, "rsync": 873, "ftps-data": 989, "ftps": 990, "telnets": 992,
        "imaps": 993, "pop3s": 995, "socks": 1080, "openvpn": 1194, "ms-sql-s": 1433,
        "ms-sql-m": 1434, "l2tp": 1701, "pptp": 1723, "radius": 1812, "radius-acct": 1813,
        "nfs": 2049, "mysql": 3306, "ms-wbt-server": 3389, "svn": 3690, "ipsec-nat-t": 4500,
        "sip": 5060, "sip-tls": 5061, "xmpp-client": 5222, "xmpp-server": 5269, "mdns": 5353,
        "postgresql": 5432, "x11": 6000, "http-alt": 8080, "git": 9418, "webmin": 10000,
        "zabbix-agent": 10050, "zabbix-trapper": 10051, "hkp": 11371,
    ]

    /// The match module iptables loads implicitly after `-p PROTO` (its options may follow without `-m`).
    static func implicitModule(forProtocol number: UInt8, ipv6: Bool) -> String? {
        switch number {
        case IPProtocol.icmp: ipv6 ? nil : "icmp"
        case IPProtocol.icmpv6: ipv6 ? "icmp6" : nil
        // These modules are named after their protocol.
        case IPProtocol.tcp, IPProtocol.udp, IPProtocol.sctp, IPProtocol.udplite, IPProtocol.dccp, 50, 51: IPProtocol.name(of: number)
        default: nil
        }
    }

    /// An ICMP type name: its type and the range of codes it covers.
    struct ICMPName {
        var type: UInt8
        var codes: ClosedRange<UInt8>
    }

    /// `libipt_icmp.c`'s names; `any` is handled by the caller.
    static let icmpNames: [String: ICMPName] = {
        let entries: [(String, UInt8, UInt8, UInt8)] = [
            ("echo-reply", 0, 0, 255), ("pong", 0, 0, 255),
            ("destination-unreachable", 3, 0, 255),
            ("network-unreachable", 3, 0, 0), ("host-unreachable", 3, 1, 1),
            ("protocol-unreachable", 3, 2, 2), ("port-unreachable", 3, 3, 3),
            ("fragmentation-needed", 3, 4, 4), ("source-route-failed", 3, 5, 5),
            ("network-unknown", 3, 6, 6), ("host-unknown", 3, 7, 7),
            ("network-prohibited", 3, 9, 9), ("host-prohibited", 3, 10, 10),
            ("tos-network-unreachable", 3, 11, 11), ("tos-host-unreachable", 3, 12, 12),
            ("communication-prohibited", 3, 13, 13), ("host-precedence-violation", 3, 14, 14),
            ("precedence-cutoff", 3, 15, 15),
            ("source-quench", 4, 0, 255),
            ("redirect", 5, 0, 255), ("network-redirect", 5, 0, 0), ("host-redirect", 5, 1, 1),
            ("tos-network-redirect", 5, 2, 2), ("tos-host-redirect", 5, 3, 3),
            ("echo-request", 8, 0, 255), ("ping", 8, 0, 255),
            ("router-advertisement", 9, 0, 255), ("router-solicitation", 10, 0, 255),
            ("time-exceeded", 11, 0, 255), ("ttl-exceeded", 11, 0, 255),
            ("ttl-zero-during-transit", 11, 0, 0), ("ttl-zero-during-reassembly", 11, 1, 1),
            ("parameter-problem", 12, 0, 255), ("ip-header-bad", 12, 0, 0),
            ("required-option-missing", 12, 1, 1),
            ("timestamp-request", 13, 0, 255), ("timestamp-reply", 14, 0, 255),
            ("address-mask-request", 17, 0, 255), ("address-mask-reply", 18, 0, 255),
        ]
        return Dictionary(uniqueKeysWithValues: entries.map { ($0.0, ICMPName(type: $0.1, codes: $0.2...$0.3)) })
    }()

    /// `libip6t_icmp6.c`'s names, with the American spellings iptables also accepts.
    static let icmpv6Names: [String: ICMPName] = {
        let entries: [(String, UInt8, UInt8, UInt8)] = [
            ("destination-unreachable", 1, 0, 255), ("no-route", 1, 0, 0),
            ("communication-prohibited", 1, 1, 1), ("beyond-scope", 1, 2, 2),
            ("address-unreachable", 1, 3, 3), ("port-unreachable", 1, 4, 4),
            ("failed-policy", 1, 5, 5), ("reject-route", 1, 6, 6),
            ("packet-too-big", 2, 0, 255),
            ("time-exceeded", 3, 0, 255), ("ttl-exceeded", 3, 0, 255),
            ("ttl-zero-during-transit", 3, 0, 0), ("ttl-zero-during-reassembly", 3, 1, 1),
            ("parameter-problem", 4, 0, 255), ("bad-header", 4, 0, 0),
            ("unknown-header-type", 4, 1, 1), ("unknown-option", 4, 2, 2),
            ("echo-request", 128, 0, 255), ("ping", 128, 0, 255),
            ("echo-reply", 129, 0, 255), ("pong", 129, 0, 255),
            ("mld-listener-query", 130, 0, 255), ("mld-listener-report", 131, 0, 255),
            ("mld-listener-done", 132, 0, 255), ("mld-listener-reduction", 132, 0, 255),
            ("router-solicitation", 133, 0, 255), ("router-advertisement", 134, 0, 255),
            ("neighbour-solicitation", 135, 0, 255), ("neighbor-solicitation", 135, 0, 255),
            ("neighbour-advertisement", 136, 0, 255), ("neighbor-advertisement", 136, 0, 255),
            ("redirect", 137, 0, 255),
            ("mld2-listener-report", 143, 0, 255), ("v2-mld-listener-report", 143, 0, 255),
        ]
        return Dictionary(uniqueKeysWithValues: entries.map { ($0.0, ICMPName(type: $0.1, codes: $0.2...$0.3)) })
    }()

    /// TCP flag names as `--tcp-flags` writes them; `ALL` is iptables' six classic flags.
    static let tcpFlags: [String: UInt8] = [
        "FIN": 0x01, "SYN": 0x02, "RST": 0x04, "PSH": 0x08, "ACK": 0x10, "URG": 0x20,
        "ECE": 0x40, "CWR": 0x80, "ALL": 0x3f, "NONE": 0,
    ]
}
