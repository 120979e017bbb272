/// A `meta` key (`NFT_META_*`), printed with the kernel's short name.
public struct MetaKey: Sendable, Hashable, CustomStringConvertible {
    public var raw: UInt32
    public init(_ raw: UInt32) { self.raw = raw }

    static let names = ["len", "protocol", "priority", "mark", "iif", "oif", "iifname", "oifname", "iiftype", "oiftype",
                        "skuid", "skgid", "nftrace", "rtclassid", "secmark", "nfproto", "l4proto", "bri_iifname",
                        "bri_oifname", "pkttype", "cpu", "iifgroup", "oifgroup", "cgroup", "prandom", "secpath",
                        "iifkind", "oifkind", "bri_iifpvid", "bri_iifvproto", "time", "day", "hour", "sdif",
                        "sdifname", "bri_broute"]

    public static let length = MetaKey(0), `protocol` = MetaKey(1), mark = MetaKey(3), iif = MetaKey(4), oif = MetaKey(5)
    public static let iifname = MetaKey(6), oifname = MetaKey(7), nfproto = MetaKey(15), l4proto = MetaKey(16)
    public static let pkttype = MetaKey(19)

    public init?(name: String) {
        guard let index = Self.names.firstIndex(of: name) else { return nil }
        raw = UInt32(index)
    }

    public var description: String { Int(raw) < Self.names.count ? Self.names[Int(raw)] : "unknown(\(raw))" }
}

/// A `ct` key (`NFT_CT_*`), printed with the kernel's short name.
public struct ConntrackKey: Sendable, Hashable, CustomStringConvertible {
    public var raw: UInt32
    public init(_ raw: UInt32) { self.raw = raw }

    static let names = ["state", "direction", "status", "mark", "secmark", "expiration", "helper", "l3protocol",
                        "src", "dst", "protocol", "proto_src", "proto_dst", "label", "packets", "bytes", "avgpkt",
                        "zone", "event", "src_ip", "dst_ip", "src_ip6", "dst_ip6", "id"]

    public static let state = ConntrackKey(0), direction = ConntrackKey(1), status = ConntrackKey(2), mark = ConntrackKey(3)

    public init?(name: String) {
        guard let index = Self.names.firstIndex(of: name) else { return nil }
        raw = UInt32(index)
    }

    public var description: String { Int(raw) < Self.names.count ? Self.names[Int(raw)] : "unknown(\(raw))" }
}

/// Protocol families as netfilter numbers them (`NFPROTO_*`).
public enum NetfilterFamily: UInt32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case inet = 1, ip = 2, arp = 3, netdev = 5, bridge = 7, ip6 = 10
    public var description: String {
        switch self {
        case .inet: "inet"
        case .ip: "ip"
        case .arp: "arp"
        case .netdev: "netdev"
        case .bridge: "bridge"
        case .ip6: "ip6"
        }
    }
    public init?(name: String) {
        guard let family = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = family
    }
}
