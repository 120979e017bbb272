import FirewallModel
import NftablesBytecode

/// A set's or map's elements as value ranges per key field, the way a lookup sees them.
///
/// Interval sets store each interval as a start element and an end element one past its last
/// value (`NFT_SET_ELEM_INTERVAL_END`); an interval running to the top has no end element, and
/// where one interval ends as the next starts, the end element shares the start's key or is left out.
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
            // The kernel looks up the last element whose key bytes are at or below the packet's and
            // matches when that element starts an interval. Adjacent intervals put an end element and
            // a start element on the same key (or nft leaves the end out); the start wins.
            let boundaries = set.elements.filter { !$0.isCatchAll }.sorted { a, b in
                a.key.bytes == b.key.bytes ? a.isIntervalEnd && !b.isIntervalEnd : a.key.bytes.lexicographicallyPrecedes(b.key.bytes)
            }
            var points: [SetElement] = []
            for element in boundaries {
                if let last = points.last, last.key.bytes == element.key.bytes {
                    if !element.isIntervalEnd { points[points.count - 1] = element }
                } else {
                    points.append(element)
                }
            }
            for (index, element) in points.enumerated() where !element.isIntervalEnd {
                let start = try values(element.key)[0]
                var end = fields[0].maximum
                if index + 1 < points.count {
                    let next = try values(points[index + 1].key)[0]
                    // Keys whose byte order is not their numeric order (a host-order field without a byteorder) give no range.
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
