/// Maps positions in a page to 1-based line numbers.
struct LineIndex {
    private let starts: [Int]

    init(_ text: String) {
        var starts = [0]
        for (offset, byte) in text.utf8.enumerated() where byte == UInt8(ascii: "\n") { starts.append(offset + 1) }
        self.starts = starts
    }

    /// The line holding the UTF-8 offset.
    func line(atOffset offset: Int) -> Int {
        var low = 0, high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low + 1
    }

    func line(at index: String.Index, in text: String) -> Int {
        line(atOffset: text.utf8.distance(from: text.utf8.startIndex, to: index))
    }
}
