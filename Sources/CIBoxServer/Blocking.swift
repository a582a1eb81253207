// cibox — CI in a box. MIT licence, see LICENSE.

import NIOPosix

/// Blocking work (store reads, log files) run on NIO's thread pool, so that requests never hold the cooperative
/// threads the daemon's scheduler and job timers run on.
enum Blocking {
    /// The result of `work`, run on `NIOThreadPool.singleton`.
    static func run<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
