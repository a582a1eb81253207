// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

@testable import CIBoxReport

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct SiteFilesTests {
    func inode(_ path: String) -> UInt {
        var info = stat()
        return stat(path, &info) == 0 ? UInt(info.st_ino) : 0
    }

    @Test func aPageIsReplacedOnlyWhenItsTextChanges() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let files = SiteFiles(root: folder.path, worldReadable: true)
        try files.write("<p>one</p>\n", to: "projects/1/index.html")
        let path = folder.appending("projects/1/index.html")
        let first = inode(path)
        try files.write("<p>one</p>\n", to: "projects/1/index.html")
        #expect(inode(path) == first, "an unchanged page was rewritten")
        try files.write("<p>one!</p>\n", to: "projects/1/index.html")
        #expect(inode(path) != first)
        try files.write("<p>two</p>\n", to: "projects/1/index.html")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "<p>two</p>\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appending("projects/1")) == ["index.html"])
    }
}
