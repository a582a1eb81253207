// cibox — CI in a box. MIT licence, see LICENSE.

/// The most recent durations of a job's tests in earlier pipelines, for `circleci tests split --split-by=timings`.
package struct TestTimings: Codable, Sendable, Equatable {
    /// Seconds per test file (the sum of its cases in the most recent job run that ran it).
    package var byFile: [String: Double]
    /// Seconds per class name (the sum of the most recent duration of each of its cases).
    package var byClass: [String: Double]
    /// Seconds per test name, and per `classname.name`.
    package var byTest: [String: Double]

    /// Makes timings (empty by default).
    package init(byFile: [String: Double] = [:], byClass: [String: Double] = [:], byTest: [String: Double] = [:]) {
        self.byFile = byFile
        self.byClass = byClass
        self.byTest = byTest
    }

    /// The variable naming a file of the job's timings written before it starts (`CIBOX_TIMINGS_FILE`): what
    /// `circleci tests split --split-by=timings` reads where cibox's database is out of reach (in an image).
    package static let fileVariable = "CIBOX_TIMINGS_FILE"

    /// Whether there is no timing at all.
    package var isEmpty: Bool { byFile.isEmpty && byClass.isEmpty && byTest.isEmpty }
}
