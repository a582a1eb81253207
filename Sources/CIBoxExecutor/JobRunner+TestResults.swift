// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxTestResults
import Foundation
import Synchronization

extension JobRunner {
    /// `store_test_results`: reads the JUnit XML at `path` (a file, or a folder searched for `*.xml`) and keeps
    /// its test cases for the job's result. Missing or malformed files are warnings in the log; the step
    /// succeeds, as in CircleCI, so that test results never fail a job by themselves.
    func runStoreTestResults(path: String, context: StepContext, logFD: Int32) -> (StepResult, String?) {
        let target = view.resolve(path, relativeTo: context.workingDirectory)
        let report = sandbox.files.readTestResults(at: target)
        var text = ""
        for warning in report.warnings {
            // Paths inside the job's folder mean more to the user relative to its working directory.
            text += "warning: \(warning.replacingOccurrences(of: context.workingDirectory + "/", with: ""))\n"
        }
        let counts = TestCounts(report.cases)
        let files = report.files.count == 1 ? "1 file" : "\(report.files.count) files"
        text += "Found \(counts.total) tests in \(files) under '\(path)': \(counts.failed) failed"
        text += counts.skipped > 0 ? ", \(counts.skipped) skipped.\n" : ".\n"
        for failed in report.cases where failed.result.isFailed {
            let title = failed.className.isEmpty ? failed.name : failed.className + "." + failed.name
            let first = failed.message?.split(separator: "\n").first.map(String.init) ?? ""
            text += "  \(failed.result.rawValue): \(title)\(first.isEmpty ? "" : " — " + first)\n"
        }
        testCases.withLock { $0 += report.cases }
        let bytes = StepLog.write(text, to: logFD)
        return (StepResult(status: .success, exitCode: 0, logBytes: bytes), nil)
    }
}
