// cibox — CI in a box. MIT licence, see LICENSE.

/// A failure of the store: the database or the files under `$CIBOX_HOME`.
package struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure.
    package enum Code: String, Sendable {
        case cannotOpen
        case database
        case notFound
        case conflict
    }

    /// The kind of failure.
    package var code: Code
    /// What failed, on what, and what to do. Carries SQL when useful, never bound values.
    package var message: String

    /// Makes an error.
    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    package var description: String { message }
}
