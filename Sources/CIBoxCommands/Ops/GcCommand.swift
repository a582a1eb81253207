// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxEngine
import CIBoxExecutor
import CIBoxImages
import CIBoxModel
import CIBoxReport
import CIBoxSettings
import CIBoxStore
import Foundation

/// `cibox gc`: deletes old finished pipelines with their files, trims caches to their size limit, then removes images
/// unused for `images.keep` and keeps the image store under `images.max_size`.
struct GcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete old pipelines (logs, artifacts, workspaces), trim caches and remove unused images.",
        discussion: """
            Finished pipelines created longer ago than --older-than go, except the newest --keep-last of each \
            project; then caches beyond gc.cache_size go, least recently used first. Queued, running and \
            on-hold pipelines are never touched. Defaults come from the gc: key of settings.yml. Then images \
            not used for images.keep go, and the least recently used while the image store is over \
            images.max_size; a layer another image needs stays, and an image a running job uses is never removed.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Age limit, such as 30d, 2w or 12h (default: gc.older_than).", valueName: "age"))
    var olderThan: String?

    @Option(help: "Always keep this many newest pipelines per project (default: gc.keep_last).")
    var keepLast: Int?

    @Flag(help: "Only print what would be removed.")
    var dryRun = false

    @Flag(help: "Print a JSON object on standard output.")
    var json = false

    func run() throws {
        let store = try HistoryAccess.open(global)
        let settings = try HistoryAccess.settings(global)
        var age = settings.retention.olderThan
        if let olderThan {
            guard let seconds = SettingsLoader.longDuration(olderThan), seconds >= 0 else {
                Terminal.fail("--older-than '\(olderThan)' is not a duration; write it like 30d, 2w, 12h or 90m.")
                throw ExitCodes.cannotRun
            }
            age = seconds
        }
        if let keepLast, keepLast < 0 {
            Terminal.fail("--keep-last must be 0 or more.")
            throw ExitCodes.cannotRun
        }
        let storage = settings.storageDirectory(home: global.homeDirectory)
        let report = try Retention.collect(
            storageDirectory: storage, store: store, olderThan: age,
            keepLast: keepLast ?? settings.retention.keepLast, cacheSize: settings.retention.cacheSize, dryRun: dryRun,
            report: settings.writesReport ? ReportLayout(home: global.homeDirectory) : nil)
        if let warning = report.reportWarning { Terminal.error("cibox: warning: \(warning)\n") }
        var images = ImageCollection()
        var imageError: ImageError?
        do throws(ImageError) {
            images = try ImageStore(home: storage).collect(
                keep: settings.images.keep, maxSize: settings.images.maxSize, dryRun: dryRun)
        } catch {
            imageError = error
        }
        show(report, images: images)
        // Pipelines and caches were collected (and are reported) even when the image store could not be.
        if let imageError { throw ImageCommand.fail(imageError) }
    }

    /// Prints what was removed: a JSON object, or one line per pipeline, cache and image and a summary.
    private func show(_ report: RetentionReport, images: ImageCollection) {
        if json {
            Terminal.output(json: Self.object(report, images: images, dryRun: dryRun))
            return
        }
        let verb = dryRun ? "would remove" : "removed"
        for pipeline in report.pipelines {
            Terminal.output(
                "\(verb) pipeline \(pipeline.id) (\(pipeline.projectName) #\(pipeline.number), "
                    + "\(pipeline.createdAt.iso8601))\n")
        }
        for cache in report.caches {
            Terminal.output("\(verb) cache \(cache.projectID)\t\(cache.key)\t\(ByteCount.format(cache.size))\n")
        }
        for record in images.removed {
            Terminal.output(
                "\(verb) image \(record.reference) (\(record.digest), \(ByteCount.format(record.size)))\n")
        }
        Terminal.output(
            "\(dryRun ? "Would remove" : "Removed") \(report.pipelines.count) pipeline"
                + "\(report.pipelines.count == 1 ? "" : "s"), \(report.caches.count) cache"
                + "\(report.caches.count == 1 ? "" : "s") and \(images.removed.count) image"
                + "\(images.removed.count == 1 ? "" : "s"), "
                + "\(ByteCount.format(report.bytesFreed + images.bytesFreed)) \(dryRun ? "would be " : "")freed.\n")
    }

    /// The `--json` shape of a collection.
    static func object(_ report: RetentionReport, images: ImageCollection, dryRun: Bool) -> JSONValue {
        .object([
            ("dry_run", .bool(dryRun)),
            (
                "pipelines",
                .array(
                    report.pipelines.map { pipeline in
                        .object([
                            ("id", .int(pipeline.id)), ("project", .string(pipeline.projectName)),
                            ("number", .int(pipeline.number)), ("created_at", .string(pipeline.createdAt.iso8601)),
                        ])
                    })
            ),
            ("caches", .array(report.caches.map(CacheListCommand.object))),
            (
                "images",
                .array(
                    images.removed.map { record in
                        .object([
                            ("reference", .string(record.reference)), ("digest", .string(record.digest)),
                            ("size", .int(record.size)),
                            (
                                "last_used_at",
                                record.lastUsedAt.map { .string(Date(timeIntervalSince1970: $0).iso8601) } ?? .null
                            ),
                        ])
                    })
            ),
            ("pipeline_bytes", .int(report.pipelineBytes)),
            ("cache_bytes", .int(report.cacheBytes)),
            ("image_bytes", .int(images.bytesFreed)),
            ("bytes_freed", .int(report.bytesFreed + images.bytesFreed)),
        ])
    }
}
