// cibox — CI in a box. MIT licence, see LICENSE.

import Synchronization
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

/// Which signal interrupted a run, if one did; and the watch that turns SIGINT and SIGTERM into a cancel.
///
/// Ctrl-C (or SIGTERM) during a run cancels it, so its jobs are stopped and recorded as canceled instead of cibox
/// dying and orphaning them; a second signal of the same kind ends cibox at once with the default action.
final class Interruption: Sendable {
    private let received = Mutex<Int32?>(nil)

    /// The signal, once received.
    var signal: Int32? {
        get { received.withLock { $0 } }
        set { received.withLock { $0 = newValue } }
    }

    /// Runs `operation` in a task of its own and watches `signals` (swift-service-lifecycle's signal sequence) until
    /// it ends: the first of each kind is kept in ``signal``, passed to `onSignal` and cancels the operation; a
    /// second of the same kind ends cibox at once.
    /// - Returns: what the operation returned.
    func watching<T: Sendable>(
        _ signals: [UnixSignal], onSignal: @escaping @Sendable (Int32) -> Void = { _ in },
        _ operation: @escaping @Sendable () async -> T
    ) async -> T {
        let sequence = await UnixSignalsSequence(trapping: signals)
        let run = Task { await operation() }
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var seen = Set<Int32>()
                for await received in sequence {
                    let number = received.rawValue
                    if !seen.insert(number).inserted {
                        Glibc.signal(number, SIG_DFL)
                        raise(number)
                    }
                    if self.signal == nil { self.signal = number }
                    onSignal(number)
                    run.cancel()
                }
            }
            let value = await run.value
            group.cancelAll()
            return value
        }
    }
}
