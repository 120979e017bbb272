import FirewallModel

/// The values one packet field can take in a box: interval sets of numbers, interface classes,
/// connection states. Every operation the engine takes on whole boxes is one of these, field by field.
protocol FieldValues: Hashable {
    var isEmpty: Bool { get }
    func subtracting(_ other: Self) -> Self
    func intersection(_ other: Self) -> Self
    func overlaps(_ other: Self) -> Bool
    /// The values of every box united: how boxes equal on every other field merge.
    static func union(of all: [Self]) -> Self
    /// A hash for grouping boxes by this field: equal values hash alike, and cheaply.
    var groupingHash: Int { get }
    /// The empty value a field is blanked to, when boxes are compared on every other field.
    static var blank: Self { get }
    /// The values as numbered ranges, for `FirstMatchPartition`, which cuts every field alike.
    var numbered: AddressSet { get }
    /// The values `numbered` stands for, as this field holds them: numbers and states are replaced
    /// by them; interface classes keep only the members `numbered` holds (a class is an index in
    /// the box's own universe, which the numbers do not carry).
    func narrowed(to numbered: AddressSet) -> Self
}

/// One field of a packet box. `PacketDimension.all` lists every field once. Merging and the
/// partition walk it; `PacketBox`'s intersection, overlap, cut and emptiness name each field for
/// speed and are checked against `intersect`, `overlaps`, `outside` and `isEmpty` here by the tests.
/// A class: its closures are read by reference, never copied with their contexts.
final class PacketDimension: Sendable {
    enum Name: Int, Sendable, CaseIterable {
        case layer4Protocol, destinationPort, destination, source, sourcePort, icmpType, tcpFlags,
             inInterface, outInterface, state, mark, connectionMark, translation
    }

    let name: Name
    let isEmpty: @Sendable (PacketBox) -> Bool
    /// Narrows the first box to the values of the second; whether any are left.
    let intersect: @Sendable (inout PacketBox, PacketBox) -> Bool
    let overlaps: @Sendable (PacketBox, PacketBox) -> Bool
    /// The first box with only its values outside the second's, or nil when none is.
    let outside: @Sendable (PacketBox, PacketBox) -> PacketBox?
    let hash: @Sendable (PacketBox) -> Int
    let equal: @Sendable (PacketBox, PacketBox) -> Bool
    let blank: @Sendable (inout PacketBox) -> Void
    /// The first box with this field holding every box's values.
    let mergeAll: @Sendable ([PacketBox]) -> PacketBox
    let numbered: @Sendable (PacketBox) -> AddressSet
    let assign: @Sendable (inout PacketBox, AddressSet) -> Void

    init(name: Name, isEmpty: @escaping @Sendable (PacketBox) -> Bool,
         intersect: @escaping @Sendable (inout PacketBox, PacketBox) -> Bool, overlaps: @escaping @Sendable (PacketBox, PacketBox) -> Bool,
         outside: @escaping @Sendable (PacketBox, PacketBox) -> PacketBox?,
         hash: @escaping @Sendable (PacketBox) -> Int, equal: @escaping @Sendable (PacketBox, PacketBox) -> Bool,
         blank: @escaping @Sendable (inout PacketBox) -> Void, mergeAll: @escaping @Sendable ([PacketBox]) -> PacketBox,
         numbered: @escaping @Sendable (PacketBox) -> AddressSet, assign: @escaping @Sendable (inout PacketBox, AddressSet) -> Void) {
        self.name = name
        self.isEmpty = isEmpty
        self.intersect = intersect
        self.overlaps = overlaps
        self.outside = outside
        self.hash = hash
        self.equal = equal
        self.blank = blank
        self.mergeAll = mergeAll
        self.numbered = numbered
        self.assign = assign
    }

    /// The fields, in the order whole-box operations test them: those most often told apart first.
    static let all: [PacketDimension] = [
        field(.layer4Protocol, { $0.layer4Protocol }, { $0.layer4Protocol = $1 }),
        field(.destinationPort, { $0.destinationPort }, { $0.destinationPort = $1 }),
        field(.destination, { $0.destination }, { $0.destination = $1 }),
        field(.source, { $0.source }, { $0.source = $1 }),
        field(.sourcePort, { $0.sourcePort }, { $0.sourcePort = $1 }),
        field(.icmpType, { $0.icmpType }, { $0.icmpType = $1 }),
        field(.tcpFlags, { $0.tcpFlags }, { $0.tcpFlags = $1 }),
        field(.inInterface, { $0.inInterface }, { $0.inInterface = $1 }),
        field(.outInterface, { $0.outInterface }, { $0.outInterface = $1 }),
        field(.state, { $0.state }, { $0.state = $1 }),
        field(.mark, { $0.mark }, { $0.mark = $1 }),
        field(.connectionMark, { $0.connectionMark }, { $0.connectionMark = $1 }),
        field(.translation, { $0.translation }, { $0.translation = $1 }),
    ]

