import FirewallModel

/// Zone addresses: a host (`192.0.2.1`), a prefix (`192.0.2.0/24`, `2001:db8::/32`, a contiguous
/// dotted mask) or a range of one family (`192.0.2.10-192.0.2.20`).
enum AddressSyntax {
    struct Problem: Error, Hashable {
        var message: String
    }

    static func parse(_ rawText: String) -> Result<AddressPrefix, Problem> {
        let text = rawText.trimmingSpaces
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
        if bounds.count == 2 {
            return range(String(bounds[0]).trimmingSpaces, String(bounds[1]).trimmingSpaces, text: text)
        }
        guard bounds.count == 1, let prefix = AddressPrefix(text) else {
            return .failure(Problem(message: "bad address '\(text)'"))
        }
        // A non-contiguous dotted mask is not a zone anyone documents, and the model may widen it.
        guard prefix.addresses.ranges.count == 1 else {
            return .failure(Problem(message: "non-contiguous mask in '\(text)'"))
        }
        return .success(prefix)
    }

    /// The model's `AddressPrefix` has no initializer for ranges: parse the first address and
    /// widen its set to the range, keeping the text as written.
    private static func range(_ first: String, _ last: String, text: String) -> Result<AddressPrefix, Problem> {
        guard !first.contains("/"), !last.contains("/"), let low = IPAddress(first), let high = IPAddress(last),
              var prefix = AddressPrefix(first) else {
            return .failure(Problem(message: "bad address range '\(text)'"))
        }
        guard low.family == high.family else {
            return .failure(Problem(message: "address range '\(text)' mixes IPv4 and IPv6"))
        }
        guard low.value <= high.value else {
            return .failure(Problem(message: "bad address range '\(text)', first address is above the last"))
        }
        prefix.addresses = AddressSet(low.value...high.value)
        prefix.text = text
        return .success(prefix)
    }
}

/// Zone interfaces: `eth0`, or a prefix wildcard `eth+` (nft's `eth*` is accepted too).
enum InterfaceSyntax {
    static func parse(_ text: String) -> InterfacePattern? {
        var name = Substring(text)
        var isWildcard = false
        if let last = name.last, last == "+" || last == "*" {
            name = name.dropLast()
            isWildcard = true
        }
        // IFNAMSIZ is 16 with the terminating NUL; the kernel forbids '/', ':' is allowed for aliases.
        guard name.count <= 15, isWildcard || !name.isEmpty,
              !name.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0 == "/" || $0 == "+" || $0 == "*" || !$0.isASCII })
        else { return nil }
        return InterfacePattern(name: String(name), isWildcard: isWildcard)
    }
}
