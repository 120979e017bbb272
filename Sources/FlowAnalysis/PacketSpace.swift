import FirewallModel

/// A box of packets: every combination of the values each field allows.
///
/// Fields that a packet may lack (ports, ICMP type, TCP flags) keep their full set when the
/// protocol does not carry them; conditions on them always require the protocol too.
/// Unknown conditions (opaque matches, verdicts taken elsewhere) are boolean variables: a box
/// that fixes one holds only for that answer, which is how "may" and "must" stay apart.
public struct PacketBox: Sendable, Hashable {
    public var layer4Protocol: ProtocolSet
    public var source: AddressSet
    public var destination: AddressSet
    public var sourcePort: PortSet
    public var destinationPort: PortSet
    public var icmpType: IntervalSet<UInt16>
    public var tcpFlags: IntervalSet<UInt8>
    public var inInterface: InterfaceSet
    public var outInterface: InterfaceSet
    public var state: ConnectionStates
    public var mark: IntervalSet<UInt32>
    public var connectionMark: IntervalSet<UInt32>
    /// The connection's translation status (`TranslationStatus`): none for an opening packet
    /// before a nat rule, and for a packet without a connection.
    public var translation: IntervalSet<UInt8>
    /// Fixed answers of unknown conditions, sorted by id; an absent id may be either.
    public var unknowns: [UnknownAnswer]
    /// The unknown answers were loosened to keep the analysis bounded: the box may also stand
    /// for answers that do not lead here. Claims that hold for every answer stay sound; claims
    /// about one answer (a witness's assumed answers) may not be reproducible.
    public var widened = false
    /// The destination before address translation, when a rule rewrote it.
    public var originalDestination: AddressSet? { get { self[translated: \.originalDestination] } set { self[translated: \.originalDestination] = newValue } }
    public var originalDestinationPort: PortSet? { get { self[translated: \.originalDestinationPort] } set { self[translated: \.originalDestinationPort] = newValue } }
    /// For later packets of a translated connection: the destination (and port) conntrack gives
    /// them where the destination nat chains run, without running them; nil when untranslated.
    public var connectionDestination: AddressSet? { get { self[translated: \.connectionDestination] } set { self[translated: \.connectionDestination] = newValue } }
    public var connectionDestinationPort: PortSet? {
        get { self[translated: \.connectionDestinationPort] }
        set { self[translated: \.connectionDestinationPort] = newValue }
    }
    /// For the host's own packets routed again after a translation: the interface the first route
    /// chose, which every output chain still sees.
    public var originalOutInterface: InterfaceSet? { get { self[translated: \.originalOutInterface] } set { self[translated: \.originalOutInterface] = newValue } }

    /// The fields above, which only translated packets have, in one shared object: boxes are copied
    /// by the hundred thousand, and most have none of them. Nil when all are.
    private var translatedFields: TranslatedFields?

    /// One of those fields, read from and written to the shared object (a new one per write).
    private subscript<Value>(translated key: WritableKeyPath<TranslatedFields.Fields, Value?>) -> Value? {
        get { translatedFields?.fields[keyPath: key] }
        set {
            var fields = translatedFields?.fields ?? TranslatedFields.Fields()
            fields[keyPath: key] = newValue
            translatedFields = fields == TranslatedFields.Fields() ? nil : TranslatedFields(fields)
        }
    }

    /// Whether a nat rule or the connection's translation rewrote the destination address.
    public var isDestinationTranslated: Bool { originalDestination != nil }

    public struct UnknownAnswer: Sendable, Hashable, Comparable {
        public var id: Int
        public var holds: Bool
        public static func < (lhs: UnknownAnswer, rhs: UnknownAnswer) -> Bool { lhs.id < rhs.id }
    }

    /// Every packet of `family` (every interface class, state and mark).
    public init(family: AddressFamily, interfaces: InterfaceUniverse) {
        layer4Protocol = .full
        source = AddressSet(family.domain)
        destination = AddressSet(family.domain)
        sourcePort = .full
        destinationPort = .full
        icmpType = .full
        tcpFlags = .full
        inInterface = interfaces.all
        outInterface = interfaces.all
        state = .all
        mark = .full
        connectionMark = .full
        translation = TranslationStatus.all
        unknowns = []
    }

