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
            if let residentAfterTrim, Self.residentPages() - residentAfterTrim <= threshold { continue }
            releaseCaches()
            let dropped = ResidentPages.dropStartupResidue()
            residentAfterTrim = Self.residentPages()
            logger.debug("resident pages dropped", metadata: ["bytes": "\(dropped)"])
        }
    }

    /// The process's resident pages now (`/proc/self/statm`'s second field), 0 where there is none.
    static func residentPages() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        // "size resident shared text lib data dt": seven numbers, well under 128 bytes.
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return 0 }
        let fields = buffer[0..<count].split(separator: UInt8(ascii: " "))
        return fields.count > 1 ? Int(String(decoding: fields[1], as: UTF8.self)) ?? 0 : 0
    }
}
