// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// Waiting for a Foundation `Process` a test started in the background (a daemon, a `cibox run` it cancels or
/// kills by pid) without blocking a thread: `waitUntilExit()` would hold one of Swift Testing's cooperative threads
/// (two on a two-core machine) for as long as the process runs, and stall every other test meanwhile.
extension Process {
    /// Awaits the end of this started process, checking every 10 ms.
    ///
    /// - Throws: `CancellationError` when the calling task is cancelled first.
    package func ended() async throws {
        while isRunning { try await Task.sleep(for: .milliseconds(10)) }
    }

    /// Sends SIGTERM when the process still runs, then awaits its end (cleanup: gives up waiting, without an error,
    /// when the calling task is cancelled).
    package func stop() async {
        if isRunning { terminate() }
        try? await ended()
    }
}

/// Runs `body`, then awaits `cleanup`, also when `body` throws: the `defer { … }` a test would write if `defer`
/// could `await`. Workaround: SE-0493 (async calls in `defer` bodies) is accepted but not in Swift 6.3; use
/// `defer` once the toolchain has it.
///
/// - Parameters:
///   - body: the work.
///   - cleanup: what must happen after it, whatever its outcome (stopping a background process, say).
/// - Returns: what `body` returns.
/// - Throws: what `body` throws.
package func withCleanup<Result>(
    _ body: () async throws -> Result, cleanup: () async -> Void
) async rethrows -> Result {
    let result: Result
    do {
        result = try await body()
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
    return result
}
