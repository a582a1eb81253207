// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct CacheStoreTests {
    /// Saves a cache holding one file `name` with `contents`, created at `time`.
    @discardableResult
    static func save(
        _ store: CacheStore, _ key: String, at time: Double, in folder: TemporaryDirectory, contents: String = "x"
    ) throws -> CacheEntry? {
        try folder.write(contents, to: "src/\(key.count)/file.txt")
        return try store.save(
            key: key, projectID: 7, sources: [(folder.appending("src/\(key.count)"), "data")],
            now: Date(timeIntervalSince1970: time))
    }

    @Test func exactKeyWinsThenNewestPrefixMatch() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = CacheStore(home: home.path)
        try Self.save(store, "deps-a", at: 100, in: home)
        try Self.save(store, "deps-bb", at: 300, in: home)
        try Self.save(store, "deps-ccc", at: 200, in: home)
        #expect(store.find(key: "deps-a", projectID: 7)?.key == "deps-a")
        #expect(store.find(key: "deps-", projectID: 7)?.key == "deps-bb")
        #expect(store.find(key: "other", projectID: 7) == nil)
        #expect(store.find(key: "deps-", projectID: 8) == nil)
        #expect(store.entries().map(\.key) == ["deps-bb", "deps-ccc", "deps-a"])
    }

    @Test func savingAnExistingKeyIsANoOp() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = CacheStore(home: home.path)
        let first = try #require(try Self.save(store, "k", at: 100, in: home, contents: "first"))
        #expect(try Self.save(store, "k", at: 200, in: home, contents: "second") == nil)
        let target = try TemporaryDirectory()
        defer { target.remove() }
        try store.restore(first, into: target.path)
        #expect(try String(contentsOfFile: target.appending("data/file.txt"), encoding: .utf8) == "first")
        #expect(store.entries().count == 1)
    }

    @Test func anArchiveLeftWithoutItsIndexByACrashIsCompletedAtTheNextSave() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = CacheStore(home: home.path)
        let first = try #require(try Self.save(store, "deps", at: 100, in: home, contents: "first"))
        // kill -9 between linking the archive into place and writing its index.
        try FileManager.default.removeItem(
            atPath: store.archivePath(of: first).replacingOccurrences(of: ".tar.zst", with: ".json"))
        #expect(store.find(key: "deps", projectID: 7) == nil)
        // The next save_cache of the key finds the archive, completes its index and keeps it.
        #expect(try Self.save(store, "deps", at: 200, in: home, contents: "second") == nil)
        let found = try #require(store.find(key: "deps", projectID: 7))
        #expect(found.size == first.size)
        let target = try TemporaryDirectory()
        defer { target.remove() }
        try store.restore(found, into: target.path)
        #expect(try String(contentsOfFile: target.appending("data/file.txt"), encoding: .utf8) == "first")
    }

    @Test func keysWithAnyCharactersGetSafeFileNames() throws {
        #expect(CacheStore.fileName(forKey: "v1-deps/a b+c=") == "v1-deps%2Fa%20b%2Bc%3D")
        #expect(CacheStore.fileName(forKey: "..") == "%2E.")
        let long = CacheStore.fileName(forKey: String(repeating: "/", count: 300))
        #expect(long.utf8.count < 200)
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = CacheStore(home: home.path)
        try Self.save(store, "a/../b ✓", at: 1, in: home)
        #expect(store.find(key: "a/../b", projectID: 7)?.key == "a/../b ✓")
    }

    @Test func clearRemovesByPrefix() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let store = CacheStore(home: home.path)
        try Self.save(store, "deps-1", at: 1, in: home)
        try Self.save(store, "gems-22", at: 2, in: home)
        #expect(store.clear(prefix: "deps").map(\.key) == ["deps-1"])
        #expect(store.entries().map(\.key) == ["gems-22"])
        store.clear()
        #expect(store.entries().isEmpty)
    }
}
