// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
package import CIBoxStore
import Foundation

/// Writes the static HTML report of a store: all of it, or only the pages one pipeline affects.
///
/// Lifecycle: make one per report folder; it holds no state between calls. Concurrency: calls may come from
/// any task; each page is written atomically (temporary file + rename), so concurrent writers (a daemon and a
/// `cibox run`) never leave a torn page, and the last one wins. Errors: ``ReportError``; a caller running
/// pipelines reports them as warnings and goes on.
package struct ReportWriter: Sendable {
    /// The history the pages show.
    package let store: PipelineStore
    /// Where the pages go.
    package let layout: ReportLayout
    /// How many bytes of each end of a long step log a job page shows.
    package var logLimit = 64 * 1024

    let files: SiteFiles

    /// A writer of `store`'s report into `layout`.
    /// - Parameter worldReadable: whether every user may read the report (`report: { world_readable: true }`, to serve
    ///   it); else only cibox's user.
    package init(store: PipelineStore, layout: ReportLayout, worldReadable: Bool = false) {
        self.store = store
        self.layout = layout
        self.files = SiteFiles(root: layout.root, worldReadable: worldReadable)
    }

    /// Writes every page, and removes the pages of pipelines and projects that are no longer in the store.
    /// - Returns: how many pipelines were written.
    /// - Throws: ``ReportError``.
    @discardableResult
    package func writeAll() throws(ReportError) -> Int {
        try writeAssets()
        let pipelines = try fromStore { () throws(StoreError) in try store.report.pipelineIDs() }
        for entry in pipelines {
            try writePipeline(entry.id, jobIDs: nil)
        }
        try writeProjectsAndIndex(pipelineIDs: Set(pipelines.map(\.id)))
        return pipelines.count
    }

    /// After pipelines were removed from the store (`cibox gc`, the daemon's retention): rewrites every page
    /// that listed them (each project's front, list and tests pages, its badges, the index) and removes their
    /// own pages. Does nothing where no report was written yet.
    /// - Throws: ``ReportError``.
    package func prune() throws(ReportError) {
        guard files.exists(ReportLayout.indexPage) else { return }
        let pipelines = try fromStore { () throws(StoreError) in try store.report.pipelineIDs() }
        try writeProjectsAndIndex(pipelineIDs: Set(pipelines.map(\.id)))
    }

    /// Writes every project's pages and badges and the index, then removes the pages of pipelines not in
    /// `pipelineIDs` and of projects that are gone.
    private func writeProjectsAndIndex(pipelineIDs: Set<Int64>) throws(ReportError) {
        let overviews = try fromStore { () throws(StoreError) in try store.report.projectOverviews() }
        for overview in overviews {
            try writeProject(
                overview,
                listPages: overview.lastNumber > 0
                    ? Array(1...ReportLayout.listPageNumber(pipelineNumber: overview.lastNumber)) : [])
            for head in overview.branches { try writeBadge(head, projectID: overview.project.id) }
        }
        try files.write(IndexPage.render(overviews).description, to: ReportLayout.indexPage)
        removeStale(pipelineIDs: pipelineIDs, projectIDs: Set(overviews.map(\.project.id)))
    }

    /// Rewrites the pages pipeline `pipelineID` affects: its page, the pages of `jobIDs` (all its job runs when
    /// nil), its project's front page and the list page that holds it, the project's tests page, the badge of
    /// its branch, and the index.
    /// - Throws: ``ReportError``.
    package func update(pipelineID: Int64, jobIDs: Set<Int64>? = nil) throws(ReportError) {
        if !files.exists(ReportLayout.styleSheet) { try writeAssets() }
        guard let pipeline = try writePipeline(pipelineID, jobIDs: jobIDs) else { return }
        let overviews = try fromStore { () throws(StoreError) in try store.report.projectOverviews() }
        if let overview = overviews.first(where: { $0.project.id == pipeline.projectID }) {
            var pages = [ReportLayout.listPageNumber(pipelineNumber: pipeline.number)]
            // The first pipeline of a list page gives the previous page a "newer" link.
            if pipeline.number % ReportLayout.pipelinesPerPage == 1, pages[0] > 1 { pages.append(pages[0] - 1) }
            try writeProject(overview, listPages: pages)
            if let head = overview.branches.first(where: { $0.branch == pipeline.branch }) {
                try writeBadge(head, projectID: overview.project.id)
            }
        }
        try files.write(IndexPage.render(overviews).description, to: ReportLayout.indexPage)
    }

    /// Writes the style sheet and the refresh script.
    private func writeAssets() throws(ReportError) {
        try files.write(String(decoding: PackageResources.report_css, as: UTF8.self), to: ReportLayout.styleSheet)
        try files.write(String(decoding: PackageResources.refresh_js, as: UTF8.self), to: ReportLayout.refreshScript)
    }

    /// Writes pipeline `id`'s page and the pages of `jobIDs` (all when nil).
    /// - Returns: the pipeline, or nil when it is not in the store (any more).
    @discardableResult
    private func writePipeline(_ id: Int64, jobIDs: Set<Int64>?) throws(ReportError) -> Pipeline? {
        guard let detail = try fromStore({ () throws(StoreError) in try store.history.pipelineDetail(id: id) }) else {
            return nil
        }
        let plan = try? store.pipelines.plan(pipelineID: id)
        try files.write(
            PipelinePage.render(detail, plan: plan).description, to: ReportLayout.pipelinePage(pipelineID: id))
        for workflow in detail.workflows {
            for job in workflow.jobs where jobIDs?.contains(job.job.id) ?? true {
                try writeJob(job, pipeline: detail.pipeline, workflowName: workflow.workflow.name)
            }
        }
        return detail.pipeline
    }

    /// Writes one job run's page, with links to its long logs' and its artifacts' copies.
    private func writeJob(_ detail: JobDetail, pipeline: Pipeline, workflowName: String) throws(ReportError) {
        let job = detail.job
        var logs: [Int: LogExcerpt] = [:]
        for step in detail.steps where step.logBytes > 0 || step.status == .running {
            let source = store.logPath(jobID: job.id, step: step.index)
            var excerpt = LogExcerpt.read(path: source, limit: logLimit)
            if excerpt.tail != nil {
                let raw = ReportLayout.rawLog(pipelineID: pipeline.id, jobID: job.id, step: step.index)
                if files.mirror(source, to: raw) { excerpt.rawLink = raw }
            }
            logs[step.index] = excerpt
        }
        let cases = try fromStore { () throws(StoreError) in
            detail.tests.total > 0 ? try store.testCases.testCases(jobID: job.id) : []
        }
        let content = JobPage.Content(
            pipeline: pipeline, workflowName: workflowName, detail: detail, logs: logs, testCases: cases,
            artifacts: artifacts(of: job, pipelineID: pipeline.id),
            containerLogs: containerLogs(of: job, pipelineID: pipeline.id),
            environmentLog: FileManager.default.fileExists(atPath: store.environmentLogPath(jobID: job.id))
                ? LogExcerpt.read(path: store.environmentLogPath(jobID: job.id), limit: logLimit) : nil)
        try files.write(
            JobPage.render(content).description, to: ReportLayout.jobPage(pipelineID: pipeline.id, jobID: job.id))
    }

    /// The logs of job run `job`'s service containers, each cut as step logs are (with a raw copy when it was).
    private func containerLogs(of job: Job, pipelineID: Int64) -> [JobPage.ContainerLog] {
        store.containerLogNames(jobID: job.id).map { name in
            let source = store.containerLogPath(jobID: job.id, name: name)
            var excerpt = LogExcerpt.read(path: source, limit: logLimit)
            if excerpt.tail != nil {
                let raw = ReportLayout.rawContainerLog(pipelineID: pipelineID, jobID: job.id, name: name)
                if files.mirror(source, to: raw) { excerpt.rawLink = raw }
            }
            return JobPage.ContainerLog(name: name, excerpt: excerpt)
        }
    }

    /// The artifacts job run `job` stored, each linked (or copied) into the report.
    private func artifacts(of job: Job, pipelineID: Int64) -> [JobPage.Artifact] {
        guard job.status.isFinal else { return [] }
        let folder = store.home + "/artifacts/\(job.id)"
        guard let paths = try? FileManager.default.subpathsOfDirectory(atPath: folder) else { return [] }
        var artifacts: [JobPage.Artifact] = []
        for relative in paths.sorted() {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/" + relative),
                attributes[.type] as? FileAttributeType == .typeRegular
            else { continue }
            let link = ReportLayout.artifactFolder(pipelineID: pipelineID, jobID: job.id) + "/" + relative
            guard files.mirror(folder + "/" + relative, to: link) else { continue }
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            artifacts.append(JobPage.Artifact(path: relative, size: size, link: link))
        }
        return artifacts
    }

    /// Writes a project's front page, the list pages `listPages` and its tests page.
    private func writeProject(_ overview: ProjectOverview, listPages: [Int]) throws(ReportError) {
        let project = overview.project
        let recent = try fromStore { () throws(StoreError) in
            try store.report.recentPipelines(projectID: project.id, limit: 200)
        }
        let newest = Array(recent.prefix(ReportLayout.pipelinesPerPage))
        var content = ProjectPage.Content(
            project: project, pipelines: newest,
            workflows: try fromStore { () throws(StoreError) in
                try store.report.workflows(pipelineIDs: newest.map(\.id))
            },
            lastNumber: overview.lastNumber, trend: recent, page: nil)
        try files.write(ProjectPage.render(content).description, to: ReportLayout.projectPage(projectID: project.id))
        for page in listPages {
            let first = (page - 1) * ReportLayout.pipelinesPerPage + 1
            let listed = try fromStore { () throws(StoreError) in
                try store.report.pipelines(
                    projectID: project.id, numbers: first...(first + ReportLayout.pipelinesPerPage - 1))
            }
            content.pipelines = listed
            content.workflows = try fromStore { () throws(StoreError) in
                try store.report.workflows(pipelineIDs: listed.map(\.id))
            }
            content.trend = nil
            content.page = page
            try files.write(
                ProjectPage.render(content).description,
                to: ReportLayout.projectListPage(projectID: project.id, page: page))
        }
        let insights = try fromStore { () throws(StoreError) in try store.report.testInsights(projectID: project.id) }
        try files.write(
            TestsPage.render(project: project, insights: insights).description,
            to: ReportLayout.testsPage(projectID: project.id))
    }

    private func writeBadge(_ head: BranchHead, projectID: Int64) throws(ReportError) {
        try files.write(
            Badge.svg(status: head.pipeline.status.rawValue),
            to: ReportLayout.badge(projectID: projectID, branch: head.branch))
    }

    /// Removes the folders of pipelines and projects the store no longer has (after `cibox gc`).
    private func removeStale(pipelineIDs: Set<Int64>, projectIDs: Set<Int64>) {
        for name in files.names(in: "pipelines") where Int64(name).map({ !pipelineIDs.contains($0) }) ?? false {
            files.remove("pipelines/" + name)
        }
        for name in files.names(in: "projects") where Int64(name).map({ !projectIDs.contains($0) }) ?? false {
            files.remove("projects/" + name)
        }
    }

    /// Runs a store read, turning its error into a ``ReportError``.
    private func fromStore<T>(_ body: () throws(StoreError) -> T) throws(ReportError) -> T {
        do {
            return try body()
        } catch {
            throw ReportError(.store, "Cannot read the history for the report: \(error.message)", cause: error)
        }
    }
}
