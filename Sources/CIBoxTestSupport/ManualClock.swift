// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxBasics
package import Foundation
import Synchronization

/// A monotonic clock that moves only when a test moves it, so timeouts are driven without sleeping.
///
/// `sleep(until:)` returns once the clock has been advanced to the deadline (or throws when the task is cancelled).
/// Safe from any thread.
package final class ManualClock: Clock, Sendable {
    /// A point on the manual clock: the time since it was made.
    package struct Instant: InstantProtocol {
        /// Time since the clock was made.
        package var offset: Duration

        /// The instant `duration` later.
        package func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }

        /// The duration from this instant to `other`.
        package func duration(to other: Instant) -> Duration { other.offset - offset }

        /// Orders instants.
        package static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        var id: Int
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID = 0
        var sleepers: [Sleeper] = []
    }

    private let state = Mutex(State())

    /// Makes a clock at zero.
    package init() {}

    /// Now.
    package var now: Instant { state.withLock { $0.now } }

    /// The smallest step: none.
    package var minimumResolution: Duration { .zero }

    /// Moves the clock forward by `duration`, waking the sleepers whose deadline has come.
    package func advance(by duration: Duration) {
        let woken = state.withLock { state in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Waits until the clock reaches `deadline`.
    /// - Throws: `CancellationError` when the task is cancelled first.
    package func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let isDue = state.withLock { state in
                    if deadline <= state.now || Task.isCancelled { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if isDue { continuation.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { state in
                let found = state.sleepers.first { $0.id == id }
                state.sleepers.removeAll { $0.id == id }
                return found
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }
}

/// A wall clock a test sets at will (to jump it forward or back while a job runs).
package final class ManualWallClock: Sendable {
    private let current: Mutex<Double>

    /// Makes a wall clock at `seconds` since 1970.
    package init(seconds: Double = 1_800_000_000) {
        current = Mutex(seconds)
    }

    /// Moves the time of day by `seconds` (negative: back).
    package func jump(by seconds: Double) {
        current.withLock { $0 += seconds }
    }

    /// The time of day.
    package var now: Date { Date(timeIntervalSince1970: current.withLock { $0 }) }

    /// The clocks of a test: `monotonic`, and this wall clock.
    package func clocks(monotonic: any Clock<Duration>) -> Clocks {
        Clocks(monotonic: monotonic, wall: { self.now })
    }
}
