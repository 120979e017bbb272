import CMnl
import CNftnl
import NftablesBytecode

/// Turns one reply message into the IR object it describes, through libnftnl's parsers.
/// Every libnftnl object allocated here is freed before the function returns.
enum ObjectDecoder {
    static func generation(_ message: UnsafeMutablePointer<nlmsghdr>) -> UInt32? {
        guard let gen = nftnl_gen_alloc() else { return nil }
        defer { nftnl_gen_free(gen) }
        guard nftnl_gen_nlmsg_parse(message, gen) >= 0 else { return nil }
        return nftnl_gen_get_u32(gen, UInt16(NFTNL_GEN_ID))
    }

    static func table(_ message: UnsafeMutablePointer<nlmsghdr>) -> TableObject? {
        guard let table = nftnl_table_alloc() else { return nil }
        defer { nftnl_table_free(table) }
        guard nftnl_table_nlmsg_parse(message, table) >= 0,
              let family = NetfilterFamily(rawValue: nftnl_table_get_u32(table, UInt16(NFTNL_TABLE_FAMILY.rawValue))) else { return nil }
        return TableObject(family: family, name: string(nftnl_table_get_str(table, UInt16(NFTNL_TABLE_NAME.rawValue))),
                           handle: nftnl_table_get_u64(table, UInt16(NFTNL_TABLE_HANDLE.rawValue)),
                           flags: nftnl_table_get_u32(table, UInt16(NFTNL_TABLE_FLAGS.rawValue)))
    }

    static func chain(_ message: UnsafeMutablePointer<nlmsghdr>) -> ChainObject? {
        guard let chain = nftnl_chain_alloc() else { return nil }
        defer { nftnl_chain_free(chain) }
        guard nftnl_chain_nlmsg_parse(message, chain) >= 0,
              let family = NetfilterFamily(rawValue: nftnl_chain_get_u32(chain, UInt16(NFTNL_CHAIN_FAMILY.rawValue))) else { return nil }
        func has(_ attribute: nftnl_chain_attr) -> Bool { nftnl_chain_is_set(chain, UInt16(attribute.rawValue)) }
        func u32(_ attribute: nftnl_chain_attr) -> UInt32 { nftnl_chain_get_u32(chain, UInt16(attribute.rawValue)) }
        return ChainObject(family: family, table: string(nftnl_chain_get_str(chain, UInt16(NFTNL_CHAIN_TABLE.rawValue))),
                           name: string(nftnl_chain_get_str(chain, UInt16(NFTNL_CHAIN_NAME.rawValue))),
                           handle: nftnl_chain_get_u64(chain, UInt16(NFTNL_CHAIN_HANDLE.rawValue)),
                           hook: has(NFTNL_CHAIN_HOOKNUM) ? u32(NFTNL_CHAIN_HOOKNUM) : nil,
                           priority: has(NFTNL_CHAIN_PRIO) ? nftnl_chain_get_s32(chain, UInt16(NFTNL_CHAIN_PRIO.rawValue)) : nil,
                           policy: has(NFTNL_CHAIN_POLICY) ? u32(NFTNL_CHAIN_POLICY) : nil,
                           type: has(NFTNL_CHAIN_TYPE) ? string(nftnl_chain_get_str(chain, UInt16(NFTNL_CHAIN_TYPE.rawValue))) : nil,
                           device: has(NFTNL_CHAIN_DEV) ? string(nftnl_chain_get_str(chain, UInt16(NFTNL_CHAIN_DEV.rawValue))) : nil,
                           flags: has(NFTNL_CHAIN_FLAGS) ? u32(NFTNL_CHAIN_FLAGS) : 0)
    }

