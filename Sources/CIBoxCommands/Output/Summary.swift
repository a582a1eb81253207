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
    static func resourceText(_ job: Job) -> TerminalString {
        guard let peak = job.resources.peakMemoryBytes else { return "" }
        var text: TerminalString = "  peak \(ByteCount.format(peak))"
        if let limit = job.resources.memoryLimitBytes { text += " of \(ByteCount.format(limit))" }
        if let resourceClass = job.resourceClass { text += " (\(resourceClass))" }
        if let cpu = job.resources.cpuSeconds { text += ", \(String(format: "%.1f", cpu)) CPU s" }
        for event in job.resources.limitEvents { text += "; \(event)" }
        return text
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
    static func testsText(_ job: JobDetail, workflow: String, store: PipelineStore) -> TerminalString {
        let counts = job.tests
        guard counts.total > 0 else { return "" }
        var text: TerminalString =
            "--- tests of \(ProgressPrinter.label(job.job, workflow: workflow)) [job \(job.job.id)]:\n"
        let failed = ((try? store.testCases.testCases(jobID: job.job.id)) ?? []).filter { $0.result.isFailed }
        for testCase in failed.prefix(failedTestsShown) {
            let title = testCase.className.isEmpty ? testCase.name : "\(testCase.className).\(testCase.name)"
            text += "  \(testCase.result == .error ? "ERROR" : "FAILED") \(title)"
            if let file = testCase.file { text += " (\(file))" }
            text += "\n"
            // A test's message is the job's output, shown as its log lines are.
            let lines = LogTail.split(testCase.message ?? "").filter { !$0.isEmpty }
            for line in lines.prefix(messageLines) { text += "      \(logLine(line))\n" }
            if lines.count > messageLines { text += "      …\n" }
        }
        if failed.count > failedTestsShown { text += "  … and \(failed.count - failedTestsShown) more failed\n" }
        text += "  \(counts.total) tests, \(counts.failed) failed, \(counts.skipped) skipped\n"
        return text
    }

    /// Each failed job's reason and each failed step's last ``tailLines`` log lines, with the command that
    /// prints the whole log.
    static func failuresText(_ detail: PipelineDetail, store: PipelineStore) -> TerminalString {
        var text: TerminalString = ""
        for workflow in detail.workflows {
            for job in workflow.jobs where job.job.status == .failed {
                if let message = job.job.failureMessage {
                    text += "\n\(job.job.name): \(lines: message, indent: "    ")\n"
                }
                for step in job.steps where step.status == .failed {
                    text += "\n--- \(workflow.workflow.name)/\(job.job.name) step \(step.index) \"\(step.name)\" failed"
                    if let code = step.exitCode { text += " with exit code \(code)" }
                    text += "; last lines of its log (cibox logs \(job.job.id) --step \(step.index)):\n"
                    for line in LogTail.lines(tailLines, of: store.logPath(jobID: job.job.id, step: step.index)) {
                        text += "    \(logLine(line))\n"
                    }
                }
            }
        }
        return text
    }

    /// One line of a job's output made safe for the terminal, colours kept when standard error is a terminal.
    private static func logLine(_ line: String) -> TerminalString {
        TerminalString(verbatim: TerminalText.sanitized(line, keepsColors: Terminal.isErrorATerminal))
    }

    /// Prints the summary of `detail` on standard output (or standard error when stdout carries JSON).
    static func print(_ detail: PipelineDetail, store: PipelineStore, toStandardOutput: Bool) {
        var text: TerminalString = ""
        for workflow in detail.workflows {
            text += "workflow \(workflow.workflow.name): \(workflow.workflow.status.rawValue)\n"
            for job in workflow.jobs {
                let node = job.job.parallelism > 1 ? " #\(job.job.nodeIndex)" : ""
                var line: TerminalString = "  \(job.job.name)\(node): \(job.job.status.rawValue)"
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
        text += "\npipeline #\(pipeline.number) (id \(pipeline.id))"
        if pipeline.source == .workingTree { text += ", \(pipeline.sourceText(revisionLength: 12))" }
        text += ": \(pipeline.status.rawValue)\n"
        for workflow in detail.workflows {
            for job in workflow.jobs where job.job.status == .onHold {
                text += "waiting for approval: cibox approve \(pipeline.id) \(job.job.name)\n"
            }
        }
        if toStandardOutput { Terminal.output(text) } else { Terminal.error(text) }
    }
}
