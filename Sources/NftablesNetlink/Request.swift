import CMnl
import CNftnl
import NftablesBytecode

/// The read-only requests a snapshot sends, each a dump (or the generation query).
enum Request: Sendable, Hashable, CustomStringConvertible {
    case generation
    case tables
    case chains
    /// The rules of one chain: dumping per chain avoids the kernel's quadratic resume cost.
    case rules(family: NetfilterFamily, table: String, chain: String)
    case sets
    case elements(family: NetfilterFamily, table: String, set: String)
    case flowtables
    case objects

    /// The request's stable name, also the key of a recorded reply.
    var description: String {
        switch self {
        case .generation: "GETGEN"
        case .tables: "GETTABLE"
        case .chains: "GETCHAIN"
        case .rules(let family, let table, let chain): "GETRULE \(family) \(table) \(chain)"
        case .sets: "GETSET"
        case .elements(let family, let table, let set): "GETSETELEM \(family) \(table) \(set)"
        case .flowtables: "GETFLOWTABLE"
        case .objects: "GETOBJ"
        }
    }

    private var type: UInt32 {
        switch self {
        case .generation: NFT_MSG_GETGEN.rawValue
        case .tables: NFT_MSG_GETTABLE.rawValue
        case .chains: NFT_MSG_GETCHAIN.rawValue
        case .rules: NFT_MSG_GETRULE.rawValue
        case .sets: NFT_MSG_GETSET.rawValue
        case .elements: NFT_MSG_GETSETELEM.rawValue
        case .flowtables: NFT_MSG_GETFLOWTABLE.rawValue
        case .objects: NFT_MSG_GETOBJ.rawValue
        }
    }

    /// The request as netlink bytes.
    func message(sequence: UInt32) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let length = buffer.withUnsafeMutableBytes { raw -> Int in
            let base = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            let flags = UInt16(NLM_F_REQUEST) | (self == .generation ? 0 : UInt16(NLM_F_ROOT | NLM_F_MATCH))
            var family: UInt16 = UInt16(NFPROTO_UNSPEC)
            if case .rules(let owner, _, _) = self { family = UInt16(owner.rawValue) }
            if case .elements(let owner, _, _) = self { family = UInt16(owner.rawValue) }
            let header = nftnl_nlmsg_build_hdr(base, UInt16(type), family, flags, sequence)!
            switch self {
            case .rules(_, let table, let chain):
                let rule = nftnl_rule_alloc()!
                defer { nftnl_rule_free(rule) }
                nftnl_rule_set_str(rule, UInt16(NFTNL_RULE_TABLE.rawValue), table)
                nftnl_rule_set_str(rule, UInt16(NFTNL_RULE_CHAIN.rawValue), chain)
                nftnl_rule_nlmsg_build_payload(header, rule)
            case .elements(_, let table, let name):
                let set = nftnl_set_alloc()!
                defer { nftnl_set_free(set) }
                nftnl_set_set_str(set, UInt16(NFTNL_SET_TABLE.rawValue), table)
                nftnl_set_set_str(set, UInt16(NFTNL_SET_NAME.rawValue), name)
                nftnl_set_elems_nlmsg_build_payload(header, set)
            default:
                break
            }
            return Int(header.pointee.nlmsg_len)
        }
        return Array(buffer.prefix(length))
    }
}
