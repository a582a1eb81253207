// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import Foundation

/// A job run: its facts, resources with advice, test results, artifacts, and every step with its log.
enum JobPage {
    /// A stored artifact as the job page links it.
    struct Artifact: Equatable {
        /// Its path under the job's artifacts.
        var path: String
        /// Its size in bytes.
        var size: Int64
        /// Its copy in the static report, or its download from the server.
        var link: PageTarget
    }

    /// A service container's log as the job page shows it.
    struct ContainerLog: Equatable {
        /// The container's name.
        var name: String
        /// Its log excerpt.
        var excerpt: LogExcerpt
    }

    /// What a job page shows.
    struct Content {
        /// The job run's pipeline.
        var pipeline: Pipeline
        /// The name of the job run's workflow.
        var workflowName: String
        /// The job run with its steps and test counts.
        var detail: JobDetail
        /// Step index → its log excerpt.
        var logs: [Int: LogExcerpt]
        /// Failures and errors first (as the store returns them).
        var testCases: [TestCase]
        /// Its stored artifacts, by path.
        var artifacts: [Artifact]
        /// Its service containers' logs, by name.
        var containerLogs: [ContainerLog] = []
        /// What happened before its first step (its images' pulls), when anything did.
        var environmentLog: LogExcerpt?
    }

    /// How many passed test cases the page lists at most (failures are always all listed).
    static let listedTestLimit = 1000

    /// The page.
    static func render(_ content: Content, style: PageLinks.Style = .files, extras: PageExtras = .none) -> HTML {
        let job = content.detail.job
        let pipeline = content.pipeline
        let links = PageLinks(style: style, page: .job(pipelineID: pipeline.id, jobID: job.id))
        var body = facts(content)
        body += resources(job)
        body += tests(content.testCases, counts: content.detail.tests)
        body += artifacts(content.artifacts, links: links)
        body += "<h2 id=\"steps\">Steps</h2>\n"
        if let environment = content.environmentLog {
            body += """
                <details class="step" id="environment">
                <summary><span class="name">Spin up environment</span> <span class="muted">\(Format.bytes(environment.totalBytes))</span></summary>
                \(StepLog.body(environment, links: links))</details>

                """
        }
        if content.detail.steps.isEmpty { body += "<p>No step.</p>\n" }
        for step in content.detail.steps {
            body += StepLog.render(step, excerpt: content.logs[step.index], links: links)
        }
        body += containers(content.containerLogs, links: links)
        var title = job.name
        if job.parallelism > 1 { title += " (\(job.nodeIndex + 1)/\(job.parallelism))" }
        return PageShell.page(
            title: title, links: links,
            crumbs: [
                PageShell.Crumb(
                    label: pipeline.projectName,
                    page: .project(id: pipeline.projectID, name: pipeline.projectName, page: nil)),
                PageShell.Crumb(label: "#\(pipeline.number)", page: .pipeline(id: pipeline.id)),
                PageShell.Crumb(label: job.name, page: nil),
            ], isRunning: !job.status.isFinal && job.status != .onHold, extras: extras, body: body)
    }

    private static func facts(_ content: Content) -> HTML {
        let job = content.detail.job
        let ranWhere: HTML = job.image == nil ? "run on this machine's shell" : "run in its image"
        var facts: HTML = """
            <dt>Status</dt><dd>\(PageShell.status(job.status.rawValue))</dd>
            <dt>Workflow</dt><dd>\(content.workflowName)</dd>
            <dt>Commit</dt><dd class="mono">\(content.pipeline.sourceText())</dd>
            <dt>Executor</dt><dd>\(job.executor) <span class="muted">(\(ranWhere))</span></dd>
            <dt>Started</dt><dd>\(Format.date(job.startedAt))</dd>
            <dt>Duration</dt><dd>\(Format.duration(from: job.startedAt, to: job.finishedAt) ?? "—")</dd>

            """
        if let image = job.image {
            facts += "<dt>Image</dt><dd class=\"mono\">\(image.reference)<br>\(image.digest)</dd>\n"
        }
        if job.attempt > 1 { facts += "<dt>Attempt</dt><dd>\(job.attempt)</dd>\n" }
        if let exitCode = job.exitCode { facts += "<dt>Exit code</dt><dd>\(exitCode)</dd>\n" }
        if let reason = job.failureReason { facts += "<dt>Failure</dt><dd>\(reason.rawValue)</dd>\n" }
        var html: HTML = "<dl class=\"facts\">\n\(facts)</dl>\n"
        if let message = job.failureMessage {
            html += "<div class=\"advice warning\" role=\"alert\"><pre>\(message)</pre></div>\n"
        }
        return html
    }

