import CNftnl
import NftablesBytecode

/// Reads one libnftnl expression into the bytecode IR, attribute by attribute.
struct ExpressionDecoder {
    let expression: OpaquePointer

    func decode() -> Expression {
        let name = string(NFTNL_EXPR_NAME) ?? "?"
        switch name {
        case "payload":
            let base = PayloadBase(rawValue: u32(NFTNL_EXPR_PAYLOAD_BASE)) ?? .link
            if let source = register(NFTNL_EXPR_PAYLOAD_SREG) {
                return .payloadWrite(base: base, offset: u32(NFTNL_EXPR_PAYLOAD_OFFSET), length: u32(NFTNL_EXPR_PAYLOAD_LEN),
                                     source: source, checksumType: u32(NFTNL_EXPR_PAYLOAD_CSUM_TYPE),
                                     checksumOffset: u32(NFTNL_EXPR_PAYLOAD_CSUM_OFFSET), checksumFlags: u32(NFTNL_EXPR_PAYLOAD_FLAGS))
            }
            return .payload(base: base, offset: u32(NFTNL_EXPR_PAYLOAD_OFFSET), length: u32(NFTNL_EXPR_PAYLOAD_LEN),
                            destination: register(NFTNL_EXPR_PAYLOAD_DREG) ?? .verdict)
        case "meta":
            let key = MetaKey(u32(NFTNL_EXPR_META_KEY))
            if let source = register(NFTNL_EXPR_META_SREG) { return .metaSet(key: key, source: source) }
            return .meta(key: key, destination: register(NFTNL_EXPR_META_DREG) ?? .verdict)
        case "ct":
            let key = ConntrackKey(u32(NFTNL_EXPR_CT_KEY))
            let direction = has(NFTNL_EXPR_CT_DIR) ? u8(NFTNL_EXPR_CT_DIR) : nil
            if let source = register(NFTNL_EXPR_CT_SREG) { return .ctSet(key: key, direction: direction, source: source) }
            return .ct(key: key, direction: direction, destination: register(NFTNL_EXPR_CT_DREG) ?? .verdict)
        case "cmp":
            return .cmp(op: CompareOperator(rawValue: u32(NFTNL_EXPR_CMP_OP)) ?? .eq, source: register(NFTNL_EXPR_CMP_SREG) ?? .verdict,
                        data: bytes(NFTNL_EXPR_CMP_DATA))
        case "range":
            return .range(op: CompareOperator(rawValue: u32(NFTNL_EXPR_RANGE_OP)) ?? .eq, source: register(NFTNL_EXPR_RANGE_SREG) ?? .verdict,
                          from: bytes(NFTNL_EXPR_RANGE_FROM_DATA), to: bytes(NFTNL_EXPR_RANGE_TO_DATA))
        case "bitwise":
            return .bitwise(source: register(NFTNL_EXPR_BITWISE_SREG) ?? .verdict, destination: register(NFTNL_EXPR_BITWISE_DREG) ?? .verdict,
                            length: u32(NFTNL_EXPR_BITWISE_LEN), op: BitwiseOperator(rawValue: u32(NFTNL_EXPR_BITWISE_OP)) ?? .maskXor,
                            mask: bytes(NFTNL_EXPR_BITWISE_MASK), xor: bytes(NFTNL_EXPR_BITWISE_XOR), data: bytes(NFTNL_EXPR_BITWISE_DATA))
        case "byteorder":
            return .byteorder(source: register(NFTNL_EXPR_BYTEORDER_SREG) ?? .verdict, destination: register(NFTNL_EXPR_BYTEORDER_DREG) ?? .verdict,
                              op: u32(NFTNL_EXPR_BYTEORDER_OP), length: u32(NFTNL_EXPR_BYTEORDER_LEN), size: u32(NFTNL_EXPR_BYTEORDER_SIZE))
        case "lookup":
            return .lookup(source: register(NFTNL_EXPR_LOOKUP_SREG) ?? .verdict, destination: register(NFTNL_EXPR_LOOKUP_DREG),
                           set: string(NFTNL_EXPR_LOOKUP_SET) ?? "", setId: has(NFTNL_EXPR_LOOKUP_SET_ID) ? u32(NFTNL_EXPR_LOOKUP_SET_ID) : nil,
                           inverted: u32(NFTNL_EXPR_LOOKUP_FLAGS) & 1 != 0)
        case "immediate":
            let destination = register(NFTNL_EXPR_IMM_DREG) ?? .verdict
            if has(NFTNL_EXPR_IMM_VERDICT) {
                return .immediate(destination: destination,
                                  value: .verdict(VerdictCode(Int32(bitPattern: u32(NFTNL_EXPR_IMM_VERDICT))), chain: string(NFTNL_EXPR_IMM_CHAIN)))
            }
            return .immediate(destination: destination, value: .data(bytes(NFTNL_EXPR_IMM_DATA)))
        case "counter":
            return .counter(packets: u64(NFTNL_EXPR_CTR_PACKETS), bytes: u64(NFTNL_EXPR_CTR_BYTES))
        case "log":
            return .log(prefix: string(NFTNL_EXPR_LOG_PREFIX), group: has(NFTNL_EXPR_LOG_GROUP) ? u16(NFTNL_EXPR_LOG_GROUP) : nil,
                        level: has(NFTNL_EXPR_LOG_LEVEL) ? u32(NFTNL_EXPR_LOG_LEVEL) : nil,
                        flags: has(NFTNL_EXPR_LOG_FLAGS) ? u32(NFTNL_EXPR_LOG_FLAGS) : nil,
                        snaplen: has(NFTNL_EXPR_LOG_SNAPLEN) ? u32(NFTNL_EXPR_LOG_SNAPLEN) : nil,
                        threshold: has(NFTNL_EXPR_LOG_QTHRESHOLD) ? u16(NFTNL_EXPR_LOG_QTHRESHOLD) : nil)
        case "limit":
            return .limit(rate: u64(NFTNL_EXPR_LIMIT_RATE), unit: u64(NFTNL_EXPR_LIMIT_UNIT), burst: u32(NFTNL_EXPR_LIMIT_BURST),
                          type: u32(NFTNL_EXPR_LIMIT_TYPE), flags: u32(NFTNL_EXPR_LIMIT_FLAGS))
        case "quota":
            return .quota(bytes: u64(NFTNL_EXPR_QUOTA_BYTES), consumed: u64(NFTNL_EXPR_QUOTA_CONSUMED), flags: u32(NFTNL_EXPR_QUOTA_FLAGS))
        case "reject":
            return .reject(type: u32(NFTNL_EXPR_REJECT_TYPE), code: u8(NFTNL_EXPR_REJECT_CODE))
        case "nat":
            return .nat(type: NatType(rawValue: u32(NFTNL_EXPR_NAT_TYPE)) ?? .snat, family: u32(NFTNL_EXPR_NAT_FAMILY),
                        addressMin: register(NFTNL_EXPR_NAT_REG_ADDR_MIN), addressMax: register(NFTNL_EXPR_NAT_REG_ADDR_MAX),
                        protoMin: register(NFTNL_EXPR_NAT_REG_PROTO_MIN), protoMax: register(NFTNL_EXPR_NAT_REG_PROTO_MAX),
                        flags: u32(NFTNL_EXPR_NAT_FLAGS))
        case "masq":
            return .masquerade(flags: u32(NFTNL_EXPR_MASQ_FLAGS), protoMin: register(NFTNL_EXPR_MASQ_REG_PROTO_MIN),
                               protoMax: register(NFTNL_EXPR_MASQ_REG_PROTO_MAX))
        case "redir":
            return .redirect(protoMin: register(NFTNL_EXPR_REDIR_REG_PROTO_MIN), protoMax: register(NFTNL_EXPR_REDIR_REG_PROTO_MAX),
                             flags: u32(NFTNL_EXPR_REDIR_FLAGS))
        case "notrack":
            return .notrack
        case "fib":
            return .fib(flags: u32(NFTNL_EXPR_FIB_FLAGS), result: u32(NFTNL_EXPR_FIB_RESULT), destination: register(NFTNL_EXPR_FIB_DREG) ?? .verdict)
        case "exthdr":
            return .exthdr(type: u8(NFTNL_EXPR_EXTHDR_TYPE), offset: u32(NFTNL_EXPR_EXTHDR_OFFSET), length: u32(NFTNL_EXPR_EXTHDR_LEN),
                           destination: register(NFTNL_EXPR_EXTHDR_DREG), source: register(NFTNL_EXPR_EXTHDR_SREG),
                           flags: u32(NFTNL_EXPR_EXTHDR_FLAGS), op: u32(NFTNL_EXPR_EXTHDR_OP))
        case "socket":
            return .socket(key: u32(NFTNL_EXPR_SOCKET_KEY), level: has(NFTNL_EXPR_SOCKET_LEVEL) ? u32(NFTNL_EXPR_SOCKET_LEVEL) : nil,
                           destination: register(NFTNL_EXPR_SOCKET_DREG) ?? .verdict)
        case "dynset":
            var inner: [Expression] = []
            if has(NFTNL_EXPR_DYNSET_EXPR) {
                var length: UInt32 = 0
                if let pointer = nftnl_expr_get(expression, UInt16(NFTNL_EXPR_DYNSET_EXPR), &length) {
                    inner.append(ExpressionDecoder(expression: OpaquePointer(pointer)).decode())
                }
            }
            return .dynset(op: u32(NFTNL_EXPR_DYNSET_OP), keySource: register(NFTNL_EXPR_DYNSET_SREG_KEY) ?? .verdict,
                           dataSource: register(NFTNL_EXPR_DYNSET_SREG_DATA), set: string(NFTNL_EXPR_DYNSET_SET_NAME) ?? "",
                           timeout: has(NFTNL_EXPR_DYNSET_TIMEOUT) ? u64(NFTNL_EXPR_DYNSET_TIMEOUT) : nil, expressions: inner)
        case "match":
            return .match(name: string(NFTNL_EXPR_MT_NAME) ?? "", revision: u32(NFTNL_EXPR_MT_REV), info: bytes(NFTNL_EXPR_MT_INFO))
        case "target":
            return .target(name: string(NFTNL_EXPR_TG_NAME) ?? "", revision: u32(NFTNL_EXPR_TG_REV), info: bytes(NFTNL_EXPR_TG_INFO))
        case "queue":
            return .queue(number: u16(NFTNL_EXPR_QUEUE_NUM), total: u16(NFTNL_EXPR_QUEUE_TOTAL), flags: u16(NFTNL_EXPR_QUEUE_FLAGS),
                          source: register(NFTNL_EXPR_QUEUE_SREG_QNUM))
        case "objref":
            return .objref(type: has(NFTNL_EXPR_OBJREF_IMM_TYPE) ? u32(NFTNL_EXPR_OBJREF_IMM_TYPE) : nil, name: string(NFTNL_EXPR_OBJREF_IMM_NAME),
                           setSource: register(NFTNL_EXPR_OBJREF_SET_SREG), setName: string(NFTNL_EXPR_OBJREF_SET_NAME))
        case "connlimit":
            return .connlimit(count: u32(NFTNL_EXPR_CONNLIMIT_COUNT), flags: u32(NFTNL_EXPR_CONNLIMIT_FLAGS))
        case "flow_offload":
            return .flowOffload(table: string(NFTNL_EXPR_FLOW_TABLE_NAME) ?? "")
        case "numgen":
            // NFT_NG_RANDOM is 1, NFT_NG_INCREMENTAL 0.
            return .numgen(destination: register(NFTNL_EXPR_NG_DREG) ?? .verdict, modulus: u32(NFTNL_EXPR_NG_MODULUS),
                           random: u32(NFTNL_EXPR_NG_TYPE) == 1, offset: u32(NFTNL_EXPR_NG_OFFSET))
        default:
            return .other(name: name, attributes: [printed()])
        }
    }

