import FirewallModel
import NftablesBytecode

/// A set's or map's elements as value ranges per key field, the way a lookup sees them.
///
/// Interval sets store each interval as a start element and an end element one past its last
/// value (`NFT_SET_ELEM_INTERVAL_END`); the last interval may run to the top with no end element.
/// Concatenated ranges carry an explicit end key. The catch-all element matches every key.
struct SetContents: Sendable {
    struct Entry: Sendable {
        /// One range per key field, as integers read the way the key registers hold them.
        var fields: [ClosedRange<UInt128>]
        var data: ImmediateValue?
    }

    var entries: [Entry] = []
    var catchAll: ImmediateValue??

    /// Splits each element key into the fields' register slots (each rounded up to 4 bytes).
    init(_ set: SetObject, fields: [RegisterValue]) throws(SetContentsError) {
        let slots = fields.map { ($0.length + 3) / 4 * 4 }
        func values(_ key: Bytes) throws(SetContentsError) -> [UInt128] {
            var result: [UInt128] = []
            var offset = 0
            for (field, slot) in zip(fields, slots) {
                guard key.count >= offset + field.length else { throw SetContentsError(message: "element key \(key) is shorter than the lookup key") }
                result.append(field.integer(Bytes(Array(key.bytes[offset..<(offset + field.length)]))))
                offset += slot
            }
            return result
        }
        if set.isInterval && fields.count == 1 && !set.elements.contains(where: { $0.keyEnd != nil }) {
            let ordered = set.elements.filter { !$0.isCatchAll }.sorted { $0.key.bytes.lexicographicallyPrecedes($1.key.bytes) }
            for (index, element) in ordered.enumerated() where !element.isIntervalEnd {
                let start = try values(element.key)[0]
                var end = fields[0].maximum
                if index + 1 < ordered.count {
                    let next = try values(ordered[index + 1].key)[0]
                    guard next > start else { continue }
                    end = next - 1
                }
                entries.append(Entry(fields: [start...end], data: element.data))
            }
        } else {
            for element in set.elements where !element.isCatchAll && !element.isIntervalEnd {
                let low = try values(element.key)
                let high = try element.keyEnd.map { (key: Bytes) throws(SetContentsError) in try values(key) } ?? low
                var ranges: [ClosedRange<UInt128>] = []
                for (a, b) in zip(low, high) {
                    guard a <= b else { throw SetContentsError(message: "element range \(element.key)-\(element.keyEnd ?? element.key) is inverted") }
                    ranges.append(a...b)
                }
                entries.append(Entry(fields: ranges, data: element.data))
            }
        }
        if let element = set.elements.first(where: \.isCatchAll) { catchAll = .some(element.data) }
    }

    /// All keys of a one-field set, as one value set.
    var union: IntervalSet<UInt128> { IntervalSet(ranges: entries.compactMap(\.fields.first)) }
}

struct SetContentsError: Error {
    var message: String
}
