// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import CIBoxStore
import Foundation

/// The end-of-run summary: every job run's result, its failed tests and test counts, then the failing steps'
/// last 20 log lines.
enum Summary {
    /// How many log lines of a failing step to show.
    static let tailLines = 20

    /// `  peak 310 MiB of 4 GiB (medium), 1.2 CPU s` for a job run that ran.
    static func resourceText(_ job: Job) -> String {
        guard let peak = job.resources.peakMemoryBytes else { return "" }
        var text = "  peak \(ByteCount.format(peak))"
        if let limit = job.resources.memoryLimitBytes { text += " of \(ByteCount.format(limit))" }
        if let resourceClass = job.resourceClass { text += " (\(resourceClass))" }
        if let cpu = job.resources.cpuSeconds { text += String(format: ", %.1f CPU s", cpu) }
        return text + job.resources.limitEvents.map { "; " + $0 }.joined()
    }

    /// How many failed tests of a job are listed.
    static let failedTestsShown = 20
    /// How many lines of a failed test's message are shown.
    static let messageLines = 5

    /// A job run's test results: its failed tests first, each with the first lines of its message, then the
    /// counts. Empty when it stored no tests.
    /// - Parameters:
    ///   - job: the job run.
    ///   - workflow: its workflow's name.
    ///   - store: where its test cases are.
    static func testsText(_ job: JobDetail, workflow: String, store: PipelineStore) -> String {
        let counts = job.tests
        guard counts.total > 0 else { return "" }
        let node = job.job.parallelism > 1 ? " #\(job.job.nodeIndex)" : ""
        var text = "--- tests of \(workflow)/\(job.job.name)\(node) [job \(job.job.id)]:\n"
        let failed = ((try? store.testCases.testCases(jobID: job.job.id)) ?? []).filter { $0.result.isFailed }
        for testCase in failed.prefix(failedTestsShown) {
            let title = testCase.className.isEmpty ? testCase.name : "\(testCase.className).\(testCase.name)"
            text += "  \(testCase.result == .error ? "ERROR" : "FAILED") \(title)"
            text += (testCase.file.map { " (\($0))" } ?? "") + "\n"
            let lines = (testCase.message ?? "").split(separator: "\n", omittingEmptySubsequences: true)
            for line in lines.prefix(messageLines) { text += "      \(line)\n" }
            if lines.count > messageLines { text += "      …\n" }
        }
        if failed.count > failedTestsShown { text += "  … and \(failed.count - failedTestsShown) more failed\n" }
        text += "  \(counts.total) tests, \(counts.failed) failed, \(counts.skipped) skipped\n"
        return text
    }

    /// Each failed job's reason and each failed step's last ``tailLines`` log lines, with the command that
    /// prints the whole log.
    static func failuresText(_ detail: PipelineDetail, store: PipelineStore) -> String {
        var text = ""
        for workflow in detail.workflows {
            for job in workflow.jobs where job.job.status == .failed {
                if let message = job.job.failureMessage { text += "\n\(job.job.name): \(message)\n" }
                for step in job.steps where step.status == .failed {
                    text += "\n--- \(workflow.workflow.name)/\(job.job.name) step \(step.index) \"\(step.name)\" failed"
                    text += step.exitCode.map { " with exit code \($0)" } ?? ""
                    text += "; last lines of its log (cibox logs \(job.job.id) --step \(step.index)):\n"
                    for line in LogTail.lines(tailLines, of: store.logPath(jobID: job.job.id, step: step.index)) {
                        text += "    \(TerminalText.sanitized(line, keepsColors: Terminal.isErrorATerminal))\n"
                    }
                }
            }
        }
        return text
    }

    /// Prints the summary of `detail` on standard output (or standard error when stdout carries JSON).
    static func print(_ detail: PipelineDetail, store: PipelineStore, toStandardOutput: Bool) {
        var text = ""
        for workflow in detail.workflows {
            text += "workflow \(workflow.workflow.name): \(workflow.workflow.status.rawValue)\n"
            for job in workflow.jobs {
                let node = job.job.parallelism > 1 ? " #\(job.job.nodeIndex)" : ""
                var line = "  \(job.job.name)\(node): \(job.job.status.rawValue)"
                if let code = job.job.exitCode, job.job.status == .failed { line += " (exit \(code))" }
                line += "  [job \(job.job.id)]" + resourceText(job.job)
                text += line + "\n"
            }
        }
        for workflow in detail.workflows {
            for job in workflow.jobs where job.tests.total > 0 {
                text += "\n" + testsText(job, workflow: workflow.workflow.name, store: store)
            }
        }
        text += failuresText(detail, store: store)
        let pipeline = detail.pipeline
        text += "\npipeline #\(pipeline.number) (id \(pipeline.id)): \(pipeline.status.rawValue)\n"
        for workflow in detail.workflows {
            for job in workflow.jobs where job.job.status == .onHold {
                text += "waiting for approval: cibox approve \(pipeline.id) \(job.job.name)\n"
            }
        }
        if toStandardOutput { Terminal.output(text) } else { Terminal.error(text) }
    }
}