    static func rule(_ message: UnsafeMutablePointer<nlmsghdr>) -> RuleObject? {
        guard AttributeCheck.expressionsAreNamed(message) else { return nil }
        guard let rule = nftnl_rule_alloc() else { return nil }
        defer { nftnl_rule_free(rule) }
        guard nftnl_rule_nlmsg_parse(message, rule) >= 0,
              let family = NetfilterFamily(rawValue: nftnl_rule_get_u32(rule, UInt16(NFTNL_RULE_FAMILY.rawValue))) else { return nil }
        var expressions: [Expression] = []
        if let iterator = nftnl_expr_iter_create(rule) {
            while let expression = nftnl_expr_iter_next(iterator) {
                expressions.append(ExpressionDecoder(expression: expression).decode())
            }
            nftnl_expr_iter_destroy(iterator)
        }
        var comment: String?
        if nftnl_rule_is_set(rule, UInt16(NFTNL_RULE_USERDATA.rawValue)) {
            var length: UInt32 = 0
            if let data = nftnl_rule_get_data(rule, UInt16(NFTNL_RULE_USERDATA.rawValue), &length) {
                comment = Userdata.comment(in: Array(UnsafeRawBufferPointer(start: data, count: Int(length))))
            }
        }
        return RuleObject(family: family, table: string(nftnl_rule_get_str(rule, UInt16(NFTNL_RULE_TABLE.rawValue))),
                          chain: string(nftnl_rule_get_str(rule, UInt16(NFTNL_RULE_CHAIN.rawValue))),
                          handle: nftnl_rule_get_u64(rule, UInt16(NFTNL_RULE_HANDLE.rawValue)), expressions: expressions, comment: comment)
    }

    static func set(_ message: UnsafeMutablePointer<nlmsghdr>) -> SetObject? {
        guard AttributeCheck.setExpressionsAreNamed(message) else { return nil }
        guard let set = nftnl_set_alloc() else { return nil }
        defer { nftnl_set_free(set) }
        guard nftnl_set_nlmsg_parse(message, set) >= 0,
              let family = NetfilterFamily(rawValue: nftnl_set_get_u32(set, UInt16(NFTNL_SET_FAMILY.rawValue))) else { return nil }
        func has(_ attribute: nftnl_set_attr) -> Bool { nftnl_set_is_set(set, UInt16(attribute.rawValue)) }
        func u32(_ attribute: nftnl_set_attr) -> UInt32 { nftnl_set_get_u32(set, UInt16(attribute.rawValue)) }
        func data(_ attribute: nftnl_set_attr) -> [UInt8]? {
            guard has(attribute) else { return nil }
            var length: UInt32 = 0
            guard let pointer = nftnl_set_get_data(set, UInt16(attribute.rawValue), &length) else { return nil }
            return Array(UnsafeRawBufferPointer(start: pointer, count: Int(length)))
        }
        return SetObject(family: family, table: string(nftnl_set_get_str(set, UInt16(NFTNL_SET_TABLE.rawValue))),
                         name: string(nftnl_set_get_str(set, UInt16(NFTNL_SET_NAME.rawValue))),
                         id: has(NFTNL_SET_ID) ? u32(NFTNL_SET_ID) : nil, flags: u32(NFTNL_SET_FLAGS),
                         keyType: u32(NFTNL_SET_KEY_TYPE), keyLength: u32(NFTNL_SET_KEY_LEN),
                         dataType: has(NFTNL_SET_DATA_TYPE) ? u32(NFTNL_SET_DATA_TYPE) : nil,
                         dataLength: has(NFTNL_SET_DATA_LEN) ? u32(NFTNL_SET_DATA_LEN) : nil,
                         fieldLengths: (data(NFTNL_SET_DESC_CONCAT) ?? []).filter { $0 != 0 },
                         userdata: data(NFTNL_SET_USERDATA).map(Bytes.init))
    }

