import CMnl
import Glibc

/// One netlink socket to nf_tables, owned by this object and closed with it.
///
/// A socket belongs to the network namespace it was opened in, so a socket opened while the
/// thread was inside another namespace keeps reading that namespace afterwards.
final class NetlinkSocket {
    private let socket: OpaquePointer
    private let portId: UInt32
    private var sequence: UInt32
    /// The kernel sizes each dump batch by the reader's buffer: a large one means fewer round trips.
    private var buffer = [UInt8](repeating: 0, count: 1 << 17)

    init() throws(NetlinkError) {
        guard let socket = mnl_socket_open(NETLINK_NETFILTER) else { throw .system("opening a netlink socket", errno: errno) }
        guard mnl_socket_bind(socket, 0, pid_t(MNL_SOCKET_AUTOPID)) >= 0 else {
            let code = errno
            mnl_socket_close(socket)
            throw .system("binding a netlink socket", errno: code)
        }
        var size: Int32 = 1 << 22
        _ = setsockopt(mnl_socket_get_fd(socket), SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        self.socket = socket
        self.portId = mnl_socket_get_portid(socket)
        self.sequence = UInt32(truncatingIfNeeded: time(nil))
    }

    deinit { mnl_socket_close(socket) }

    /// Sends one request and returns every datagram of its reply, up to the end of the dump.
    /// A kernel error reply becomes a thrown error naming `what`.
    func exchange(_ request: Request) throws(NetlinkError) -> [[UInt8]] {
        sequence &+= 1
        let message = request.message(sequence: sequence)
        let sent = message.withUnsafeBytes { mnl_socket_sendto(socket, $0.baseAddress, $0.count) }
        guard sent >= 0 else { throw .system("sending \(request)", errno: errno) }
        var datagrams: [[UInt8]] = []
        while true {
            let received = buffer.withUnsafeMutableBytes { mnl_socket_recvfrom(socket, $0.baseAddress, $0.count) }
            guard received >= 0 else { throw .system("reading the reply to \(request)", errno: errno) }
            let datagram = Array(buffer.prefix(received))
            datagrams.append(datagram)
            switch try MessageWalker.status(of: datagram, sequence: sequence, portId: portId, request: request) {
            case .more: continue
            case .done: return datagrams
            }
        }
    }
}
