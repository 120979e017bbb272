import FirewallModel
import NftablesBytecode
import NftablesSemantics

/// What one register word holds: a field, how many bytes of it, and any mask or byte swap applied.
struct RegisterValue: Sendable, Hashable {
    var field: Field
    /// Bytes loaded.
    var length: Int
    /// `bitwise` mask-and-xor applied after the load.
    var mask: Bytes?
    var xor: Bytes?
    /// A `byteorder` expression converted the value; host-order fields are then in network order.
    var swapped = false
    /// The index of the match that established the protocol context this load relied on.
    var dependency: Int?
    /// The data an `immediate` (or a map's data) put into the register; the field is then opaque.
    var constant: Bytes?

    init(field: Field, length: Int, dependency: Int? = nil) {
        self.field = field
        self.length = length
        self.dependency = dependency
    }

    /// A register holding constant data, named by its notation.
    init(constant: Bytes) {
        self.init(field: .opaque(constant.description), length: constant.count)
        self.constant = constant
    }

    /// The bytes of a comparison operand read as an integer the way this register holds them.
    func integer(_ bytes: Bytes) -> UInt128 {
        let data = Array(bytes.bytes.prefix(length))
        let ordered = field.isHostOrder && !swapped ? data.reversed() : data
        return ordered.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
    }

    /// The largest integer the loaded bytes can hold.
    var maximum: UInt128 { length >= 16 ? UInt128.max : (UInt128(1) << UInt128(8 * length)) - 1 }
}

extension Field {
    /// The name of a register value written by an expression the IR has no case for.
    static let unknownResult = "result of an unknown expression"

    /// Whether the kernel holds the value in host byte order (little-endian here).
    var isHostOrder: Bool {
        switch self {
        case .packetMark, .connectionMark, .connectionState, .connectionStatus, .interfaceIndex, .fibType, .numgen: true
        default: false
        }
    }
}
