// cibox — CI in a box. MIT licence, see LICENSE.

/// Why a plan could not be made: an unknown workflow, a structural error, or nothing left to run.
package struct PlanningError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, naming the workflows or jobs involved and what to do.
    package var message: String

    /// Makes a planning error.
    package init(_ message: String) {
        self.message = message
    }

    /// The message.
    package var description: String { message }
}