    /// The dimension of one field.
    static subscript(_ name: Name) -> PacketDimension { all[byName[name.rawValue]] }

    private static let byName: [Int] = Name.allCases.map { name in all.firstIndex { $0.name == name }! }

    private static func field<Values: FieldValues>(_ name: Name, _ get: @escaping @Sendable (PacketBox) -> Values,
                                                   _ set: @escaping @Sendable (inout PacketBox, Values) -> Void) -> PacketDimension {
        PacketDimension(
            name: name,
            isEmpty: { get($0).isEmpty },
            intersect: { box, other in
                let values = get(box).intersection(get(other))
                set(&box, values)
                return !values.isEmpty
            },
            overlaps: { get($0).overlaps(get($1)) },
            outside: { box, other in
                let values = get(box).subtracting(get(other))
                if values.isEmpty { return nil }
                var piece = box
                set(&piece, values)
                return piece
            },
            hash: { get($0).groupingHash },
            equal: { get($0) == get($1) },
            blank: { set(&$0, .blank) },
            mergeAll: { boxes in
                var box = boxes[0]
                set(&box, Values.union(of: boxes.map(get)))
                return box
            },
            numbered: { get($0).numbered },
            assign: { box, numbered in set(&box, get(box).narrowed(to: numbered)) })
    }
}

extension IntervalSet: FieldValues {
    /// One range, the most common value, is mixed by multiplication; more go through `Hasher`.
    var groupingHash: Int {
        guard let range = onlyRange else { return hashValue }
        func word(_ value: Bound) -> UInt64 { UInt64(truncatingIfNeeded: value) ^ UInt64(truncatingIfNeeded: value >> 64) &* 31 }
        return mixedHash(word(range.lowerBound), word(range.upperBound))
    }
    /// One sort of every set's ranges.
    static func union(of all: [IntervalSet]) -> IntervalSet { IntervalSet(ranges: all.flatMap(\.ranges)) }
    static var blank: IntervalSet { .empty }
    var numbered: AddressSet { converted() }
    func narrowed(to numbered: AddressSet) -> IntervalSet { numbered.converted() }
}

extension InterfaceSet: FieldValues {
    var groupingHash: Int { hashValue }
    func overlaps(_ other: InterfaceSet) -> Bool { !intersection(other).isEmpty }
    static func union(of all: [InterfaceSet]) -> InterfaceSet { all.dropFirst().reduce(all[0]) { $0.union($1) } }
    static var blank: InterfaceSet { InterfaceSet(count: 0) }
    var numbered: AddressSet { AddressSet(ranges: indices.map { UInt128($0)...UInt128($0) }) }
    /// The members whose index `numbered` holds.
    func narrowed(to numbered: AddressSet) -> InterfaceSet {
        var result = self
        for index in indices where !numbered.contains(UInt128(index)) { result.remove(index) }
        return result
    }
}

extension ConnectionStates: FieldValues {
    var groupingHash: Int { Int(rawValue) }
    func overlaps(_ other: ConnectionStates) -> Bool { !isDisjoint(with: other) }
    static func union(of all: [ConnectionStates]) -> ConnectionStates { all.reduce(into: []) { $0.formUnion($1) } }
    static var blank: ConnectionStates { [] }
    /// Each state by its bit.
    var numbered: AddressSet { AddressSet(ranges: (0..<8).filter { rawValue >> $0 & 1 == 1 }.map { UInt128($0)...UInt128($0) }) }
    func narrowed(to numbered: AddressSet) -> ConnectionStates {
        ConnectionStates(rawValue: (0..<8).filter { numbered.contains(UInt128($0)) }.reduce(0) { $0 | 1 << $1 })
    }
}

/// Two words mixed into one well-spread hash (multiply and xor-shift): for grouping boxes, where
/// a `Hasher` per field would cost more than the grouping saves. Equal inputs hash alike; a
/// collision only costs a comparison.
func mixedHash(_ first: UInt64, _ second: UInt64) -> Int {
    var mixed = first &* 0x9E37_79B9_7F4A_7C15 ^ second
    mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
    mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
    return Int(bitPattern: UInt(mixed ^ (mixed >> 31)))
}
