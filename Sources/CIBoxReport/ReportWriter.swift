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
    /// The pages, read from the store, linked as files.
    private var pages: ReportPages { ReportPages(store: store, files: files, logLimit: logLimit) }

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
        let pages = self.pages
        try files.write(pages.pipelinePage(detail).description, to: ReportLayout.pipelinePage(pipelineID: id))
        for workflow in detail.workflows {
            for job in workflow.jobs where jobIDs?.contains(job.job.id) ?? true {
                try files.write(
                    pages.jobPage(job, pipeline: detail.pipeline, workflowName: workflow.workflow.name).description,
                    to: ReportLayout.jobPage(pipelineID: id, jobID: job.job.id))
            }
        }
        return detail.pipeline
    }

    /// Writes a project's front page, the list pages `listPages` and its tests page.
    private func writeProject(_ overview: ProjectOverview, listPages: [Int]) throws(ReportError) {
        let project = overview.project
        let pages = self.pages
        try files.write(
            pages.projectPage(overview, page: nil).description,
            to: ReportLayout.projectPage(projectID: project.id))
        for page in listPages {
            try files.write(
                pages.projectPage(overview, page: page).description,
                to: ReportLayout.projectListPage(projectID: project.id, page: page))
        }
        try files.write(pages.testsPage(project).description, to: ReportLayout.testsPage(projectID: project.id))
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
        try ReportPages.read(body)
    }
}
