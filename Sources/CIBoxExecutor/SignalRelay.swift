// cibox — CI in a box. MIT licence, see LICENSE.

internal import CSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Turns SIGINT and SIGTERM into a call on a thread of its own, so that Ctrl-C cancels a running pipeline
/// (its jobs are stopped and recorded as canceled) instead of killing cibox and orphaning the jobs. A second
/// signal of the same kind ends cibox at once with the default action.
package enum SignalRelay {
    /// Relays `signals` to `handler` from now on (once per process).
    /// - Parameter handler: called on the relay's thread with the signal's number, for the first of each.
    package static func watch(_ signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        var fds: [Int32] = [-1, -1]
        guard cibox_pipe(&fds, 0) == 0 else { return }
        for signal in signals { _ = cibox_relay_signal(signal, fds[1]) }
        let readEnd = fds[0]
        let thread = Thread {
            var seen = Set<Int32>()
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) == 1 {
                let number = Int32(byte)
                if !seen.insert(number).inserted { cibox_reraise_default(number) }
                handler(number)
            }
        }
        thread.stackSize = 128 * 1024
        thread.start()
    }
}