    private static func resources(_ job: Job) -> HTML {
        let resources = job.resources
        guard resources.isolation != nil || resources.peakMemoryBytes != nil || resources.cpuSeconds != nil else {
            return ""
        }
        var facts: HTML = "<dt>resource_class</dt><dd>\(job.resourceClass ?? "medium")</dd>\n"
        if let isolation = resources.isolation {
            let meaning = isolation == "none" ? " (no cgroups: no CPU or memory limit was enforced)" : ""
            facts += "<dt>Isolation</dt><dd>\(isolation)\(meaning)</dd>\n"
        }
        if let cpu = resources.cpuSeconds {
            let limit = resources.millicoresLimit.map { String(format: " (limit %.1f CPUs)", Double($0) / 1000) } ?? ""
            facts += "<dt>CPU time</dt><dd>\(Format.seconds(cpu))\(limit)</dd>\n"
        }
        if let peak = resources.peakMemoryBytes {
            var value: HTML = "\(Format.bytes(peak))"
            if let limit = resources.memoryLimitBytes, limit > 0 {
                value = """
                    <meter class="meter" min="0" max="\(limit)" value="\(min(peak, limit))" high="\(limit / 10 * 8)">\(Format.bytes(peak))</meter> \(Format.bytes(peak)) of \(Format.bytes(limit))
                    """
            }
            facts += "<dt>Peak memory</dt><dd>\(value)</dd>\n"
        }
        var html: HTML = "<h2 id=\"resources\">Resources</h2>\n<dl class=\"facts\">\n\(facts)</dl>\n"
        for note in ResourceAdvice.notes(for: job) {
            html += "<p class=\"advice\(note.isWarning ? " warning" : "")\">\(note.text)</p>\n"
        }
        return html
    }

    private static func tests(_ cases: [TestCase], counts: TestCounts) -> HTML {
        guard !cases.isEmpty else { return "" }
        var html: HTML = """
            <h2 id="tests">Tests</h2>
            <p>\(counts.total) tests: \(counts.total - counts.failed - counts.skipped) passed, \(counts.failed) failed, \(counts.skipped) skipped.</p>

            """
        let failed = cases.filter { $0.result.isFailed }
        if !failed.isEmpty {
            html += "<h3>Failures</h3>\n" + testTable(failed, showsMessages: true)
        }
        let slowest = cases.filter { $0.result != .skipped }.sorted { $0.duration > $1.duration }.prefix(10)
        html += "<h3>Slowest</h3>\n" + testTable(Array(slowest), showsMessages: false)
        let listed = Array(cases.prefix(max(failed.count, listedTestLimit)))
        let more: HTML = cases.count > listed.count ? " (first \(listed.count) of \(cases.count))" : ""
        html += """
            <details><summary>All tests\(more)</summary>
            \(testTable(listed, showsMessages: false))</details>

            """
        return html
    }

    private static func testTable(_ cases: [TestCase], showsMessages: Bool) -> HTML {
        let rows = cases.map { test -> HTML in
            let message: HTML = showsMessages ? "<td>\(test.message.map { "<pre>\($0)</pre>" as HTML } ?? "")</td>" : ""
            let file: HTML = test.file.map { "<br><span class=\"muted mono\">\($0)</span>" } ?? ""
            return """
                <tr><td>\(TestsPage.name(test.className, test.name))\(file)</td><td>\(PageShell.status(test.result == .success ? "success" : test.result.isFailed ? "failed" : "not_run"))</td><td class="number">\(Format.seconds(test.duration))</td>\(message)</tr>
                """
        }
        let header: HTML = showsMessages ? "<th scope=\"col\">Message</th>" : ""
        return """
            <table>
            <thead><tr><th scope="col">Test</th><th scope="col">Result</th><th scope="col" class="number">Duration</th>\(header)</tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>

            """
    }

    private static func containers(_ logs: [ContainerLog], links: PageLinks) -> HTML {
        guard !logs.isEmpty else { return "" }
        var html: HTML = "<h2 id=\"containers\">Service containers</h2>\n"
        for log in logs {
            html += """
                <details class="step" id="container-\(ReportLayout.fileSafe(log.name))">
                <summary><span class="name">\(log.name)</span> <span class="muted">\(Format.bytes(log.excerpt.totalBytes))</span></summary>
                \(StepLog.body(log.excerpt, links: links))</details>

                """
        }
        return html
    }

    private static func artifacts(_ artifacts: [Artifact], links: PageLinks) -> HTML {
        guard !artifacts.isEmpty else { return "" }
        let items = artifacts.map { artifact -> HTML in
            "<li><a href=\"\(links.url(artifact.link))\">\(artifact.path)</a> <span class=\"muted\">\(Format.bytes(artifact.size))</span></li>"
        }
        return "<h2 id=\"artifacts\">Artifacts</h2>\n<ul>\n\(items.joined(separator: "\n"))\n</ul>\n"
    }
}
