// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxArchives
import CIBoxBasics
package import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One saved cache, as its index file (`<name>.json`) describes it.
package struct CacheEntry: Codable, Sendable, Equatable {
    /// The rendered key, as written by `save_cache`.
    package var key: String
    /// The archive's size in bytes.
    package var size: Int64
    /// When it was saved (seconds since 1970); "newest" in prefix matches means the latest `created`.
    package var created: Double
    /// When a `restore_cache` last used it (seconds since 1970).
    package var lastUsed: Double
    /// The project it belongs to (the folder it is in; not stored in the file).
    package var projectID: Int64 = 0

    enum CodingKeys: String, CodingKey {
        case key, size, created
        case lastUsed = "last_used"
    }

    /// Makes an entry.
    package init(key: String, size: Int64, created: Double, lastUsed: Double, projectID: Int64 = 0) {
        self.key = key
        self.size = size
        self.created = created
        self.lastUsed = lastUsed
        self.projectID = projectID
    }
}

/// The caches of `save_cache` and `restore_cache`: `$CIBOX_HOME/caches/<projectID>/<name>.tar.zst`, each with
/// an index file `<name>.json` (key, size, created, last used).
///
/// `<name>` is the key percent-encoded (bytes other than `A-Z a-z 0-9 - _ .` become `%XX`), cut and suffixed
/// with a hash when it would be too long for a file name. Caches are immutable: the archive is written to a
/// temporary file and linked into place only if no cache with that key exists (first writer wins). Safe to use
/// from several processes at once; each call is synchronous.
package struct CacheStore: Sendable {
    /// `$CIBOX_HOME/caches`.
    package var root: String

    /// The cache store of the state folder `home`.
    package init(home: String) {
        root = home + "/caches"
    }

    /// The folder of a project's caches.
    package func folder(projectID: Int64) -> String { "\(root)/\(projectID)" }

    /// The file name (without extension) for `key`.
    package static func fileName(forKey key: String) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.".utf8)
        var name = ""
        for byte in key.utf8 {
            if allowed.contains(byte) {
                name.append(Character(Unicode.Scalar(byte)))
            } else {
                name += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        if name.hasPrefix(".") { name = "%2E" + name.dropFirst() }
        guard name.utf8.count > 180 else { return name }
        let digest = SHA256Digest.hex(Array(SHA256Digest.of(key.utf8).prefix(12)))
        return String(name.prefix(150)) + "~" + digest
    }

    /// The caches of `projectID` (every project when nil), newest first.
    package func entries(projectID: Int64? = nil) -> [CacheEntry] {
        let manager = FileManager.default
        let projects =
            projectID.map { [String($0)] } ?? ((try? manager.contentsOfDirectory(atPath: root)) ?? []).sorted()
        var entries: [CacheEntry] = []
        for project in projects {
            guard let id = Int64(project) else { continue }
            let folder = "\(root)/\(project)"
            for file in (try? manager.contentsOfDirectory(atPath: folder)) ?? [] where file.hasSuffix(".json") {
                guard let data = manager.contents(atPath: "\(folder)/\(file)"),
                    var entry = try? JSONDecoder().decode(CacheEntry.self, from: data),
                    manager.fileExists(atPath: "\(folder)/\(file.dropLast(5)).tar.zst")
                else { continue }
                entry.projectID = id
                entries.append(entry)
            }
        }
        return entries.sorted { ($0.created, $0.key) > ($1.created, $1.key) }
    }

    /// The cache `restore_cache` uses for `key`: the exact key if saved, else the newest whose key starts with it.
    package func find(key: String, projectID: Int64) -> CacheEntry? {
        find(exact: key, prefix: key, projectID: projectID)
    }

    /// The cache whose key is `exact`, else the newest whose key starts with `prefix` (see ``storedKey(for:secrets:)``:
    /// a key holding a secret is stored masked, with a digest of the whole key).
    package func find(exact: String, prefix: String, projectID: Int64) -> CacheEntry? {
        let entries = entries(projectID: projectID)
        return entries.first { $0.key == exact } ?? entries.first { $0.key.hasPrefix(prefix) }
    }

    /// How a rendered key is stored: as it is, or, when it holds a secret, masked (`****`) with a digest of the real
    /// key after it (`v1-**** #3f2a…`), so that nothing under the state folder holds the secret and keys with
    /// different secrets stay different caches.
    package static func storedKey(for key: String, secrets: [String]) -> String {
        let masked = SecretMasker.mask(key, secrets: secrets)
        guard masked != key else { return key }
        return masked + " #" + SHA256Digest.hex(SHA256Digest.of(key.utf8)).prefix(16)
    }

    /// The archive of `entry`.
    package func archivePath(of entry: CacheEntry) -> String {
        "\(folder(projectID: entry.projectID))/\(Self.fileName(forKey: entry.key)).tar.zst"
    }

    /// Whether a cache with exactly `key` exists (an archive left without its index is completed first).
    package func exists(key: String, projectID: Int64) -> Bool {
        let base = "\(folder(projectID: projectID))/\(Self.fileName(forKey: key))"
        guard FileManager.default.fileExists(atPath: base + ".tar.zst") else { return false }
        completeIndex(key: key, projectID: projectID)
        return true
    }

    /// Writes the index of `key`'s archive when it is missing: a crash between linking the archive into place
    /// and writing its index left it so, and without an index a cache is never found, while its archive made
    /// every later save a no-op. The archive is whole (it is linked only once finished).
    private func completeIndex(key: String, projectID: Int64) {
        let base = "\(folder(projectID: projectID))/\(Self.fileName(forKey: key))"
        guard !FileManager.default.fileExists(atPath: base + ".json"),
            let attributes = try? FileManager.default.attributesOfItem(atPath: base + ".tar.zst"),
            let size = (attributes[.size] as? NSNumber)?.int64Value
        else { return }
        let saved = (attributes[.modificationDate] as? Date ?? Date()).timeIntervalSince1970
        try? writeIndex(CacheEntry(key: key, size: size, created: saved, lastUsed: saved, projectID: projectID))
    }

    /// Saves `sources` (absolute path on disk, name in the archive) under `key`, unless that key exists (cibox's own
    /// files: tests and benchmarks; jobs go through ``save(key:projectID:now:write:)`` and their sandbox).
    /// - Returns: the new entry, or nil when a cache with that key already existed (nothing written).
    /// - Throws: `StorageError` when the archive or its index cannot be written.
    package func save(key: String, projectID: Int64, sources: [(path: String, name: String)], now: Date = Date())
        throws(StorageError) -> CacheEntry?
    {
        if exists(key: key, projectID: projectID) { return nil }
        let temporary = try temporaryFile(projectID: projectID)
        defer { unlink(temporary) }
        try archiving { () throws(ArchiveError) in
            let writer = try ArchiveWriter(path: temporary)
            for source in sources { try writer.add(tree: source.path, as: source.name) }
            try writer.finish()
        }
        return try commit(temporary, key: key, projectID: projectID, now: now)
    }

    /// Saves the archive that `write` writes to the path it is given under `key`, unless that key exists.
    /// - Parameter write: writes the whole tar + zstd archive to the (temporary) path it is given.
    /// - Returns: the new entry, or nil when a cache with that key already existed (nothing written).
    /// - Throws: `StorageError` when the archive or its index cannot be written, or what `write` throws.
    package func save(
        key: String, projectID: Int64, now: Date = Date(), write: (String) async throws(StorageError) -> Void
    ) async throws(StorageError) -> CacheEntry? {
        if exists(key: key, projectID: projectID) { return nil }
        let temporary = try temporaryFile(projectID: projectID)
        defer { unlink(temporary) }
        try await write(temporary)
        return try commit(temporary, key: key, projectID: projectID, now: now)
    }

    private func temporaryFile(projectID: Int64) throws(StorageError) -> String {
        let folder = folder(projectID: projectID)
        try StoreFiles.makeFolder(folder)
        return "\(folder)/.tmp-\(UUID().uuidString)"
    }

    /// Links the finished archive `temporary` in as `key`'s and writes its index (nil when another writer won).
    private func commit(_ temporary: String, key: String, projectID: Int64, now: Date) throws(StorageError)
        -> CacheEntry?
    {
        let final = "\(folder(projectID: projectID))/\(Self.fileName(forKey: key)).tar.zst"
        var info = stat()
        let size = stat(temporary, &info) == 0 ? Int64(info.st_size) : 0
        // link(2) never replaces an existing file: the first writer of a key wins, atomically.
        guard link(temporary, final) == 0 else {
            if errno == EEXIST {
                completeIndex(key: key, projectID: projectID)
                return nil
            }
            throw StorageError(.io, "Cannot store the cache '\(final)': \(String(cString: strerror(errno))).")
        }
        let entry = CacheEntry(
            key: key, size: size, created: now.timeIntervalSince1970, lastUsed: now.timeIntervalSince1970,
            projectID: projectID)
        try writeIndex(entry)
        return entry
    }

    /// Unpacks `entry` into `directory` and records the use (cibox's own files; jobs restore through their sandbox).
    /// - Returns: the number of entries unpacked.
    /// - Throws: `StorageError` when the archive cannot be read or holds an unsafe entry.
    @discardableResult
    package func restore(_ entry: CacheEntry, into directory: String, now: Date = Date()) throws(StorageError) -> Int {
        let count = try archiving { () throws(ArchiveError) in
            try ArchiveExtractor.extract(archivePath(of: entry), into: directory)
        }
        recordUse(entry, now: now)
        return count
    }

    /// Hands `entry`'s archive to `extract` (which unpacks it and returns the number of entries) and records the use.
    /// - Throws: what `extract` throws.
    @discardableResult
    package func restore(_ entry: CacheEntry, now: Date = Date(), extract: (String) async throws(StorageError) -> Int)
        async throws(StorageError) -> Int
    {
        let count = try await extract(archivePath(of: entry))
        recordUse(entry, now: now)
        return count
    }

    private func recordUse(_ entry: CacheEntry, now: Date) {
        var used = entry
        used.lastUsed = now.timeIntervalSince1970
        try? writeIndex(used)
    }

    /// Removes the caches whose key starts with `prefix` (all when empty), in every project.
    /// - Returns: the removed entries.
    @discardableResult
    package func clear(prefix: String = "") -> [CacheEntry] {
        let removed = entries().filter { $0.key.hasPrefix(prefix) }
        for entry in removed {
            let base = "\(folder(projectID: entry.projectID))/\(Self.fileName(forKey: entry.key))"
            unlink(base + ".json")
            unlink(base + ".tar.zst")
        }
        return removed
    }

    private func writeIndex(_ entry: CacheEntry) throws(StorageError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let base = "\(folder(projectID: entry.projectID))/\(Self.fileName(forKey: entry.key))"
        guard let data = try? encoder.encode(entry) else {
            throw StorageError(.io, "Cannot encode the index of the cache '\(entry.key)'.")
        }
        try StoreFiles.writeAtomically(data, to: base + ".json")
    }
}

extension String {
    /// The string with `0` in front up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
