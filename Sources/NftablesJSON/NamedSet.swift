import FirewallModel
import NftablesSemantics

/// A named set or map of a table, with its elements as written, for resolving `@name` lookups.
struct NamedSet: Sendable {
    var name: String
    /// The element keys (for maps, the part before `:`); a set's are made nodes only as they are read.
    var keys: JSONNodeItems
    /// For maps, the data of each element, in the same order as `keys`.
    var data: [JSONNode]?
    /// `map: "verdict"`: the data are verdicts.
    var isVerdictMap: Bool
    /// Elements change at run time (`dynamic`/`timeout` flags, or updated by `set`/`map` statements):
    /// the exported elements are a snapshot, so lookups are unknown.
    var isDynamic: Bool
    var location: SourceLocation

    /// Reads a `{"set": …}` or `{"map": …}` object body.
    static func read(_ body: JSONNode, isMap: Bool) throws(NftablesJSONError) -> NamedSet {
        let name = try body.member("name").requireString()
        let flags = Set((body["flags"]?.itemsOrSingle ?? []).compactMap(\.string))
        let isDynamic = flags.contains("dynamic") || flags.contains("timeout")
        let elements = body["elem"]?.itemsOrSingle ?? []
        guard isMap else {
            return NamedSet(name: name, keys: elements, data: nil, isVerdictMap: false, isDynamic: isDynamic, location: body.location)
        }
        var keys: [JSONNode] = []
        var data: [JSONNode] = []
        for element in elements {
            let pair = ElementReader.unwrap(element)
            guard let parts = pair.items, parts.count == 2 else { throw element.error("map element must be a [key, value] pair") }
            keys.append(parts[0])
            data.append(parts[1])
        }
        return NamedSet(name: name, keys: JSONNodeItems(keys), data: data, isVerdictMap: body["map"]?.string == "verdict",
                        isDynamic: isDynamic, location: body.location)
    }
}
