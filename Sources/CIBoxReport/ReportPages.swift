// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
package import CIBoxStore
import Foundation

/// The report's pages read from the store and rendered, without writing anything: the half of the report that the
/// static ``ReportWriter`` and the daemon's server share. The writer's pages link each other as files and copy long
/// logs and artifacts into the report; the server's link its own paths and the API's logs and downloads.
///
/// Concurrency: a value; every method reads the store (blocking), so a server calls them off its event loops.
/// Errors: ``ReportError`` `store`.
package struct ReportPages: Sendable {
    /// The history the pages show.
    package let store: PipelineStore
    /// How many bytes of each end of a long step log a job page shows.
    package var logLimit = 64 * 1024
    /// The folder holding each job run's artifacts as `<job-id>/…`.
    let artifactsRoot: String
    /// How the pages link.
    let style: PageLinks.Style
    /// The static report's files, where copies of long logs and artifacts go (nil for the server).
    let files: SiteFiles?

    /// The server's pages of `store`, the job runs' artifacts being under `artifactsRoot` (`STORAGE/artifacts`).
    package init(store: PipelineStore, artifactsRoot: String) {
        self.store = store
        self.artifactsRoot = artifactsRoot
        style = .server
        files = nil
    }

    /// The static report's pages, copying long logs and artifacts into `files`.
    init(store: PipelineStore, files: SiteFiles, logLimit: Int) {
        self.store = store
        self.logLimit = logLimit
        artifactsRoot = store.home + "/artifacts"
        style = .files
        self.files = files
    }

    // MARK: Pages by what the server's paths name

    /// The front page: every project's branches, then the `recent` newest pipelines of all projects.
    package func index(recent: Int, extras: PageExtras) throws(ReportError) -> HTML {
        let overviews = try Self.read { () throws(StoreError) in try store.report.projectOverviews() }
        let pipelines = try Self.read { () throws(StoreError) in
            recent > 0 ? try store.history.pipelines(matching: PipelineFilter(), before: nil, limit: recent) : []
        }
        return IndexPage.render(overviews, recent: pipelines, style: style, extras: extras)
    }

    /// Project `name`'s front page (`page` nil) or list page `page`; nil when there is no such project or page.
    package func project(named name: String, page: Int?, extras: PageExtras) throws(ReportError) -> HTML? {
        guard let overview = try overview(named: name) else { return nil }
        if let page, page < 1 || page > ReportLayout.listPageNumber(pipelineNumber: max(1, overview.lastNumber)) {
            return nil
        }
        return try projectPage(overview, page: page, extras: extras)
    }

    /// Project `name`'s tests page, or nil.
    package func tests(projectNamed name: String, extras: PageExtras) throws(ReportError) -> HTML? {
        guard let overview = try overview(named: name) else { return nil }
        return try testsPage(overview.project, extras: extras)
    }

    /// The SVG badge of branch `branch` of project `name`, or nil when it has no pipeline on that branch.
    package func badge(projectNamed name: String, branch: String) throws(ReportError) -> String? {
        guard let head = try overview(named: name)?.branches.first(where: { $0.branch == branch }) else { return nil }
        return Badge.svg(status: head.pipeline.status.rawValue)
    }

    /// Pipeline `id`'s page, with the extras `extras` gives for it; nil when there is no such pipeline.
    package func pipeline(id: Int64, extras: (PipelineDetail) -> PageExtras) throws(ReportError) -> HTML? {
        guard let detail = try Self.read({ () throws(StoreError) in try store.history.pipelineDetail(id: id) }) else {
            return nil
        }
        return pipelinePage(detail, extras: extras(detail))
    }

    /// Job run `id`'s page, with the extras `extras` gives for it (its pipeline, itself); nil when there is none.
    package func job(
        id: Int64, extras: (Pipeline, JobDetail) -> PageExtras
    ) throws(ReportError) -> HTML? {
        guard let job = try Self.read({ () throws(StoreError) in try store.history.jobDetail(id: id) }),
            let detail = try Self.read({ () throws(StoreError) in
                try store.history.pipelineDetail(id: job.job.pipelineID)
            }),
            let workflow = detail.workflows.first(where: { $0.jobs.contains { $0.job.id == id } })
        else { return nil }
        let shown = workflow.jobs.first { $0.job.id == id } ?? job
        return try jobPage(
            shown, pipeline: detail.pipeline, workflowName: workflow.workflow.name,
            extras: extras(detail.pipeline, shown))
    }

    /// The overview of project `name`, or nil.
    private func overview(named name: String) throws(ReportError) -> ProjectOverview? {
        try Self.read { () throws(StoreError) in
            guard let project = try store.projects.project(named: name) else { return nil }
            return try store.report.projectOverviews().first { $0.project.id == project.id }
        }
    }

    // MARK: Pages from what was read (the writer's too)

    /// A pipeline's page.
    func pipelinePage(_ detail: PipelineDetail, extras: PageExtras = .none) -> HTML {
        let plan = try? store.pipelines.plan(pipelineID: detail.pipeline.id)
        return PipelinePage.render(detail, plan: plan, style: style, extras: extras)
    }

    /// A job run's page: its steps' logs (cut when long), its test cases, artifacts and containers' logs.
    func jobPage(
        _ detail: JobDetail, pipeline: Pipeline, workflowName: String, extras: PageExtras = .none
    ) throws(ReportError) -> HTML {
        let job = detail.job
        var logs: [Int: LogExcerpt] = [:]
        for step in detail.steps where step.logBytes > 0 || step.status == .running {
            let source = store.logPath(jobID: job.id, step: step.index)
            var excerpt = LogExcerpt.read(path: source, limit: logLimit)
            if excerpt.tail != nil {
                excerpt.rawLink = rawLink(
                    source, copy: ReportLayout.rawLog(pipelineID: pipeline.id, jobID: job.id, step: step.index),
                    server: .jobLog(jobID: job.id))
            }
            logs[step.index] = excerpt
        }
        let cases = try Self.read { () throws(StoreError) in
            detail.tests.total > 0 ? try store.testCases.testCases(jobID: job.id) : []
        }
        let environment = store.environmentLogPath(jobID: job.id)
        let content = JobPage.Content(
            pipeline: pipeline, workflowName: workflowName, detail: detail, logs: logs, testCases: cases,
            artifacts: artifacts(of: job, pipelineID: pipeline.id),
            containerLogs: containerLogs(of: job, pipelineID: pipeline.id),
            environmentLog: FileManager.default.fileExists(atPath: environment)
                ? LogExcerpt.read(path: environment, limit: logLimit) : nil)
        return JobPage.render(content, style: style, extras: extras)
    }

    /// The whole log `source` of a cut excerpt: the report's copy `copy` (nil when it cannot be made), or the
    /// server's `server` (nil when there is none).
    private func rawLink(_ source: String, copy: String, server: PageTarget?) -> PageTarget? {
        guard let files else { return server }
        return files.mirror(source, to: copy) ? .reportFile(copy) : nil
    }

    /// The logs of job run `job`'s service containers, each cut as step logs are (the static report links a raw
    /// copy of a cut one; the API serves none).
    private func containerLogs(of job: Job, pipelineID: Int64) -> [JobPage.ContainerLog] {
        store.containerLogNames(jobID: job.id).map { name in
            let source = store.containerLogPath(jobID: job.id, name: name)
            var excerpt = LogExcerpt.read(path: source, limit: logLimit)
            if excerpt.tail != nil {
                excerpt.rawLink = rawLink(
                    source, copy: ReportLayout.rawContainerLog(pipelineID: pipelineID, jobID: job.id, name: name),
                    server: nil)
            }
            return JobPage.ContainerLog(name: name, excerpt: excerpt)
        }
    }

    /// The artifacts job run `job` stored: copied into the static report, or the API's downloads.
    private func artifacts(of job: Job, pipelineID: Int64) -> [JobPage.Artifact] {
        guard job.status.isFinal else { return [] }
        let folder = artifactsRoot + "/\(job.id)"
        guard let paths = try? FileManager.default.subpathsOfDirectory(atPath: folder) else { return [] }
        var artifacts: [JobPage.Artifact] = []
        for relative in paths.sorted() {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/" + relative),
                attributes[.type] as? FileAttributeType == .typeRegular
            else { continue }
            var link = PageTarget.artifact(jobID: job.id, path: relative)
            if let files {
                let copy = ReportLayout.artifactFolder(pipelineID: pipelineID, jobID: job.id) + "/" + relative
                guard files.mirror(folder + "/" + relative, to: copy) else { continue }
                link = .reportFile(copy)
            }
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            artifacts.append(JobPage.Artifact(path: relative, size: size, link: link))
        }
        return artifacts
    }

    /// A project's front page (`page` nil: its newest pipelines, and trends of its newest 200) or list page `page`.
    func projectPage(_ overview: ProjectOverview, page: Int?, extras: PageExtras = .none) throws(ReportError) -> HTML {
        let project = overview.project
        let listed: [Pipeline]
        var trend: [Pipeline]?
        if let page {
            let first = (page - 1) * ReportLayout.pipelinesPerPage + 1
            listed = try Self.read { () throws(StoreError) in
                try store.report.pipelines(
                    projectID: project.id, numbers: first...(first + ReportLayout.pipelinesPerPage - 1))
            }
        } else {
            let newest = try Self.read { () throws(StoreError) in
                try store.report.recentPipelines(projectID: project.id, limit: 200)
            }
            listed = Array(newest.prefix(ReportLayout.pipelinesPerPage))
            trend = newest
        }
        let content = ProjectPage.Content(
            project: project, pipelines: listed,
            workflows: try Self.read { () throws(StoreError) in
                try store.report.workflows(pipelineIDs: listed.map(\.id))
            },
            lastNumber: overview.lastNumber, trend: trend, page: page)
        return ProjectPage.render(content, style: style, extras: extras)
    }

    /// A project's tests page.
    func testsPage(_ project: Project, extras: PageExtras = .none) throws(ReportError) -> HTML {
        let insights = try Self.read { () throws(StoreError) in try store.report.testInsights(projectID: project.id) }
        return TestsPage.render(project: project, insights: insights, style: style, extras: extras)
    }

    /// Runs a store read, turning its error into a ``ReportError``.
    static func read<T>(_ body: () throws(StoreError) -> T) throws(ReportError) -> T {
        do {
            return try body()
        } catch {
            throw ReportError(.store, "Cannot read the history for the report: \(error.message)", cause: error)
        }
    }
}
