import FirewallModel
import PortMatrix

/// A transport named in a port table: the port-carrying ones, ICMP, and the IP protocols of
/// tunnels and IPsec that tables list beside them (`GRE`, `ESP`, `AH`, `IP protocol ID 47`).
public enum Transport: String, Sendable, Hashable, CaseIterable, Comparable {
    case tcp, udp, sctp, icmp, icmpv6, gre, esp, ah

    /// Whether rows of this transport have ports: ICMP and the IP protocols have none.
    var hasPorts: Bool { [.tcp, .udp, .sctp].contains(self) }

    /// The transport of an IP protocol number a table writes (`IP protocol ID 50`), nil for numbers
    /// this reader has no transport for.
    static func ipProtocol(_ number: Int) -> Transport? {
        guard let byte = UInt8(exactly: number) else { return nil }
        return allCases.first { FlowProtocol(number: byte) == $0.flowProtocol }
    }

    /// The matrix protocol of this transport alone.
    var flowProtocol: FlowProtocol {
        switch self {
        case .tcp: .tcp
        case .udp: .udp
        case .sctp: .sctp
        case .icmp: .icmp
        case .icmpv6: .icmpv6
        case .gre: FlowProtocol(number: 47)
        case .esp: FlowProtocol(number: 50)
        case .ah: FlowProtocol(number: 51)
        }
    }

    public static func < (lhs: Transport, rhs: Transport) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The transport a word names: `TCP`, `udp`, `ICMPv6`; nil for anything else.
    static func named(_ word: some StringProtocol) -> Transport? {
        switch word.lowercased() {
        case "tcp": .tcp
        case "udp": .udp
        case "sctp": .sctp
        case "icmp", "ping": .icmp
        case "icmpv6", "icmp6": .icmpv6
        case "gre": .gre
        // IPsec tables mean its encapsulation, ESP; AH is written as such.
        case "esp", "ipsec": .esp
        case "ah": .ah
        default: nil
        }
    }

    /// The matrix protocols for a set of transports: TCP and UDP together become `tcp+udp`.
    static func protocols(for transports: Set<Transport>) -> [FlowProtocol] {
        var rest = transports
        var result: [FlowProtocol] = []
        if rest.contains(.tcp) && rest.contains(.udp) {
            result.append(.tcpUdp)
            rest.remove(.tcp); rest.remove(.udp)
        }
        for transport in rest.sorted() { result.append(transport.flowProtocol) }
        return result
    }
}

/// Reads transport cells: `TCP`, `UDP`, `TCP/UDP`, `TCP and UDP`, `UDP e TCP`, `TCP + UDP`,
/// `TCP (TLS)`, `ICMP`. Anything without a transport word (`HTTPS`, `IP Protocol ID 47`) is not understood.
public enum TransportText {
    /// The transports a cell names; with `applicationProtocols`, HTTP, HTTPS and (M)TLS stand for
    /// TCP, which they always run over (DTLS is the UDP one). Other application protocols are not guessed at.
    public static func parse(_ text: String, applicationProtocols: Bool = true) -> Set<Transport>? {
        let words = words(in: text)
        var transports = Set(words.compactMap(Transport.named))
        if applicationProtocols, transports.isEmpty,
           words.contains(where: { ["http", "https", "tls", "mtls"].contains($0.lowercased()) }) { transports.insert(.tcp) }
        return transports.isEmpty ? nil : transports
    }

    /// Letters-and-digits words of the text, splitting on everything else (`TCP/UDP` → TCP, UDP).
    static func words(in text: String) -> [String] {
        text.split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }
}