    /// libnftnl's own rendering, kept for expressions the IR has no case for.
    private func printed() -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        _ = nftnl_expr_snprintf(&buffer, buffer.count, expression, UInt32(NFTNL_OUTPUT_DEFAULT.rawValue), 0)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func has(_ attribute: Int) -> Bool { nftnl_expr_is_set(expression, UInt16(attribute)) }
    private func u8(_ attribute: Int) -> UInt8 { nftnl_expr_get_u8(expression, UInt16(attribute)) }
    private func u16(_ attribute: Int) -> UInt16 { nftnl_expr_get_u16(expression, UInt16(attribute)) }
    private func u32(_ attribute: Int) -> UInt32 { has(attribute) ? nftnl_expr_get_u32(expression, UInt16(attribute)) : 0 }
    private func u64(_ attribute: Int) -> UInt64 { has(attribute) ? nftnl_expr_get_u64(expression, UInt16(attribute)) : 0 }
    private func string(_ attribute: Int) -> String? {
        guard has(attribute), let pointer = nftnl_expr_get_str(expression, UInt16(attribute)) else { return nil }
        return String(cString: pointer)
    }
    private func register(_ attribute: Int) -> Register? { has(attribute) ? Register(nftnl_expr_get_u32(expression, UInt16(attribute))) : nil }
    private func bytes(_ attribute: Int) -> Bytes {
        guard has(attribute) else { return Bytes([]) }
        var length: UInt32 = 0
        guard let pointer = nftnl_expr_get(expression, UInt16(attribute), &length) else { return Bytes([]) }
        return Bytes(Array(UnsafeRawBufferPointer(start: pointer, count: Int(length))))
    }
}
