import Glibc

/// Why the kernel's nftables state could not be read, in words a person can act on.
public enum NetlinkError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The process lacks CAP_NET_ADMIN in the namespace (or CAP_SYS_ADMIN to enter another one).
    case permissionDenied(String)
    case noSuchNamespace(String)
    /// The kernel has no nf_tables (module not loaded, or a kernel without it).
    case nftablesUnavailable(String)
    /// The ruleset kept changing while it was read.
    case keptChanging(attempts: Int)
    /// `nft -f` refused a script; `message` is nft's own output with file and line.
    case scriptRejected(path: String, message: String)
    case namespacesUnavailable(String)
    /// A system call or a kernel reply failed in a way the user cannot fix by rerunning.
    case failed(String)
    /// A recorded exchange does not hold the reply to a request (replays only).
    case notRecorded(String)

    public var description: String {
        switch self {
        case .permissionDenied(let what):
            "\(what): permission denied. Reading nftables needs CAP_NET_ADMIN: run as root (sudo fwaudit …), "
                + "or in a namespace of your own (unshare -rn fwaudit … --nft-file F)"
        case .noSuchNamespace(let name):
            "no such network namespace: \(name) (give a name from 'ip netns list' or a path such as /proc/PID/ns/net)"
        case .nftablesUnavailable(let detail):
            "nf_tables is not available in this kernel (\(detail)); load it with 'modprobe nf_tables'"
        case .keptChanging(let attempts):
            "the ruleset kept changing while it was read (\(attempts) attempts); audit again when it is stable"
        case .scriptRejected(let path, let message):
            "nft rejected \(path):\n\(message)"
        case .namespacesUnavailable(let detail):
            "cannot create a private network namespace to load the script (\(detail)); --nft-file needs root or unprivileged user namespaces (try 'unshare -rn fwaudit …')"
        case .failed(let detail):
            detail
        case .notRecorded(let request):
            "the recording holds no reply to \(request)"
        }
    }

    /// The error for a failed system call, `what` naming the operation.
    static func system(_ what: String, errno code: Int32) -> NetlinkError {
        switch code {
        case EPERM, EACCES: .permissionDenied(what)
        case EPROTONOSUPPORT, EAFNOSUPPORT: .nftablesUnavailable("\(what): \(String(cString: strerror(code)))")
        default: .failed("\(what): \(String(cString: strerror(code)))")
        }
    }
}
