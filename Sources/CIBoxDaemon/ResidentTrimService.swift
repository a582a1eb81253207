// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation
import Logging
import ServiceLifecycle

/// Keeps an idle daemon small: when no pipeline runs and the process faulted in more than `threshold` pages since
/// the last trim, drops the pages its start and its finished work left mapped (``ResidentPages``). Checked every
/// `interval`; the first check comes one interval after start, once start-up and catching up are done.
///
/// A daemon lives for months, most of it idle: what it ran once (recovery, a pipeline's compile, the report's
/// rendering) need not stay in its resident memory. The pages stay in the page cache, so the next pipeline starts as
/// fast; the cost is a minor fault for each page it touches again.
struct ResidentTrimService: Service {
    let interval: Duration
    let clocks: Clocks
    /// Whether the daemon runs no pipeline now.
    let isIdle: @Sendable () -> Bool
    /// Frees what the store caches (SQLite's pages), before the pages are dropped.
    var releaseCaches: @Sendable () -> Void = {}
    let logger: Logger
    /// Minor faults since the last trim above which the next idle check trims (256 pages: 1 MiB).
    var threshold = 256

    func run() async throws {
        var faultsAtTrim: Int?
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await clocks.sleep(for: interval) }
            guard !Task.isCancelled, !Task.isShuttingDownGracefully, isIdle() else { continue }
            let faults = Self.minorFaults()
            if let faultsAtTrim, faults - faultsAtTrim <= threshold { continue }
            releaseCaches()
            let dropped = ResidentPages.dropStartupResidue()
            // The trim's own faults (reading smaps) do not count for the next one.
            faultsAtTrim = Self.minorFaults()
            logger.debug("resident pages dropped", metadata: ["bytes": "\(dropped)"])
        }
    }

    /// The process's minor page faults so far.
    static func minorFaults() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_minflt
    }
}
