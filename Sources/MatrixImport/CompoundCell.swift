import FirewallModel
import Foundation

/// Reads Microsoft-style compound cells `Role/Protocol/Transport/Port`: `Access/SIP(MTLS)/TCP/5061`,
/// `A/V/RTP/TCP/50.000-59.999` (the role itself contains '/'), `A/V/STUN,MSTURN/UDP/3478`,
/// `SIP/MTLS/TCP 5061`, `MTLS/TCP/50001`, `Webkonferenzen/PSOM(TLS)TCP/443`.
///
/// The transport segment anchors the cell: what precedes it is the service, what follows it the
/// ports. A cell without a transport (`XMPP/MTLS/23456`) is not guessed at.
public enum CompoundCell {
    public struct Parsed: Sendable, Hashable {
        /// The role and application protocol as written: `A/V/STUN,MSTURN`.
        public var service: String
        public var transports: Set<Transport>
        public var ports: PortSet
    }

    public static func parse(_ raw: String) -> Result<Parsed, CellProblem> {
        var text = TextCleaning.oneLine(raw)
        text = text.replacingOccurrences(of: "、", with: ",").replacingOccurrences(of: "-/", with: "/")
        let segments = text.split(separator: "/", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard segments.count >= 2 else { return .failure(CellProblem("not a role/protocol/transport/port cell: '\(text)'")) }

        // The last run of transport segments with something after it, or with a port glued on (`TCP 5061`).
        var transportRange: ClosedRange<Int>?
        var gluedPrefix = "", gluedPort = ""
        var index = segments.count - 1
        while index >= 0 {
            if let (prefix, transport, port) = transportSegment(segments[index]), index < segments.count - 1 || !port.isEmpty {
                var first = index
                while first > 0, let previous = transportSegment(segments[first - 1]), previous.prefix.isEmpty, previous.port.isEmpty {
                    first -= 1
                }
                _ = transport
                transportRange = first...index
                gluedPrefix = first == index ? prefix : (transportSegment(segments[first])?.prefix ?? "")
                gluedPort = port
                break
            }
            index -= 1
        }
        guard let transportRange else {
            return .failure(CellProblem("no transport (TCP or UDP) in '\(text)'"))
        }
        var transports = Set<Transport>()
        for position in transportRange { if let found = transportSegment(segments[position]) { transports.insert(found.transport) } }
        var serviceParts = Array(segments[..<transportRange.lowerBound])
        if !gluedPrefix.isEmpty { serviceParts.append(gluedPrefix) }
        let service = serviceParts.joined(separator: "/").replacingOccurrences(of: ", ", with: ",")
        let portText = ([gluedPort] + segments[(transportRange.upperBound + 1)...]).filter { !$0.isEmpty }.joined(separator: "/")
        switch PortText.ports(portText) {
        case .success(let ports): return .success(Parsed(service: service, transports: transports, ports: ports))
        case .failure(let problem): return .failure(problem)
        }
    }

    /// `TCP` → ("", tcp, ""); `PSOM(TLS)TCP` → ("PSOM(TLS)", tcp, ""); `TCP 5061` → ("", tcp, "5061").
    static func transportSegment(_ segment: String) -> (prefix: String, transport: Transport, port: String)? {
        if let transport = Transport.named(segment), transport == .tcp || transport == .udp || transport == .sctp { return ("", transport, "") }
        let words = segment.split(separator: " ", maxSplits: 1).map(String.init)
        if words.count == 2, let transport = Transport.named(words[0]), words[1].first?.isNumber == true { return ("", transport, words[1]) }
        for name in ["TCP", "UDP"] where segment.uppercased().hasSuffix(name) && segment.count > name.count {
            let prefix = String(segment.dropLast(name.count))
            if let last = prefix.last, !last.isLetter { return (prefix, Transport.named(name)!, "") }
        }
        return nil
    }
}
