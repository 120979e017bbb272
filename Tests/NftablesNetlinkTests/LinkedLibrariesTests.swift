import Foundation
@testable import NftablesNetlink
import Testing

/// Reading which libnftnl and libmnl a process runs with from /proc/PID/maps and dpkg's database.
@Suite struct LinkedLibrariesReading {
    @Test func theMappedFileOfEachLibrary() {
        let maps = """
            7f3a1c000000-7f3a1c004000 r--p 00000000 fe:01 1312 /usr/lib/x86_64-linux-gnu/libmnl.so.0.2.0
            7f3a1c010000-7f3a1c020000 r-xp 00004000 fe:01 1313 /usr/lib/x86_64-linux-gnu/libnftnl.so.11.6.0
            7f3a1c030000-7f3a1c040000 rw-p 00000000 00:00 0 
            7ffd5c000000-7ffd5c021000 rw-p 00000000 00:00 0                          [stack]
            """
        #expect(LinkedLibraries.mappedPath(of: "libnftnl", maps: maps) == "/usr/lib/x86_64-linux-gnu/libnftnl.so.11.6.0")
        #expect(LinkedLibraries.mappedPath(of: "libmnl", maps: maps) == "/usr/lib/x86_64-linux-gnu/libmnl.so.0.2.0")
        #expect(LinkedLibraries.mappedPath(of: "libnl", maps: maps) == nil)
    }

    @Test func thePackageOfAListFile() {
        #expect(LinkedLibraries.packageName(ofList: "libnftnl11:amd64.list") == ("libnftnl11", "amd64"))
        #expect(LinkedLibraries.packageName(ofList: "libmnl0.list") == ("libmnl0", nil))
    }

    @Test func theVersionOfAnInstalledPackage() {
        let status = """
            Package: libmnl0
            Status: deinstall ok config-files
            Architecture: i386
            Version: 1.0.3-1

            Package: libmnl0
            Status: install ok installed
            Architecture: amd64
            Description: minimalistic Netlink communication library
             Version: not a field, a continuation line
            Version: 1.0.4-3

            """
        #expect(LinkedLibraries.packageVersion(of: "libmnl0", architecture: "amd64", status: status) == "1.0.4-3")
        #expect(LinkedLibraries.packageVersion(of: "libmnl0", architecture: "i386", status: status) == nil)
        #expect(LinkedLibraries.packageVersion(of: "libnftnl11", architecture: nil, status: status) == nil)
    }

    @Test func thisProcessRunsWithBothLibraries() {
        for library in LinkedLibraries.current() {
            #expect(library.path != nil, "\(library.name) is linked, so it is mapped")
        }
    }
}
