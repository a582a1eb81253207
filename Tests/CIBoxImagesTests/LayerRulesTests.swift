// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxArchives
import CIBoxBasics
import CIBoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Layers applied in order onto one root: whiteouts, opaque folders, replacements, owners, modes, links, xattrs.
@Suite struct LayerRulesTests {
    /// Applies each layer (plain tars written by the test) onto a fresh root and returns the root.
    func apply(_ layers: [[TarEntry]], in folder: TemporaryDirectory) throws -> String {
        let root = folder.appending("root")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for (number, layer) in layers.enumerated() {
            let path = folder.appending("layer-\(number).tar")
            try Data(TarWriter.archive(layer)).write(to: URL(fileURLWithPath: path))
            try LayerExtractor.apply(layer: path, label: "layer \(number)", onto: root)
        }
        return root
    }

    func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    @Test func whiteoutsRemoveWhatLowerLayersLeft() throws {
        let folder = try TemporaryDirectory(prefix: "cibox-layers")
        defer { FolderTree.remove(folder.path) }
        let root = try apply(
            [
                [
                    TarEntry("a/", .folder), .file("a/gone", "1"), .file("a/kept", "2"), TarEntry("b/", .folder),
                    .file("b/old", "3"), TarEntry("c/", .folder), .file("c/deep/x", "4"),
                    TarEntry("link", .symlink("/")),
                ],
                [
                    .file("a/.wh.gone", ""), .file("b/new", "5"), .file("b/.wh..wh..opq", ""), .file(".wh.c", ""),
                    .file(".wh.link", ""),
                ],
            ], in: folder)
        #expect(!exists(root + "/a/gone"))
        #expect(exists(root + "/a/kept"))
        #expect(!exists(root + "/b/old"), "the opaque folder hides what lower layers left")
        #expect(exists(root + "/b/new"), "the opaque folder keeps what its own layer wrote, even written before it")
        #expect(!exists(root + "/c"))
        #expect(!exists(root + "/link"))
        #expect(exists("/bin"), "the link's target is left alone")
        #expect(!exists(root + "/a/.wh.gone") && !exists(root + "/b/.wh..wh..opq"), "markers are not written")
    }

    @Test func aFileReplacesAFolderAndAFolderAFile() throws {
        let folder = try TemporaryDirectory(prefix: "cibox-layers")
        defer { FolderTree.remove(folder.path) }
        let root = try apply(
            [
                [TarEntry("x/", .folder), .file("x/inside", "1"), .file("y", "2"), TarEntry("z", .symlink("y"))],
                [.file("x", "now a file"), TarEntry("y/", .folder), .file("z", "now a file")],
            ], in: folder)
        #expect(String(decoding: FileReader.contents(atPath: root + "/x") ?? [], as: UTF8.self) == "now a file")
        var info = stat()
        #expect(lstat(root + "/y", &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR)
        #expect(lstat(root + "/z", &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG)
    }

    @Test func aFileOverALinkToOutsideReplacesTheLinkNotItsTarget() throws {
        let folder = try TemporaryDirectory(prefix: "cibox-layers")
        defer { FolderTree.remove(folder.path) }
        let outside = try TemporaryDirectory(prefix: "cibox-outside")
        defer { FolderTree.remove(outside.path) }
        try outside.write("keep me\n", to: "victim")
        let root = try apply(
            [[TarEntry("victim", .symlink(outside.appending("victim")))], [.file("victim", "replaced\n")]], in: folder)
        #expect(FileReader.contents(atPath: outside.appending("victim")) == Array("keep me\n".utf8))
        #expect(FileReader.contents(atPath: root + "/victim") == Array("replaced\n".utf8))
        var info = stat()
        #expect(lstat(root + "/victim", &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG)
    }

    @Test func ownersModesLinksAndExtendedAttributesAreKept() throws {
        let folder = try TemporaryDirectory(prefix: "cibox-layers")
        defer { FolderTree.remove(folder.path) }
        let root = try apply(
            [
                [
                    TarEntry("home/", .folder), TarEntry("home/u/", .folder, mode: 0o750, uid: 1000, gid: 1001),
                    TarEntry("home/u/run", .file(Array("#!/bin/sh\n".utf8)), mode: 0o4755, uid: 1000, gid: 1001),
                    TarEntry("home/u/tagged", .file([1]), xattrs: ["user.cibox": "yes"]),
                    TarEntry("home/u/sh", .symlink("/bin/sh")), TarEntry("home/u/again", .hardlink("home/u/run")),
                ]
            ], in: folder)
        var info = stat()
        #expect(stat(root + "/home/u", &info) == 0 && info.st_uid == 1000 && info.st_gid == 1001)
        #expect(info.st_mode & 0o7777 == 0o750)
        #expect(stat(root + "/home/u/run", &info) == 0 && info.st_mode & 0o7777 == 0o4755 && info.st_uid == 1000)
        let inode = info.st_ino
        #expect(stat(root + "/home/u/again", &info) == 0 && info.st_ino == inode, "a hard link, not a copy")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/home/u/sh") == "/bin/sh")
        var value = [UInt8](repeating: 0, count: 16)
        let count = Self.getxattr(root + "/home/u/tagged", "user.cibox", &value, value.count)
        #expect(count == 3 && Array(value.prefix(3)) == Array("yes".utf8))
    }

    /// `getxattr(2)`, which Swift's Glibc module leaves out (it is in `sys/xattr.h`), looked up in the C library.
    static let getxattr:
        @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int =
            unsafeBitCast(
                dlsym(UnsafeMutableRawPointer(bitPattern: 0), "getxattr"),
                to: (@convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int)
                    .self)

    @Test(arguments: HostileLayer.allCases)
    func hostileEntriesAreRefusedAndNothingOutsideIsWritten(kind: HostileLayer) throws {
        let folder = try TemporaryDirectory(prefix: "cibox-layers")
        defer { FolderTree.remove(folder.path) }
        let outside = try TemporaryDirectory(prefix: "cibox-outside")
        defer { FolderTree.remove(outside.path) }
        try outside.write("keep me\n", to: "victim")
        let base: [TarEntry] = [TarEntry("bin/", .folder), .file("bin/busybox", "binary"), TarEntry("tmp/", .folder)]
        #expect(throws: ArchiveError.self) {
            _ = try apply([base] + kind.layers(outside: outside.path), in: folder)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == ["victim"])
    }
}