    /// The elements of one GETSETELEM reply message; nil if libnftnl cannot be trusted with it.
    static func elements(_ message: UnsafeMutablePointer<nlmsghdr>) -> [SetElement]? {
        guard AttributeCheck.elementAttributesAreKnown(message) else { return nil }
        guard let set = nftnl_set_alloc() else { return [] }
        defer { nftnl_set_free(set) }
        guard nftnl_set_elems_nlmsg_parse(message, set) >= 0, let iterator = nftnl_set_elems_iter_create(set) else { return [] }
        defer { nftnl_set_elems_iter_destroy(iterator) }
        var elements: [SetElement] = []
        while let element = nftnl_set_elems_iter_next(iterator) {
            func has(_ attribute: Int) -> Bool {
                var length: UInt32 = 0
                return nftnl_set_elem_get(element, UInt16(attribute), &length) != nil
            }
            func bytes(_ attribute: Int) -> Bytes? {
                var length: UInt32 = 0
                guard let pointer = nftnl_set_elem_get(element, UInt16(attribute), &length) else { return nil }
                return Bytes(Array(UnsafeRawBufferPointer(start: pointer, count: Int(length))))
            }
            var data: ImmediateValue?
            if has(NFTNL_SET_ELEM_VERDICT) {
                let code = VerdictCode(Int32(bitPattern: nftnl_set_elem_get_u32(element, UInt16(NFTNL_SET_ELEM_VERDICT))))
                let chain = has(NFTNL_SET_ELEM_CHAIN) ? nftnl_set_elem_get_str(element, UInt16(NFTNL_SET_ELEM_CHAIN)).map { String(cString: $0) } : nil
                data = .verdict(code, chain: chain)
            } else if let value = bytes(NFTNL_SET_ELEM_DATA) {
                data = .data(value)
            }
            elements.append(SetElement(key: bytes(NFTNL_SET_ELEM_KEY) ?? Bytes([]), keyEnd: bytes(NFTNL_SET_ELEM_KEY_END),
                                       flags: has(NFTNL_SET_ELEM_FLAGS) ? nftnl_set_elem_get_u32(element, UInt16(NFTNL_SET_ELEM_FLAGS)) : 0,
                                       data: data,
                                       objectName: has(NFTNL_SET_ELEM_OBJREF) ? nftnl_set_elem_get_str(element, UInt16(NFTNL_SET_ELEM_OBJREF)).map { String(cString: $0) } : nil,
                                       timeout: has(NFTNL_SET_ELEM_TIMEOUT) ? nftnl_set_elem_get_u64(element, UInt16(NFTNL_SET_ELEM_TIMEOUT)) : nil))
        }
        return elements
    }

    static func flowtable(_ message: UnsafeMutablePointer<nlmsghdr>) -> FlowtableObject? {
        guard let flowtable = nftnl_flowtable_alloc() else { return nil }
        defer { nftnl_flowtable_free(flowtable) }
        guard nftnl_flowtable_nlmsg_parse(message, flowtable) >= 0,
              let family = NetfilterFamily(rawValue: nftnl_flowtable_get_u32(flowtable, UInt16(NFTNL_FLOWTABLE_FAMILY.rawValue))) else { return nil }
        var devices: [String] = []
        if let array = nftnl_flowtable_get_array(flowtable, UInt16(NFTNL_FLOWTABLE_DEVICES.rawValue)) {
            var index = 0
            while let device = array[index] { devices.append(String(cString: device)); index += 1 }
        }
        return FlowtableObject(family: family, table: string(nftnl_flowtable_get_str(flowtable, UInt16(NFTNL_FLOWTABLE_TABLE.rawValue))),
                               name: string(nftnl_flowtable_get_str(flowtable, UInt16(NFTNL_FLOWTABLE_NAME.rawValue))),
                               hook: nftnl_flowtable_get_u32(flowtable, UInt16(NFTNL_FLOWTABLE_HOOKNUM.rawValue)),
                               priority: nftnl_flowtable_get_s32(flowtable, UInt16(NFTNL_FLOWTABLE_PRIO.rawValue)), devices: devices)
    }

    static func object(_ message: UnsafeMutablePointer<nlmsghdr>) -> NamedObject? {
        guard let object = nftnl_obj_alloc() else { return nil }
        defer { nftnl_obj_free(object) }
        guard nftnl_obj_nlmsg_parse(message, object) >= 0,
              let family = NetfilterFamily(rawValue: nftnl_obj_get_u32(object, UInt16(NFTNL_OBJ_FAMILY))) else { return nil }
        return NamedObject(family: family, table: string(nftnl_obj_get_str(object, UInt16(NFTNL_OBJ_TABLE))),
                           name: string(nftnl_obj_get_str(object, UInt16(NFTNL_OBJ_NAME))),
                           type: nftnl_obj_get_u32(object, UInt16(NFTNL_OBJ_TYPE)))
    }

    private static func string(_ pointer: UnsafePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }
}

/// nft keeps a rule's comment in the rule's userdata, as type-length-value attributes.
enum Userdata {
    /// The comment attribute (type 0), without its terminating NUL.
    static func comment(in data: [UInt8]) -> String? {
        var index = 0
        while index + 2 <= data.count {
            let type = data[index], length = Int(data[index + 1])
            let end = index + 2 + length
            guard end <= data.count else { return nil }
            if type == 0 {
                let value = data[(index + 2)..<end].prefix { $0 != 0 }
                return String(decoding: value, as: UTF8.self)
            }
            index = end
        }
        return nil
    }
}
