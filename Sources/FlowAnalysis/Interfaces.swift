import FirewallModel

/// The finite set of interface-name classes one analysis distinguishes.
///
/// Interface names are unbounded, but a ruleset and a matrix mention finitely many names and
/// prefixes. Two names that every pattern treats alike are interchangeable, so the analysis
/// uses one representative name per class: each concrete name, one fresh name per wildcard
/// prefix, one name no pattern mentions, and the empty name for "no interface".
public struct InterfaceUniverse: Sendable, Hashable {
    /// Representative names; index 0 is the empty name (no interface).
    public private(set) var names: [String]
    private var patterns: [InterfacePattern]
    /// Indices `1...concreteCount` are names written in the rules or the matrix; later ones are stand-ins.
    public private(set) var concreteCount: Int
    /// For each stand-in class, the wildcard prefix it stands for (nil: names no pattern mentions).
    private var standInPrefixes: [Int: String?] = [:]

    public init<S: Sequence>(patterns input: S) where S.Element == InterfacePattern {
        var patterns = Set(input)
        patterns.insert(InterfacePattern(name: "lo", isWildcard: false))
        self.patterns = patterns.sorted()
        let concrete = self.patterns.filter { !$0.isWildcard }.map(\.name)
        var names = [""] + concrete.filter { !$0.isEmpty }
        concreteCount = names.count - 1
        let wildcards = self.patterns.filter(\.isWildcard)
        for prefix in wildcards {
            if let name = InterfaceUniverse.representative(prefix: prefix.name, patterns: self.patterns, taken: names) {
                standInPrefixes[names.count] = .some(prefix.name)
                names.append(name)
            }
        }
        if let other = InterfaceUniverse.representative(prefix: nil, patterns: self.patterns, taken: names) {
            standInPrefixes[names.count] = .some(nil)
            names.append(other)
        }
        self.names = names
    }

    /// A fresh name whose matching patterns are exactly the wildcards that are prefixes of `prefix`.
    private static func representative(prefix: String?, patterns: [InterfacePattern], taken: [String]) -> String? {
        let stem = prefix ?? "if"
        for counter in 0..<10_000 {
            let candidate = prefix == nil ? "if\(counter)x" : "\(stem)\(counter)x"
            if taken.contains(candidate) { continue }
            let good = patterns.allSatisfy { pattern in
                let expected = pattern.isWildcard && prefix.map { $0.hasPrefix(pattern.name) } ?? (pattern.isWildcard && pattern.name.isEmpty)
                return pattern.matches(candidate) == expected
            }
            if good { return candidate }
        }
        return nil
    }

    public var count: Int { names.count }

    /// The class as people read it, independent of the stand-in names chosen: a written name,
    /// `prefix+` for names only that wildcard matches, `*` for names no pattern mentions, and nil
    /// for "no interface".
    public func pattern(of index: Int) -> String? {
        if index == 0 { return nil }
        if let prefix = standInPrefixes[index] { return prefix.map { $0 + "+" } ?? "*" }
        return names[index]
    }

    /// Whether class `index` is a name someone wrote (not a stand-in for "any other name").
    public func isWritten(_ index: Int) -> Bool { index >= 1 && index <= concreteCount }

    /// The classes whose representative matches `pattern`.
    public func matching(_ pattern: InterfacePattern) -> InterfaceSet {
        var set = InterfaceSet(count: count)
        for (index, name) in names.enumerated() where pattern.matches(name) { set.insert(index) }
        return set
    }

    /// The class of a concrete name, which need not be a representative.
    public func index(of name: String) -> Int? {
        if let exact = names.firstIndex(of: name) { return exact }
        let signature = patterns.map { $0.matches(name) }
        return names.indices.first { index in patterns.map { $0.matches(names[index]) } == signature && names[index] != "" }
    }

    public var all: InterfaceSet { InterfaceSet(count: count, filled: true) }
    public var none: InterfaceSet { var set = InterfaceSet(count: count); set.insert(0); return set }
    /// Every class a packet can arrive or leave on: all but "no interface" and `lo`.
    public var external: InterfaceSet {
        var set = all
        set.remove(0)
        if let lo = names.firstIndex(of: "lo") { set.remove(lo) }
        return set
    }
    public var loopback: InterfaceSet {
        var set = InterfaceSet(count: count)
        if let lo = names.firstIndex(of: "lo") { set.insert(lo) }
        return set
    }
}

/// A set of interface classes of one `InterfaceUniverse`.
///
/// Universes of up to 64 classes (every host seen so far) keep the set in one word, inline:
/// packet boxes are copied by the million and count no references for it.
public struct InterfaceSet: Sendable, Hashable {
    private enum Storage: Sendable, Hashable {
        case word(UInt64)
        case words([UInt64])
    }

    private var storage: Storage

    public init(count: Int, filled: Bool = false) {
        if count <= 64 {
            storage = .word(filled ? (count == 64 ? UInt64.max : (1 << UInt64(count)) - 1) : 0)
        } else {
            var words = Array(repeating: UInt64(0), count: (count + 63) / 64)
            if filled { for index in 0..<count { words[index / 64] |= 1 << UInt64(index % 64) } }
            storage = .words(words)
        }
    }

    public mutating func insert(_ index: Int) {
        switch storage {
        case .word(let word): storage = .word(word | 1 << UInt64(index))
        case .words(var words):
            storage = .word(0)
            words[index / 64] |= 1 << UInt64(index % 64)
            storage = .words(words)
        }
    }

    public mutating func remove(_ index: Int) {
        switch storage {
        case .word(let word): storage = .word(word & ~(1 << UInt64(index)))
        case .words(var words):
            storage = .word(0)
            words[index / 64] &= ~(1 << UInt64(index % 64))
            storage = .words(words)
        }
    }

    public func contains(_ index: Int) -> Bool {
        switch storage {
        case .word(let word): index < 64 && word >> UInt64(index) & 1 == 1
        case .words(let words): words[index / 64] >> UInt64(index % 64) & 1 == 1
        }
    }

    public var isEmpty: Bool {
        switch storage {
        case .word(let word): word == 0
        case .words(let words): words.allSatisfy { $0 == 0 }
        }
    }

    /// Combines both sets word by word.
    private func combined(_ other: InterfaceSet, _ operation: (UInt64, UInt64) -> UInt64) -> InterfaceSet {
        var result = self
        switch (storage, other.storage) {
        case (.word(let a), .word(let b)): result.storage = .word(operation(a, b))
        case (.words(let a), .words(let b)): result.storage = .words(zip(a, b).map(operation))
        case (.word(let a), .words(let b)): result.storage = .word(operation(a, b.first ?? 0))
        case (.words(let a), .word(let b)): result.storage = .words(a.enumerated().map { operation($1, $0 == 0 ? b : 0) })
        }
        return result
    }

    public func intersection(_ other: InterfaceSet) -> InterfaceSet { combined(other, &) }

    public func union(_ other: InterfaceSet) -> InterfaceSet { combined(other, |) }

    public func subtracting(_ other: InterfaceSet) -> InterfaceSet { combined(other) { $0 & ~$1 } }

    public func isSubset(of other: InterfaceSet) -> Bool { subtracting(other).isEmpty }

    public var indices: [Int] {
        let words: [UInt64]
        switch storage {
        case .word(let word): words = [word]
        case .words(let all): words = all
        }
        var result: [Int] = []
        for (wordIndex, word) in words.enumerated() where word != 0 {
            for bit in 0..<64 where word >> UInt64(bit) & 1 == 1 { result.append(wordIndex * 64 + bit) }
        }
        return result
    }
}
