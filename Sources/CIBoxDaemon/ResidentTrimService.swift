// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation
import Logging
import ServiceLifecycle

/// Keeps an idle daemon small: when no pipeline runs and its resident memory grew by more than `threshold` pages
/// since the last trim, drops the pages its start and its finished work left mapped (``ResidentPages``). Checked
/// every `interval`; the first check comes one interval after start.
///
/// A daemon lives for months, most of it idle: what it ran once (recovery, a pipeline's compile, the report's
/// rendering) need not stay in its resident memory. The pages stay in the page cache, so the next pipeline starts as
/// fast; the cost is a minor fault for each page it touches again. Growth is measured in resident pages, not in
/// faults: the kernel maps up to 16 pages around each file fault, so a few hundred faults can bring back megabytes.
struct ResidentTrimService: Service {
    let interval: Duration
    let clocks: Clocks
    /// Whether the daemon runs no pipeline now.
    let isIdle: @Sendable () -> Bool
    let logger: Logger
    /// Frees what the store caches (SQLite's pages), before the pages are dropped.
    var releaseCaches: @Sendable () -> Void = {}
    /// Resident pages gained since the last trim above which the next idle check trims (64 pages: 256 KiB).
    var threshold = 64

    func run() async throws {
        var residentAfterTrim: Int?
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await clocks.sleep(for: interval) }
            guard !Task.isCancelled, !Task.isShuttingDownGracefully, isIdle() else { continue }
            if let residentAfterTrim, ResidentPages.residentPageCount() - residentAfterTrim <= threshold { continue }
            releaseCaches()
            let dropped = ResidentPages.dropStartupResidue()
            residentAfterTrim = ResidentPages.residentPageCount()
            logger.debug("resident pages dropped", metadata: ["bytes": "\(dropped)"])
        }
    }
}
