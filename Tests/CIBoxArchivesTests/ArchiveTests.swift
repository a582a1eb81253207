// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxArchives
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct ArchiveTests {
    @Test func roundTripKeepsModesTimesAndLinks() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write("#!/bin/sh\n", to: "tree/bin/run.sh")
        try folder.write("hello", to: "tree/a.txt")
        let script = folder.appending("tree/bin/run.sh")
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o750, .modificationDate: Date(timeIntervalSince1970: 1_000_000_000)],
            ofItemAtPath: script)
        try FileManager.default.createSymbolicLink(atPath: folder.appending("tree/link"), withDestinationPath: "a.txt")
        let writer = try ArchiveWriter(path: folder.appending("t.tar.zst"))
        try writer.add(tree: folder.appending("tree"), as: "copy")
        #expect(try writer.finish() > 0)
        try ArchiveExtractor.extract(folder.appending("t.tar.zst"), into: folder.appending("out"))
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.appending("out/copy/bin/run.sh"))
        #expect((attributes[.posixPermissions] as? Int) == 0o750)
        #expect((attributes[.modificationDate] as? Date) == Date(timeIntervalSince1970: 1_000_000_000))
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: folder.appending("out/copy/link")) == "a.txt")
        #expect(try String(contentsOfFile: folder.appending("out/copy/link"), encoding: .utf8) == "hello")
    }

    @Test(arguments: ["../x", "a/../../x", "/tmp/cibox-absolute-escape"])
    func unsafeNamesAreRefused(name: String) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let writer = try ArchiveWriter(path: folder.appending("bad.tar.zst"))
        try writer.addFile(named: name, contents: Array("evil".utf8))
        try writer.finish()
        #expect {
            try ArchiveExtractor.extract(folder.appending("bad.tar.zst"), into: folder.appending("out/inner"))
        } throws: { error in
            (error as? ArchiveError)?.code == .unsafeEntry
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appending("out/x")))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/cibox-absolute-escape"))
    }

    @Test func writingThroughASymlinkIsRefused() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try FileManager.default.createDirectory(
            atPath: folder.appending("outside"), withIntermediateDirectories: true)
        let writer = try ArchiveWriter(path: folder.appending("bad.tar.zst"))
        try writer.addSymlink(named: "escape", target: folder.appending("outside"))
        try writer.addFile(named: "escape/owned.txt", contents: Array("evil".utf8))
        try writer.finish()
        #expect {
            try ArchiveExtractor.extract(folder.appending("bad.tar.zst"), into: folder.appending("out"))
        } throws: { error in
            (error as? ArchiveError)?.code == .unsafeEntry
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appending("outside/owned.txt")))
    }
}

extension ArchiveTests {
    @Test func extractingAgainReplacesFilesAndLinks() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write("one", to: "tree/a.txt")
        try FileManager.default.createSymbolicLink(atPath: folder.appending("tree/link"), withDestinationPath: "a.txt")
        let writer = try ArchiveWriter(path: folder.appending("t.tar.zst"))
        try writer.add(tree: folder.appending("tree"), as: "tree")
        try writer.finish()
        try folder.write("changed", to: "out/tree/a.txt")
        try ArchiveExtractor.extract(folder.appending("t.tar.zst"), into: folder.appending("out"))
        try ArchiveExtractor.extract(folder.appending("t.tar.zst"), into: folder.appending("out"))
        #expect(try String(contentsOfFile: folder.appending("out/tree/a.txt"), encoding: .utf8) == "one")
        #expect(try String(contentsOfFile: folder.appending("out/tree/link"), encoding: .utf8) == "one")
    }
}
