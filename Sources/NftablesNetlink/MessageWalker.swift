import CMnl
import Glibc

/// Walks the netlink messages of reply datagrams, checking each one's status and generation.
enum MessageWalker {
    enum Status { case more, done }

    /// Whether the dump goes on after this datagram; a kernel error reply throws.
    static func status(of datagram: [UInt8], sequence: UInt32, portId: UInt32, request: Request) throws(NetlinkError) -> Status {
        var result = Status.more
        var failure: NetlinkError?
        forEach(in: datagram) { header in
            if header.pointee.nlmsg_type == UInt16(NLMSG_DONE) { result = .done }
            if header.pointee.nlmsg_type == UInt16(NLMSG_ERROR) {
                result = .done
                let error = mnl_nlmsg_get_payload(header).assumingMemoryBound(to: nlmsgerr.self).pointee.error
                if error != 0 { failure = .system("\(request)", errno: -error) }
            }
            if header.pointee.nlmsg_flags & UInt16(NLM_F_MULTI) == 0 && header.pointee.nlmsg_type != UInt16(NLMSG_ERROR) {
                result = .done
            }
        }
        if let failure { throw failure }
        return result
    }

    /// Calls `body` with each message of the datagram (netlink error and done messages included).
    static func forEach(in datagram: [UInt8], _ body: (UnsafeMutablePointer<nlmsghdr>) -> Void) {
        var copy = datagram
        copy.withUnsafeMutableBytes { raw in
            guard var header = raw.baseAddress?.assumingMemoryBound(to: nlmsghdr.self) else { return }
            var remaining = Int32(raw.count)
            // mnl_nlmsg_ok compares the length as a signed int: a length of 2^31 or more passes it
            // and would send every reader past the datagram (found by fuzz-netlink).
            while mnl_nlmsg_ok(header, remaining), UInt32(remaining) >= header.pointee.nlmsg_len {
                body(header)
                header = mnl_nlmsg_next(header, &remaining)
            }
        }
    }

    /// The low 16 bits of the ruleset generation that a reply message was built at.
    static func generation(of header: UnsafeMutablePointer<nlmsghdr>) -> UInt16 {
        let payload = mnl_nlmsg_get_payload(header).assumingMemoryBound(to: UInt8.self)
        return UInt16(payload[2]) << 8 | UInt16(payload[3])
    }

    /// Whether the kernel says the dump was interrupted by a ruleset change.
    static func isInterrupted(_ header: UnsafeMutablePointer<nlmsghdr>) -> Bool {
        header.pointee.nlmsg_flags & UInt16(NLM_F_DUMP_INTR) != 0
    }

    /// Whether the message carries an object (not a done or error message).
    static func isObject(_ header: UnsafeMutablePointer<nlmsghdr>) -> Bool {
        header.pointee.nlmsg_type != UInt16(NLMSG_DONE) && header.pointee.nlmsg_type != UInt16(NLMSG_ERROR)
            && header.pointee.nlmsg_type >= UInt16(NLMSG_MIN_TYPE)
    }
}
