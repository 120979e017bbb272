/// IP protocol numbers and their names, the one table every reader and printer uses.
///
/// Names are those of `/etc/protocols` (first the official name, then its aliases, plus the
/// spellings tools accept such as `icmpv6`), hard-coded so that loading never depends on the
/// machine it runs on.
public enum IPProtocol {
    /// One protocol number with its official name and the other names that mean it.
    public struct Entry: Sendable, Hashable {
        public let number: UInt8
        public let name: String
        public let aliases: [String]
    }

    public static let icmp: UInt8 = 1
    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17
    public static let dccp: UInt8 = 33
    public static let icmpv6: UInt8 = 58
    public static let sctp: UInt8 = 132
    public static let udplite: UInt8 = 136

    /// The table, in number order.
    public static let entries: [Entry] = [
        Entry(number: 0, name: "ip", aliases: ["hopopt"]),
        Entry(number: 1, name: "icmp", aliases: []), Entry(number: 2, name: "igmp", aliases: []),
        Entry(number: 3, name: "ggp", aliases: []), Entry(number: 4, name: "ipencap", aliases: []),
        Entry(number: 5, name: "st", aliases: []), Entry(number: 6, name: "tcp", aliases: []),
        Entry(number: 8, name: "egp", aliases: []), Entry(number: 9, name: "igp", aliases: []),
        Entry(number: 12, name: "pup", aliases: []), Entry(number: 17, name: "udp", aliases: []),
        Entry(number: 20, name: "hmp", aliases: []), Entry(number: 22, name: "xns-idp", aliases: ["idp"]),
        Entry(number: 27, name: "rdp", aliases: []), Entry(number: 29, name: "iso-tp4", aliases: []),
        Entry(number: 33, name: "dccp", aliases: []), Entry(number: 36, name: "xtp", aliases: []),
        Entry(number: 37, name: "ddp", aliases: []), Entry(number: 38, name: "idpr-cmtp", aliases: []),
        Entry(number: 41, name: "ipv6", aliases: []), Entry(number: 43, name: "ipv6-route", aliases: []),
        Entry(number: 44, name: "ipv6-frag", aliases: []), Entry(number: 45, name: "idrp", aliases: []),
        Entry(number: 46, name: "rsvp", aliases: []), Entry(number: 47, name: "gre", aliases: []),
        Entry(number: 50, name: "esp", aliases: ["ipv6-crypt"]), Entry(number: 51, name: "ah", aliases: ["ipv6-auth"]),
        Entry(number: 57, name: "skip", aliases: []), Entry(number: 58, name: "ipv6-icmp", aliases: ["icmpv6", "icmp6"]),
        Entry(number: 59, name: "ipv6-nonxt", aliases: []), Entry(number: 60, name: "ipv6-opts", aliases: []),
        Entry(number: 73, name: "rspf", aliases: []), Entry(number: 81, name: "vmtp", aliases: []),
        Entry(number: 88, name: "eigrp", aliases: []), Entry(number: 89, name: "ospf", aliases: ["ospfigp"]),
        Entry(number: 93, name: "ax.25", aliases: []), Entry(number: 94, name: "ipip", aliases: []),
        Entry(number: 97, name: "etherip", aliases: []), Entry(number: 98, name: "encap", aliases: []),
        Entry(number: 103, name: "pim", aliases: []), Entry(number: 108, name: "ipcomp", aliases: ["comp"]),
        Entry(number: 112, name: "vrrp", aliases: []), Entry(number: 115, name: "l2tp", aliases: []),
        Entry(number: 124, name: "isis", aliases: []), Entry(number: 132, name: "sctp", aliases: []),
        Entry(number: 133, name: "fc", aliases: []), Entry(number: 135, name: "mobility-header", aliases: ["ipv6-mh", "mh"]),
        Entry(number: 136, name: "udplite", aliases: []), Entry(number: 137, name: "mpls-in-ip", aliases: []),
        Entry(number: 138, name: "manet", aliases: []), Entry(number: 139, name: "hip", aliases: []),
        Entry(number: 140, name: "shim6", aliases: []), Entry(number: 141, name: "wesp", aliases: []),
        Entry(number: 142, name: "rohc", aliases: []), Entry(number: 143, name: "ethernet", aliases: []),
    ]

    private static let byName: [String: UInt8] = {
        var result: [String: UInt8] = [:]
        for entry in entries {
            for name in [entry.name] + entry.aliases { result[name] = entry.number }
        }
        return result
    }()

    private static let byNumber: [UInt8: Entry] = Dictionary(uniqueKeysWithValues: entries.map { ($0.number, $0) })

    /// The number of a protocol name or alias as `/etc/protocols` spells it (case-sensitive).
    public static func number(named name: String) -> UInt8? { byName[name] }

    /// The number nft gives a name: as `/etc/protocols`, except that nft spells protocol 4 `ipip`
    /// after the kernel's `IPPROTO_IPIP`, where `/etc/protocols` gives `ipip` to 94.
    public static func nftNumber(named name: String) -> UInt8? {
        name == "ipip" ? 4 : byName[name]
    }

    /// The official name of a protocol number, nil when the table has none.
    public static func name(of number: UInt8) -> String? { byNumber[number]?.name }

    /// The name reports use: the official name, except `icmpv6` for 58, the spelling users write.
    public static func shortName(of number: UInt8) -> String? {
        number == icmpv6 ? "icmpv6" : name(of: number)
    }
}