    // `isEmpty`, `intersection`, `meets` and `subtracting` are the engine's hottest paths: they name
    // each field, in the order of `PacketDimension.all`, rather than walk that table, whose closures
    // made the kube-proxy audit at 100k rules 1.6 times slower (measured). The tests check them
    // against the same operations walking the table (`PacketDimensionTests`).

    public var isEmpty: Bool {
        layer4Protocol.isEmpty || source.isEmpty || destination.isEmpty || sourcePort.isEmpty || destinationPort.isEmpty
            || icmpType.isEmpty || tcpFlags.isEmpty || inInterface.isEmpty || outInterface.isEmpty || state.isEmpty
            || mark.isEmpty || connectionMark.isEmpty || translation.isEmpty
    }

    /// The packets in both boxes, or nil when none.
    public func intersection(_ other: PacketBox) -> PacketBox? {
        var result = self
        result.layer4Protocol = layer4Protocol.intersection(other.layer4Protocol)
        if result.layer4Protocol.isEmpty { return nil }
        result.destinationPort = destinationPort.intersection(other.destinationPort)
        if result.destinationPort.isEmpty { return nil }
        result.destination = destination.intersection(other.destination)
        if result.destination.isEmpty { return nil }
        result.source = source.intersection(other.source)
        if result.source.isEmpty { return nil }
        result.sourcePort = sourcePort.intersection(other.sourcePort)
        result.icmpType = icmpType.intersection(other.icmpType)
        result.tcpFlags = tcpFlags.intersection(other.tcpFlags)
        result.inInterface = inInterface.intersection(other.inInterface)
        result.outInterface = outInterface.intersection(other.outInterface)
        result.state = state.intersection(other.state)
        result.mark = mark.intersection(other.mark)
        result.connectionMark = connectionMark.intersection(other.connectionMark)
        result.translation = translation.intersection(other.translation)
        guard let unknowns = PacketBox.mergeUnknowns(unknowns, other.unknowns) else { return nil }
        result.unknowns = unknowns
        result.widened = widened || other.widened
        result.limitAnswers()
        return result.isEmpty ? nil : result
    }

