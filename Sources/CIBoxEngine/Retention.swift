// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxExecutor
package import CIBoxReport
package import CIBoxStore
package import Foundation

/// What one garbage collection removed (or, in a dry run, would remove).
package struct RetentionReport: Sendable, Equatable {
    /// The pipelines deleted, oldest first.
    package var pipelines: [ExpiredPipeline] = []
    /// The caches deleted, least recently used first.
    package var caches: [CacheEntry] = []
    /// Bytes of logs, artifacts and workspaces freed.
    package var pipelineBytes: Int64 = 0
    /// Bytes of caches freed.
    package var cacheBytes: Int64 = 0
    /// Why the HTML report could not be brought up to date after the removal (the removal itself happened).
    package var reportWarning: String?

    /// Every byte freed.
    package var bytesFreed: Int64 { pipelineBytes + cacheBytes }
}

/// Retention: deletes old finished pipelines with their files, then trims caches to a size.
///
/// Never touches queued, running or on-hold pipelines (the store only offers finished ones). The database
/// rows go first: a crash in between leaves orphan files, never rows whose logs are gone.
package enum Retention {
    /// Collects garbage in `store`'s home.
    /// - Parameters:
    ///   - olderThan: seconds; finished pipelines created longer ago than this may go.
    ///   - keepLast: the newest pipelines of each project that always stay.
    ///   - cacheSize: caches beyond this many bytes go, least recently used first.
    ///   - dryRun: report only; delete nothing.
    ///   - storageDirectory: where caches, workspaces and artifacts live (default: the store's home).
    ///   - report: the HTML report to prune of removed pipelines (nil: `report: false`).
    /// - Throws: ``StoreError`` when the database cannot be read or written.
    package static func collect(
        storageDirectory: String? = nil, store: PipelineStore, olderThan: Double, keepLast: Int, cacheSize: Int64,
        dryRun: Bool = false, report layout: ReportLayout? = nil, now: Date = Date()
    ) throws(StoreError) -> RetentionReport {
        var report = RetentionReport()
        let home = storageDirectory ?? store.home
        report.pipelines = try store.retention.expiredPipelines(
            before: now.addingTimeInterval(-olderThan), keepLast: max(0, keepLast))
        let artifacts = ArtifactStore(home: home)
        let workspaces = WorkspaceStore(home: home)
        let folders = report.pipelines.flatMap { pipeline in
            pipeline.jobIDs.flatMap { [store.logDirectory(jobID: $0), artifacts.folder(jobID: $0)] }
                + pipeline.workflowIDs.map { workspaces.folder(workflowID: $0) }
        }
        report.pipelineBytes = folders.reduce(0) { $0 + diskUsage($1) }
        if !dryRun {
            try store.retention.deletePipelines(ids: report.pipelines.map(\.id))
            for folder in folders { try? FileManager.default.removeItem(atPath: folder) }
            if let layout, !report.pipelines.isEmpty {
                do {
                    try ReportWriter(store: store, layout: layout).prune()
                } catch {
                    report.reportWarning = "the HTML report still shows removed pipelines: \(error.message)"
                }
            }
        }
        let caches = CacheStore(home: home)
        var entries = caches.entries().sorted { ($0.lastUsed, $0.created) < ($1.lastUsed, $1.created) }
        var total = entries.reduce(Int64(0)) { $0 + cacheFileSize(caches, $1) }
        while total > cacheSize, !entries.isEmpty {
            let entry = entries.removeFirst()
            let size = cacheFileSize(caches, entry)
            total -= size
            report.cacheBytes += size
            report.caches.append(entry)
            if !dryRun {
                let archive = caches.archivePath(of: entry)
                unlink(String(archive.dropLast(".tar.zst".count)) + ".json")
                unlink(archive)
            }
        }
        return report
    }

    /// Bytes a cache takes on disk (archive and index).
    private static func cacheFileSize(_ caches: CacheStore, _ entry: CacheEntry) -> Int64 {
        let archive = caches.archivePath(of: entry)
        return fileSize(archive) + fileSize(String(archive.dropLast(".tar.zst".count)) + ".json")
    }

    private static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return lstat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// Bytes of the regular files under `path` (0 when it does not exist); symbolic links are not followed.
    package static func diskUsage(_ path: String) -> Int64 {
        var info = stat()
        guard lstat(path, &info) == 0 else { return 0 }
        if (info.st_mode & S_IFMT) != S_IFDIR { return Int64(info.st_size) }
        let children = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return children.reduce(0) { $0 + diskUsage(path + "/" + $1) }
    }
}
