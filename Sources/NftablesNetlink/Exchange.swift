/// Something that answers netlink requests with reply datagrams: the kernel, or a recording.
protocol Exchange: AnyObject {
    func replies(to request: Request) throws(NetlinkError) -> [[UInt8]]
}

extension NetlinkSocket: Exchange {
    func replies(to request: Request) throws(NetlinkError) -> [[UInt8]] { try exchange(request) }
}

/// Netlink replies captured from the kernel, so the decoder can be tested without root.
///
/// The text form has one `> REQUEST` line per request, in the order they were sent, followed by
/// one `< hex` line per reply datagram. Replaying answers each request with the next recorded
/// reply to the same request.
public final class Recording: Exchange {
    private(set) var exchanges: [(request: String, datagrams: [[UInt8]])] = []
    private var replayed: [String: Int] = [:]

    public init() {}

    /// Parses the text form; a malformed line is an error naming its line number.
    public init(text: String, source: String) throws(NetlinkError) {
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("> ") {
                exchanges.append((String(line.dropFirst(2)), []))
            } else if line.hasPrefix("< "), !exchanges.isEmpty, let bytes = Self.bytes(hex: line.dropFirst(2)) {
                exchanges[exchanges.count - 1].datagrams.append(bytes)
            } else {
                throw .failed("\(source):\(number + 1): not a netlink recording line")
            }
        }
    }

    /// The recording as text.
    public var text: String {
        var lines = ["# fwaudit netlink recording: each request, then its reply datagrams in hex"]
        for exchange in exchanges {
            lines.append("> \(exchange.request)")
            for datagram in exchange.datagrams {
                lines.append("< " + datagram.map { byte in
                    let digits = String(byte, radix: 16)
                    return digits.count == 1 ? "0" + digits : digits
                }.joined())
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func record(_ request: Request, _ datagrams: [[UInt8]]) { exchanges.append((request.description, datagrams)) }

    func replies(to request: Request) throws(NetlinkError) -> [[UInt8]] {
        let key = request.description
        let matching = exchanges.indices.filter { exchanges[$0].request == key }
        guard !matching.isEmpty else { throw .notRecorded(key) }
        let next = replayed[key, default: 0]
        replayed[key] = next + 1
        return exchanges[matching[min(next, matching.count - 1)]].datagrams
    }

    private static func bytes(hex: Substring) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

/// Passes requests to the kernel and keeps a copy of every reply.
final class RecordingExchange: Exchange {
    let inner: Exchange
    let recording: Recording

    init(_ inner: Exchange, into recording: Recording) {
        self.inner = inner
        self.recording = recording
    }

    func replies(to request: Request) throws(NetlinkError) -> [[UInt8]] {
        let datagrams = try inner.replies(to: request)
        recording.record(request, datagrams)
        return datagrams
    }
}
