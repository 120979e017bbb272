import Foundation

/// One of the C libraries this process runs with, as the system knows it.
///
/// libnftnl and libmnl have no version function and no version macro, so the answer comes from
/// the system rather than from the libraries: the shared object the dynamic loader mapped into
/// this process (`/proc/self/maps`) and, when dpkg installed that very file, the Debian package
/// that owns it and that package's version (`/var/lib/dpkg`). A library built from source into
/// `/usr/local` shows only its file.
public struct LinkedLibrary: Sendable, Equatable {
    /// "libnftnl" or "libmnl".
    public var name: String
    /// The file mapped into this process, e.g. /usr/lib/x86_64-linux-gnu/libnftnl.so.11.6.0.
    public var path: String?
    /// The Debian package that installed `path`, e.g. "libnftnl11".
    public var package: String?
    /// That package's version, e.g. "1.2.4-2" (upstream 1.2.4, Debian revision 2).
    public var packageVersion: String?

    public init(name: String, path: String?, package: String? = nil, packageVersion: String? = nil) {
        self.name = name
        self.path = path
        self.package = package
        self.packageVersion = packageVersion
    }

    /// One line: `libnftnl 1.2.4-2 (Debian package libnftnl11, /usr/lib/…/libnftnl.so.11.6.0)`.
    public var description: String {
        guard let path else { return "\(name) not loaded" }
        guard let package, let packageVersion else { return "\(name) version unknown (\(path), not installed by dpkg)" }
        return "\(name) \(packageVersion) (Debian package \(package), \(path))"
    }
}

public enum LinkedLibraries {
    /// The C libraries NftablesNetlink links, in the order `--version` names them.
    public static let names = ["libnftnl", "libmnl"]

    /// What this process runs with, read from /proc/self/maps and dpkg's database.
    public static func current(dpkgDirectory: String = "/var/lib/dpkg") -> [LinkedLibrary] {
        // procfs files have no size: read to the end rather than by their (zero) length.
        let maps = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/maps")).readToEnd())
            .flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let status = (try? String(contentsOfFile: dpkgDirectory + "/status", encoding: .utf8)) ?? ""
        let infoDirectory = dpkgDirectory + "/info"
        let lists = (try? FileManager.default.contentsOfDirectory(atPath: infoDirectory)) ?? []
        return names.map { name in
            guard let path = mappedPath(of: name, maps: maps) else { return LinkedLibrary(name: name, path: nil) }
            let candidates = lists.filter { $0.hasPrefix(name) && $0.hasSuffix(".list") }.sorted()
            for list in candidates {
                guard let text = try? String(contentsOfFile: infoDirectory + "/" + list, encoding: .utf8),
                      text.split(separator: "\n").contains(where: { sameFile(String($0), path) }) else { continue }
                let (package, architecture) = packageName(ofList: list)
                let version = packageVersion(of: package, architecture: architecture, status: status)
                return LinkedLibrary(name: name, path: path, package: package, packageVersion: version)
            }
            return LinkedLibrary(name: name, path: path)
        }
    }

    /// The file of `name` (libnftnl.so…, libmnl.so…) in the text of a /proc/PID/maps.
    static func mappedPath(of name: String, maps: String) -> String? {
        for line in maps.split(separator: "\n") {
            // address perms offset dev inode path; the path is the rest of the line after the inode.
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6 else { continue }
            let path = fields[5].trimmingCharacters(in: .whitespaces)
            let file = path.split(separator: "/").last.map(String.init) ?? ""
            if file.hasPrefix(name + ".so") { return path }
        }
        return nil
    }

    /// "libnftnl11:amd64.list" → ("libnftnl11", "amd64"); "libmnl0.list" → ("libmnl0", nil).
    static func packageName(ofList list: String) -> (String, String?) {
        let base = String(list.dropLast(".list".count))
        let parts = base.split(separator: ":", maxSplits: 1).map(String.init)
        return (parts[0], parts.count > 1 ? parts[1] : nil)
    }

    /// The Version of an installed package in the text of dpkg's status file.
    static func packageVersion(of package: String, architecture: String?, status: String) -> String? {
        for paragraph in status.components(separatedBy: "\n\n") {
            var fields: [String: String] = [:]
            for line in paragraph.split(separator: "\n") where !line.hasPrefix(" ") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            guard fields["Package"] == package, fields["Status"]?.hasSuffix(" installed") == true else { continue }
            if let architecture, let other = fields["Architecture"], other != architecture, other != "all" { continue }
            return fields["Version"]
        }
        return nil
    }

    /// Whether two paths name the same file (the same device and inode), so /lib/… and /usr/lib/…
    /// match on a merged-/usr system.
    static func sameFile(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        func identity(_ path: String) -> [UInt64]? {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let node = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value,
                  let device = (attributes[.systemNumber] as? NSNumber)?.uint64Value else { return nil }
            return [device, node]
        }
        guard let first = identity(a), let second = identity(b) else { return false }
        return first == second
    }
}
