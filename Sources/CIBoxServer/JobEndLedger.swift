// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxStore
import Foundation

/// Which ended job runs `/metrics` has counted: each one once, whichever process ran it, however rarely it is
/// scraped.
///
/// Each look reads the job runs that ended (`finishedAt`) at or after the previous look's time less ``lookback``.
/// A job run's end time is taken a moment before its row is written, so one that another process was still writing
/// at the previous look is found at the next one; the ids seen within the window stop it from being counted twice.
/// Job runs that ended before the server started are not counted: counters start at zero with the server, as
/// Prometheus expects of a process (its `rate()` and `increase()` handle the reset).
struct JobEndLedger {
    /// How long before a look a job run may have ended and still be written only after it (far more than a write
    /// ever takes).
    static let lookback: TimeInterval = 600

    /// When the server started: job runs that ended earlier are not counted.
    let start: Date
    /// The time of the last look (the start, before the first).
    private(set) var lastLook: Date
    /// The ids of the job runs found within the window, with their end times.
    private var seen: [Int64: Date] = [:]

    /// A ledger that counts the job runs ending from `start` on.
    init(start: Date) {
        self.start = start
        lastLook = start
    }

    /// What the next look reads from: job runs that ended at or after this.
    var since: Date { lastLook.addingTimeInterval(-Self.lookback) }

    /// Takes `ended`, what a look begun at `now` read from ``since``, and returns the job runs to count: those not
    /// seen before that ended at or after ``start``.
    mutating func take(_ ended: [EndedJob], lookedAt now: Date) -> [EndedJob] {
        var new: [EndedJob] = []
        for job in ended where seen[job.id] == nil {
            seen[job.id] = job.finishedAt
            if job.finishedAt >= start { new.append(job) }
        }
        lastLook = max(lastLook, now)
        let horizon = since
        seen = seen.filter { $0.value >= horizon }
        return new
    }
}
