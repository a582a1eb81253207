// cibox — CI in a box. MIT licence, see LICENSE.

/// How one test case ended, as JUnit XML reports it. Stored as text.
package enum TestCaseResult: String, Codable, Sendable, CaseIterable {
    /// It passed.
    case success
    /// An assertion failed (`<failure>`).
    case failure
    /// It ended with an unexpected error (`<error>`).
    case error
    /// It did not run (`<skipped/>`).
    case skipped

    /// Whether the case counts as failed (a failure or an error).
    package var isFailed: Bool { self == .failure || self == .error }
}

/// One test case from a job's stored test results (`store_test_results`).
package struct TestCase: Codable, Sendable, Equatable {
    /// The enclosing suites' names, outermost first, joined with `/`; empty when there was none.
    package var suite: String
    /// The `classname` attribute (may be empty).
    package var className: String
    /// The `name` attribute.
    package var name: String
    /// The test's source file (`file` on the case or an enclosing suite), if reported.
    package var file: String?
    /// How long it ran, in seconds.
    package var duration: Double
    /// How it ended.
    package var result: TestCaseResult
    /// The failure's message and text, trimmed, for failures and errors (and a skip reason when given).
    package var message: String?

    /// Makes a test case.
    package init(
        suite: String = "", className: String = "", name: String, file: String? = nil, duration: Double = 0,
        result: TestCaseResult = .success, message: String? = nil
    ) {
        self.suite = suite
        self.className = className
        self.name = name
        self.file = file
        self.duration = duration
        self.result = result
        self.message = message
    }
}

/// How many test cases a job run stored, and how many failed or were skipped.
package struct TestCounts: Codable, Sendable, Equatable {
    /// All test cases.
    package var total: Int
    /// Failures and errors.
    package var failed: Int
    /// Skipped cases.
    package var skipped: Int

    /// Makes counts (all zero by default).
    package init(total: Int = 0, failed: Int = 0, skipped: Int = 0) {
        self.total = total
        self.failed = failed
        self.skipped = skipped
    }

    /// The counts of `cases`.
    package init(_ cases: [TestCase]) {
        self.init(
            total: cases.count, failed: cases.count(where: { $0.result.isFailed }),
            skipped: cases.count(where: { $0.result == .skipped }))
    }
}