    private static func mergeUnknowns(_ a: [UnknownAnswer], _ b: [UnknownAnswer]) -> [UnknownAnswer]? {
        if b.isEmpty { return a }
        if a.isEmpty { return b }
        var result: [UnknownAnswer] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i].id < b[j].id) { result.append(a[i]); i += 1 }
            else if i == a.count || b[j].id < a[i].id { result.append(b[j]); j += 1 }
            else {
                if a[i].holds != b[j].holds { return nil }
                result.append(a[i]); i += 1; j += 1
            }
        }
        return result
    }

    /// Whether the boxes share a packet: `intersection(other) != nil` without building the
    /// intersection (a blocklist's million ranges are compared, not copied).
    public func meets(_ other: PacketBox) -> Bool {
        layer4Protocol.overlaps(other.layer4Protocol) && destinationPort.overlaps(other.destinationPort)
            && destination.overlaps(other.destination) && source.overlaps(other.source)
            && sourcePort.overlaps(other.sourcePort) && icmpType.overlaps(other.icmpType) && tcpFlags.overlaps(other.tcpFlags)
            && inInterface.overlaps(other.inInterface) && outInterface.overlaps(other.outInterface)
            && state.overlaps(other.state) && mark.overlaps(other.mark) && connectionMark.overlaps(other.connectionMark)
            && translation.overlaps(other.translation) && PacketBox.mergeUnknowns(unknowns, other.unknowns) != nil
    }

    /// The packets of this box that are not in `other`, as disjoint boxes.
    ///
    /// Field by field: the values outside `other`'s become a piece, and the rest keeps the values
    /// inside for the next field.
    public func subtracting(_ other: PacketBox) -> [PacketBox] {
        guard meets(other) else { return [self] }
        var pieces: [PacketBox] = []
        var rest = self
        // Addresses narrowed for later pieces only when a later piece is made: the rest of a box
        // against a blocklist of a million ranges is usually not cut again.
        var narrowDestination = false, narrowSource = false
        func add(_ piece: (inout PacketBox) -> Void) {
            if narrowDestination { rest.destination = rest.destination.intersection(other.destination) }
            if narrowSource { rest.source = rest.source.intersection(other.source) }
            narrowDestination = false
            narrowSource = false
            var made = rest
            piece(&made)
            pieces.append(made)
        }
        if let (outside, inside) = PacketBox.cut(rest.layer4Protocol, other.layer4Protocol) { add { $0.layer4Protocol = outside }; rest.layer4Protocol = inside }
        if let (outside, inside) = PacketBox.cut(rest.destinationPort, other.destinationPort) { add { $0.destinationPort = outside }; rest.destinationPort = inside }
        let outsideDestination = rest.destination.subtracting(other.destination)
        if !outsideDestination.isEmpty { add { $0.destination = outsideDestination }; narrowDestination = true }
        let outsideSource = rest.source.subtracting(other.source)
        if !outsideSource.isEmpty { add { $0.source = outsideSource }; narrowSource = true }
        if let (outside, inside) = PacketBox.cut(rest.sourcePort, other.sourcePort) { add { $0.sourcePort = outside }; rest.sourcePort = inside }
        if let (outside, inside) = PacketBox.cut(rest.icmpType, other.icmpType) { add { $0.icmpType = outside }; rest.icmpType = inside }
        if let (outside, inside) = PacketBox.cut(rest.tcpFlags, other.tcpFlags) { add { $0.tcpFlags = outside }; rest.tcpFlags = inside }
        if let (outside, inside) = PacketBox.cut(rest.inInterface, other.inInterface) { add { $0.inInterface = outside }; rest.inInterface = inside }
        if let (outside, inside) = PacketBox.cut(rest.outInterface, other.outInterface) { add { $0.outInterface = outside }; rest.outInterface = inside }
        if let (outside, inside) = PacketBox.cut(rest.state, other.state) { add { $0.state = outside }; rest.state = inside }
        if let (outside, inside) = PacketBox.cut(rest.mark, other.mark) { add { $0.mark = outside }; rest.mark = inside }
        if let (outside, inside) = PacketBox.cut(rest.connectionMark, other.connectionMark) { add { $0.connectionMark = outside }; rest.connectionMark = inside }
        if let (outside, inside) = PacketBox.cut(rest.translation, other.translation) { add { $0.translation = outside }; rest.translation = inside }
        for answer in other.unknowns where !rest.unknowns.contains(answer) {
            let opposite = PacketBox.mergeUnknowns(rest.unknowns, [UnknownAnswer(id: answer.id, holds: !answer.holds)])!
            add { $0.unknowns = opposite }
            rest.unknowns = PacketBox.mergeUnknowns(rest.unknowns, [answer])!
        }
        for index in pieces.indices { pieces[index].limitAnswers() }
        return pieces
    }

    /// One field's values outside `theirs` and inside them, or nil when none is outside.
    @inline(__always)
    private static func cut<Value: FieldValues>(_ mine: Value, _ theirs: Value) -> (outside: Value, inside: Value)? {
        let outside = mine.subtracting(theirs)
        return outside.isEmpty ? nil : (outside, mine.intersection(theirs))
    }

    /// The same packets whatever the unknown conditions answer.
    public var withoutUnknowns: PacketBox {
        var box = self
        box.unknowns = []
        box.widened = false
        return box
    }

    /// At most `EngineLimits.answersPerBox` answers are kept per box; answers are kept in order of
    /// id, and beyond the limit those of the lowest ids (the conditions earliest in the ruleset) are forgotten.
    mutating func limitAnswers() {
        guard unknowns.count > EngineLimits.answersPerBox else { return }
        unknowns = Array(unknowns.suffix(EngineLimits.answersPerBox))
        widened = true
    }

    /// The fixed answer of unknown condition `id` in this box, if any.
    public func answer(for id: Int) -> Bool? { unknowns.first { $0.id == id }?.holds }
}

/// What a translated packet remembers of its way (`PacketBox.originalDestination` and the rest),
/// immutable and shared between the copies of a box.
final class TranslatedFields: Sendable, Hashable {
    struct Fields: Sendable, Hashable {
        var originalDestination: AddressSet?
        var originalDestinationPort: PortSet?
        var connectionDestination: AddressSet?
        var connectionDestinationPort: PortSet?
        var originalOutInterface: InterfaceSet?
    }

    let fields: Fields

    init(_ fields: Fields) { self.fields = fields }

    static func == (lhs: TranslatedFields, rhs: TranslatedFields) -> Bool { lhs === rhs || lhs.fields == rhs.fields }
    func hash(into hasher: inout Hasher) { hasher.combine(fields) }
}

