// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import Foundation

/// What one image collection removed (or, in a dry run, would remove).
package struct ImageCollection: Sendable, Equatable {
    /// The names removed, the least recently used image's first (an image's names together, by reference).
    package var removed: [ImageRecord] = []
    /// Bytes freed on disk: the removed images' roots and the blobs no other image needs (and what no name needed).
    package var bytesFreed: Int64 = 0
    /// Bytes the store holds on disk afterwards (blobs and unpacked roots).
    package var bytesAfter: Int64 = 0

    /// Nothing removed, nothing measured.
    package init() {}
}

extension ImageStore {
    /// Retention: removes the images (a manifest digest with all its names) none of whose names was used within
    /// `keep` seconds, then, while the store takes more than `maxSize` bytes on disk, the least recently used image.
    /// Removing an image frees its root and the blobs no other image needs. An image whose root a running job uses
    /// (its lock held) is never removed, and nothing here waits for a job.
    /// - Parameters:
    ///   - keep: seconds an image may go unused (last use, else load).
    ///   - maxSize: the most bytes blobs and roots may take on disk (nil: no limit).
    ///   - dryRun: report only; change nothing.
    /// - Throws: `ImageError` when the index or a manifest cannot be read.
    package func collect(keep: Double, maxSize: Int64?, now: Date = Date(), dryRun: Bool) throws(ImageError)
        -> ImageCollection
    {
        // A store nothing was loaded into has nothing to collect (and its folder is not made here).
        guard FileManager.default.fileExists(atPath: catalog.path) else { return ImageCollection() }
        return try catalog.update { records throws(ImageError) in
            var plan = try RetentionPlan(store: self, records: records)
            var collection = ImageCollection()
            var holders: [FileLock.Holder] = []
            func drop(_ image: RetentionPlan.Image) throws(ImageError) {
                guard let holder = try holdRootIfIdle(image.digest) else { return }
                collection.bytesFreed += plan.remove(image)
                collection.removed += image.records
                holders.append(holder)
            }
            let limit = now.timeIntervalSince1970 - keep
            for image in plan.images where image.lastUse < limit { try drop(image) }
            if let maxSize {
                for image in plan.images where plan.total > maxSize && plan.holds(image) { try drop(image) }
            }
            collection.bytesFreed += plan.orphanBytes
            collection.bytesAfter = plan.total - plan.orphanBytes
            guard !dryRun else { return collection }
            let gone = Set(collection.removed.map(\.digest))
            records.removeAll { gone.contains($0.digest) }
            // Each removed root goes while its lock is held, so no job starts in it half removed.
            for digest in gone { FolderTree.remove(rootPath(digest)) }
            holders.removeAll()
            try collectGarbage(keeping: records)
            return collection
        }
    }
}

/// The store's images and what each takes on disk, for ``ImageStore/collect(keep:maxSize:now:dryRun:)``: removing
/// an image here frees its root and each blob no image left needs.
struct RetentionPlan {
    /// One image: a manifest digest with all its names.
    struct Image {
        var digest: String
        var records: [ImageRecord]
        /// The latest use of any name (its last use, else its load), seconds since 1970.
        var lastUse: Double
        /// The hex digests of its manifest, config and layers.
        var blobs: Set<String>
    }

    /// The images, least recently used first.
    let images: [Image]
    /// Bytes blobs and roots take on disk now (as removals are planned: what is left).
    private(set) var total: Int64 = 0
    /// Bytes of blobs and idle roots no name needs (a collection removes them).
    private(set) var orphanBytes: Int64 = 0
    private var blobBytes: [String: Int64] = [:]
    private var rootBytes: [String: Int64] = [:]
    /// How many images left need each blob.
    private var users: [String: Int] = [:]
    private var left: Set<String>

    init(store: ImageStore, records: [ImageRecord]) throws(ImageError) {
        var images: [Image] = []
        for (digest, names) in Dictionary(grouping: records, by: \.digest) {
            images.append(
                Image(
                    digest: digest, records: names.sorted { $0.reference < $1.reference },
                    lastUse: names.map { $0.lastUsedAt ?? $0.loadedAt }.max() ?? 0, blobs: try store.blobs(of: digest)))
        }
        self.images = images.sorted { ($0.lastUse, $0.digest) < ($1.lastUse, $1.digest) }
        left = Set(images.map(\.digest))
        var usage = DiskUsage()
        for blob in (try? FileManager.default.contentsOfDirectory(atPath: store.blobsFolder)) ?? [] {
            blobBytes[blob] = usage.measure(store.blobsFolder + "/" + blob)
        }
        for root in store.rootEntries() { rootBytes[root] = usage.measure(store.rootsFolder + "/" + root) }
        total = blobBytes.values.reduce(0, +) + rootBytes.values.reduce(0, +)
        for image in images { for blob in image.blobs { users[blob, default: 0] += 1 } }
        orphanBytes = blobBytes.filter { users[$0.key] == nil }.values.reduce(0, +)
        for (root, bytes) in rootBytes where !left.contains("sha256:" + root) {
            if (try? store.holdRootIfIdle("sha256:" + root)) != nil { orphanBytes += bytes }
        }
    }

    /// Whether `image` is still planned to stay.
    func holds(_ image: Image) -> Bool {
        left.contains(image.digest)
    }

    /// Plans `image`'s removal: the bytes that frees (its root, and the blobs no image left needs).
    mutating func remove(_ image: Image) -> Int64 {
        guard left.remove(image.digest) != nil else { return 0 }
        var freed = rootBytes[ImageDigest.hex(image.digest)] ?? 0
        for blob in image.blobs {
            users[blob, default: 1] -= 1
            if users[blob] == 0 { freed += blobBytes[blob] ?? 0 }
        }
        total -= freed
        return freed
    }
}
