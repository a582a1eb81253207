// cibox — CI in a box. MIT licence, see LICENSE.

package import Foundation

/// The two clocks cibox reads, passed in rather than read from the system by the code that uses them.
///
/// Every timeout, interval and deadline (`no_output_timeout`, job time limits, grace periods, polling) is measured
/// on `monotonic`, so a change of the machine's time (NTP stepping it, an administrator setting it) neither kills a
/// healthy job nor stops a timeout. `wall` is read only for timestamps that people read (when a job started).
/// Tests pass a manual clock and a wall clock they move at will.
package struct Clocks: Sendable {
    /// Measures durations; never jumps.
    package var monotonic: any Clock<Duration>
    /// The time of day, for timestamps only.
    package var wall: @Sendable () -> Date

    /// Makes clocks.
    /// - Parameters:
    ///   - monotonic: the clock for durations (the system's continuous clock by default).
    ///   - wall: the time of day (the system's by default).
    package init(monotonic: any Clock<Duration> = ContinuousClock(), wall: @escaping @Sendable () -> Date = { Date() })
    {
        self.monotonic = monotonic
        self.wall = wall
    }

    /// The system's clocks.
    package static var system: Clocks { Clocks() }

    /// A stopwatch started now on the monotonic clock.
    package func stopwatch() -> Stopwatch {
        Stopwatch(monotonic)
    }

    /// Sleeps for `duration` on the monotonic clock.
    /// - Throws: `CancellationError` when the task is cancelled.
    package func sleep(for duration: Duration) async throws {
        try await monotonic.sleep(for: duration, tolerance: nil)
    }
}

/// Time elapsed since it was made, read from a monotonic clock without knowing the clock's type.
///
/// Code that cannot be generic over `Clock` (a `poll` loop on its own thread) measures its timeouts with it:
/// every reading is a `Duration` since the stopwatch started.
package struct Stopwatch: Sendable {
    private let read: @Sendable () -> Duration

    /// Starts a stopwatch on `clock`.
    package init(_ clock: any Clock<Duration>) {
        read = Self.reader(clock)
    }

    private static func reader<C: Clock<Duration>>(_ clock: C) -> @Sendable () -> Duration {
        let start = clock.now
        return { start.duration(to: clock.now) }
    }

    /// The time since the stopwatch started.
    package var elapsed: Duration { read() }
}

extension Duration {
    /// The duration in seconds, with fractions.
    package var inSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