/// A union of packet boxes: the sets of packets the analysis reasons about.
public struct PacketSpace: Sendable, Hashable {
    public var boxes: [PacketBox]

    public init(_ boxes: [PacketBox] = []) { self.boxes = boxes }

    public var isEmpty: Bool { boxes.isEmpty }

    public func intersection(_ box: PacketBox) -> PacketSpace {
        PacketSpace(boxes.compactMap { $0.intersection(box) })
    }

    public func intersection(_ other: PacketSpace) -> PacketSpace {
        var result: [PacketBox] = []
        for box in boxes { for otherBox in other.boxes { if let both = box.intersection(otherBox) { result.append(both) } } }
        return PacketSpace(result)
    }

    public func subtracting(_ box: PacketBox) -> PacketSpace {
        PacketSpace(boxes.flatMap { $0.subtracting(box) })
    }

    public func subtracting(_ other: PacketSpace) -> PacketSpace {
        var current = self
        for box in other.boxes {
            current = current.subtracting(box)
            if current.isEmpty { break }
        }
        return current
    }

    public func union(_ other: PacketSpace) -> PacketSpace { PacketSpace(boxes + other.boxes) }

    /// The packets for which some answer of the unknown conditions puts them in the space.
    public var projected: PacketSpace { PacketSpace(boxes.map(\.withoutUnknowns)).coalesced() }

    /// The same, keeping the answers of `kept` conditions (per-connection choices, which are
    /// facts about different connections rather than doubts about one).
    public func projected(keeping kept: Set<Int>) -> PacketSpace {
        if kept.isEmpty { return projected }
        return PacketSpace(boxes.map { box in
            var loose = box.withoutUnknowns
            loose.unknowns = box.unknowns.filter { kept.contains($0.id) }
            return loose
        }).coalesced()
    }

    /// Ids of the unknown conditions that any box depends on.
    public var unknownIds: Set<Int> { Set(boxes.flatMap { $0.unknowns.map(\.id) }) }

    /// Merges boxes that differ in one field only, to keep unions small.
    ///
    /// Boxes are grouped, field by field, by a key of every other field: each box's fields are
    /// hashed once, and the key for one field is the sum of the others' hashes, so a key costs one
    /// subtraction and no box is copied or hashed again until it merges. A pass that merges
    /// nothing changes nothing: a thousand boxes that share no field but one cost one look-up each.
    public func coalesced() -> PacketSpace { coalesced(collidingKeys: false) }

    /// The same; with `collidingKeys`, every box has the same key, so every merge is found by
    /// comparison alone (for the tests of the comparison path).
    func coalesced(collidingKeys: Bool) -> PacketSpace {
        if boxes.count < 2 { return self }
        let fields = PacketBox.mergeableFields
        var merging = Merging(boxes: boxes, fields: fields, collidingKeys: collidingKeys)
        // Duplicates go in the order the boxes came, never a hash order: reports are deterministic.
        merging.removeDuplicates()
        var changed = true
        var rounds = 0
        while changed && merging.remaining > 1 && rounds < 4 {
            changed = false
            rounds += 1
            for fieldIndex in fields.indices where merging.merge(on: fieldIndex) { changed = true }
        }
        return PacketSpace(merging.boxes.indices.filter { merging.alive[$0] }.map { merging.boxes[$0] })
    }

    /// The boxes being merged, with what each is compared by, read once and again only for merged boxes.
    private struct Merging {
        let fields: [PacketDimension]
        var boxes: [PacketBox]
        /// Each box with every mergeable field blanked: what no merge changes. A merged box keeps its first member's.
        var rests: [PacketBox]
        var restHashes: [Int]
        /// Each box's hash of each field, mixed with the field's place, laid out box by box.
        var mixed: [Int]
        /// The rest's hash plus every mixed field hash.
        var totals: [Int]
        /// Whether each box is still one of the result (not merged into an earlier one), and how many are.
        var alive: [Bool]
        var remaining: Int

        let collidingKeys: Bool

