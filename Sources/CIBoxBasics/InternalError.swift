// cibox — CI in a box. MIT licence, see LICENSE.

/// A broken invariant inside cibox itself: never the user's fault.
package struct InternalError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    package var message: String

    /// Makes an internal error.
    package init(_ message: String) {
        self.message = message
    }

    /// The message, with a request to report it.
    package var description: String {
        "internal error: \(message) (this is a bug in cibox; please report it)"
    }
}
