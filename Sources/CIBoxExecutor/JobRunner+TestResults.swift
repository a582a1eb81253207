// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxTestResults
import Foundation
import Synchronization

extension JobRunner {
    /// `store_test_results`: reads the JUnit XML at `path` (a file, or a folder searched for `*.xml`; collected by the
    /// job's helper, as the job's user) and keeps its test cases for the job's result, secrets masked in their names
    /// and messages. Missing or malformed files are warnings in the log; the step succeeds, as in CircleCI, so that
    /// test results never fail a job by themselves. A path the job's user may not read fails it (refused).
    func runStoreTestResults(path: String, context: StepContext, logFD: Int32) async -> (StepResult, String?) {
        let target = view.resolve(path, relativeTo: context.workingDirectory)
        var log = BuiltInLog(fd: logFD, secrets: request.secrets)
        let report: JUnitReport
        do {
            report = try await sandbox.files.readTestResults(at: target)
        } catch {
            return log.failed("Cannot store the test results at '\(path)': \(error.message)")
        }
        for warning in report.warnings {
            // Paths inside the job's folder mean more to the user relative to its working directory.
            log.line("warning: \(warning.replacingOccurrences(of: context.workingDirectory + "/", with: ""))")
        }
        let cases = report.cases.map { SecretMasker.mask($0, secrets: request.secrets) }
        let counts = TestCounts(cases)
        let files = report.files.count == 1 ? "1 file" : "\(report.files.count) files"
        var summary = "Found \(counts.total) tests in \(files) under '\(path)': \(counts.failed) failed"
        summary += counts.skipped > 0 ? ", \(counts.skipped) skipped." : "."
        log.line(summary)
        for failed in cases where failed.result.isFailed {
            let title = failed.className.isEmpty ? failed.name : failed.className + "." + failed.name
            let first = failed.message?.split(separator: "\n").first.map(String.init) ?? ""
            log.line("  \(failed.result.rawValue): \(title)\(first.isEmpty ? "" : " — " + first)")
        }
        testCases.withLock { $0 += cases }
        return (StepResult(status: .success, exitCode: 0, logBytes: log.bytes), nil)
    }
}
