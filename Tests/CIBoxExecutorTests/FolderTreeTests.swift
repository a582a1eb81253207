// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct FolderTreeTests {
    @Test func removesATreeWithoutFollowingLinksOutOfIt() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let outside = folder.appending("outside")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try Data("keep\n".utf8).write(to: URL(fileURLWithPath: outside + "/keep.txt"))

        let tree = folder.appending("job")
        for path in ["a/b/c", "d", "e/.git/objects/pack"] {
            try FileManager.default.createDirectory(atPath: tree + "/" + path, withIntermediateDirectories: true)
        }
        for path in ["a/b/c/file.txt", "d/.hidden", "top.txt", "e/.git/HEAD"] {
            try Data("x\n".utf8).write(to: URL(fileURLWithPath: tree + "/" + path))
        }
        try FileManager.default.createSymbolicLink(atPath: tree + "/link-to-outside", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: tree + "/d/dangling", withDestinationPath: "/nonexistent")
        // A name that is not UTF-8 (bytes FF 61).
        let name: [CChar] = Array((tree + "/d/").utf8CString.dropLast()) + [CChar(bitPattern: 0xFF), 0x61, 0]
        let created = name.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { open($0, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644) } ?? -1
        }
        #expect(created >= 0)
        close(created)

        FolderTree.remove(tree)
        #expect(!FileManager.default.fileExists(atPath: tree))
        #expect(try String(contentsOfFile: outside + "/keep.txt", encoding: .utf8) == "keep\n")
        FolderTree.remove(tree)  // gone already: nothing happens
    }
}
