// cibox — CI in a box. MIT licence, see LICENSE.

import GRDB

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
    /// The underlying error (GRDB's `DatabaseError`, a file-system or coding error), or nil when the store itself
    /// found the problem (no such row, a number taken). A `DatabaseError` is kept without its bound values.
    package var cause: (any Error)?

    /// Makes an error.
    /// - Parameters:
    ///   - code: the kind of failure.
    ///   - message: what failed, on what, and what to do.
    ///   - cause: the underlying error; a `DatabaseError`'s bound values are dropped.
    package init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause.map(Self.withoutBoundValues)
    }

    /// The message.
    package var description: String { message }

    /// `error`, or a copy of it without its statement arguments when it is a `DatabaseError` (GRDB keeps them
    /// in `arguments` even when they are left out of its description).
    private static func withoutBoundValues(_ error: any Error) -> any Error {
        guard let databaseError = error as? DatabaseError, databaseError.arguments != nil else { return error }
        return DatabaseError(
            resultCode: databaseError.extendedResultCode, message: databaseError.message, sql: databaseError.sql)
    }
}