        init(boxes: [PacketBox], fields: [PacketDimension], collidingKeys: Bool) {
            self.collidingKeys = collidingKeys
            self.fields = fields
            self.boxes = boxes
            alive = [Bool](repeating: true, count: boxes.count)
            remaining = boxes.count
            rests = boxes.map { box in
                var rest = box
                for field in fields { field.blank(&rest) }
                return rest
            }
            restHashes = rests.map { collidingKeys ? 0 : $0.hashValue }
            mixed = []
            mixed.reserveCapacity(boxes.count * fields.count)
            totals = []
            totals.reserveCapacity(boxes.count)
            for (index, box) in boxes.enumerated() {
                var total = restHashes[index]
                for fieldIndex in fields.indices {
                    let hash = collidingKeys ? 0 : Merging.mix(fieldIndex, fields[fieldIndex].hash(box))
                    mixed.append(hash)
                    total &+= hash
                }
                totals.append(total)
            }
        }

        /// A field's hash made particular to its place, so that sums of different fields' hashes do not cancel.
        static func mix(_ field: Int, _ hash: Int) -> Int { mixedHash(UInt64(field + 1), UInt64(bitPattern: Int64(hash))) }

        /// Whether boxes `a` and `b` are equal on every field but `skipping` (nil: on every field).
        func equal(_ a: Int, _ b: Int, skipping: Int?) -> Bool {
            restHashes[a] == restHashes[b] && rests[a] == rests[b]
                && fields.indices.allSatisfy { $0 == skipping || fields[$0].equal(boxes[a], boxes[b]) }
        }

        /// Groups boxes by `key` and equality on every field but `skipping`; each box's group is
        /// its first member's index, groups in order of first appearance.
        func groups(key: (Int) -> Int, skipping: Int?) -> (leaderOf: [Int], merges: Bool) {
            var firstWithKey: [Int: Int] = [:]
            firstWithKey.reserveCapacity(boxes.count)
            // Leaders whose key another leader had first, chained.
            var nextWithKey = [Int](repeating: -1, count: boxes.count)
            var leaderOf = Array(boxes.indices)
            var merges = false
            for index in boxes.indices where alive[index] {
                let boxKey = key(index)
                guard var candidate = firstWithKey[boxKey] else {
                    firstWithKey[boxKey] = index
                    continue
                }
                while true {
                    if equal(candidate, index, skipping: skipping) {
                        leaderOf[index] = candidate
                        merges = true
                        break
                    }
                    if nextWithKey[candidate] < 0 {
                        nextWithKey[candidate] = index
                        break
                    }
                    candidate = nextWithKey[candidate]
                }
            }
            return (leaderOf, merges)
        }

        mutating func removeDuplicates() {
            let (leaderOf, merges) = groups(key: { totals[$0] }, skipping: nil)
            guard merges else { return }
            drop(merged: leaderOf)
        }

        /// Unites the boxes equal on every field but `fieldIndex`; whether any were.
        mutating func merge(on fieldIndex: Int) -> Bool {
            let count = fields.count
            let (leaderOf, merges) = groups(key: { totals[$0] &- mixed[$0 * count + fieldIndex] }, skipping: fieldIndex)
            guard merges else { return false }
            // Each group's members in order, its leader first.
            var members: [Int: [PacketBox]] = [:]
            for index in boxes.indices where alive[index] && leaderOf[index] != index {
                members[leaderOf[index], default: [boxes[leaderOf[index]]]].append(boxes[index])
            }
            for (leader, group) in members {
                boxes[leader] = fields[fieldIndex].mergeAll(group)
                let hash = collidingKeys ? 0 : Merging.mix(fieldIndex, fields[fieldIndex].hash(boxes[leader]))
                totals[leader] = totals[leader] &- mixed[leader * count + fieldIndex] &+ hash
                mixed[leader * count + fieldIndex] = hash
            }
            drop(merged: leaderOf)
            return true
        }

        /// Leaves out the boxes merged into an earlier one: compared no more, never copied.
        private mutating func drop(merged leaderOf: [Int]) {
            for index in boxes.indices where alive[index] && leaderOf[index] != index {
                alive[index] = false
                remaining -= 1
            }
        }
    }
}

extension PacketBox {
    /// The fields boxes equal elsewhere are united on, in the order they are tried; marks and
    /// connection marks are not among them.
    static let mergeableFields: [PacketDimension] = [
        PacketDimension[.destinationPort], PacketDimension[.sourcePort], PacketDimension[.source], PacketDimension[.destination],
        PacketDimension[.layer4Protocol], PacketDimension[.state], PacketDimension[.tcpFlags], PacketDimension[.icmpType],
        PacketDimension[.translation], PacketDimension[.inInterface], PacketDimension[.outInterface],
    ]
}
