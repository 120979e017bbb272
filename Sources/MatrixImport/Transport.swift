import FirewallModel
import PortMatrix

/// A transport named in a port table.
public enum Transport: String, Sendable, Hashable, CaseIterable, Comparable {
    case tcp, udp, sctp, icmp, icmpv6

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
        for transport in rest.sorted() {
            switch transport {
            case .tcp: result.append(.tcp)
            case .udp: result.append(.udp)
            case .sctp: result.append(.sctp)
            case .icmp: result.append(.icmp)
            case .icmpv6: result.append(.icmpv6)
            }
        }
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
