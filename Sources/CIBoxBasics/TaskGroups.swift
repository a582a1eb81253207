// cibox — CI in a box. MIT licence, see LICENSE.

/// Runs `operation` with `companion` beside it as a child task, and cancels the companion (then waits for it) as
/// soon as the operation ends: a poller or watcher that lives exactly as long as the work it serves, without an
/// unstructured `Task`. Cancelling the calling task cancels both.
/// - Returns: what the operation returned.
package func withCompanion<T: Sendable>(
    _ companion: @escaping @Sendable () async -> Void, running operation: () async -> T
) async -> T {
    await withTaskGroup(of: Void.self) { group in
        group.addTask { await companion() }
        let value = await operation()
        group.cancelAll()
        return value
    }
}
