// cibox — CI in a box. MIT licence, see LICENSE.

import Synchronization

/// The ids of the pipelines a daemon runs now, so that a shutdown knows what it still waits for.
final class RunningPipelines: Sendable {
    private let running = Mutex<Set<Int64>>([])

    /// Adds pipeline `id`.
    func insert(_ id: Int64) {
        _ = running.withLock { $0.insert(id) }
    }

    /// Removes pipeline `id`.
    func remove(_ id: Int64) {
        _ = running.withLock { $0.remove(id) }
    }

    /// The pipelines running now.
    var ids: Set<Int64> { running.withLock { $0 } }

    /// Whether none runs.
    var isEmpty: Bool { running.withLock { $0.isEmpty } }
}
