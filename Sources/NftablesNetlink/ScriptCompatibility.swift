import Foundation

/// Adapts an nft script to an older nft, line for line: nft 1.0.6 refuses the standard
/// priority names newer versions accept on more hooks (`type nat hook output priority dstnat`,
/// as Docker's nftables backend writes), so they are written as the numbers they stand for.
enum ScriptCompatibility {
    /// Names whose number is the same on every hook of the ip, ip6 and inet families.
    static let priorities: [String: Int] = ["dstnat": -100, "srcnat": 100]

    /// A copy of the script at `path` with those priorities written as numbers, and what changed
    /// (`FILE:LINE: priority dstnat read as -100`); nil when the file cannot be read or written.
    static func adapt(_ path: String) -> (path: String, changes: [String])? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var changes: [String] = []
        var lines = text.components(separatedBy: "\n")
        for index in lines.indices {
            let line = lines[index]
            guard line.contains("hook "), let range = line.range(of: "priority ") else { continue }
            let rest = line[range.upperBound...]
            guard let name = priorities.keys.sorted().first(where: { rest.hasPrefix($0) && (rest.dropFirst($0.count).first.map { !$0.isLetter } ?? true) }) else { continue }
            let number = priorities[name]!
            lines[index] = String(line[..<range.upperBound]) + String(number) + rest.dropFirst(name.count)
            changes.append("\(path):\(index + 1): priority \(name) read as \(number) (the installed nft does not accept the name on this hook)")
        }
        let adapted = FileManager.default.temporaryDirectory.appendingPathComponent("fwaudit-\(getpid())-\(UUID().uuidString).nft")
        do { try lines.joined(separator: "\n").write(to: adapted, atomically: true, encoding: .utf8) } catch { return nil }
        return (adapted.path, changes)
    }
}
