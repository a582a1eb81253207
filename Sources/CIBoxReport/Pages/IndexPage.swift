// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore

/// The report's front page: every project, with the newest pipeline of each branch and its badge.
enum IndexPage {
    /// The page.
    static func render(_ overviews: [ProjectOverview]) -> HTML {
        let path = ReportLayout.indexPage
        var body: HTML = ""
        if overviews.isEmpty {
            body += "<p>No project has run a pipeline yet. Run <code>cibox run</code> in a repository.</p>\n"
        }
        for overview in overviews {
            let project = overview.project
            let projectLink = ReportLayout.link(from: path, to: ReportLayout.projectPage(projectID: project.id))
            let testsLink = ReportLayout.link(from: path, to: ReportLayout.testsPage(projectID: project.id))
            body += """
                <section aria-labelledby="project-\(project.id)">
                <h2 id="project-\(project.id)"><a href="\(projectLink)">\(project.name)</a></h2>
                <p class="muted"><span class="mono">\(project.path)</span> · \(overview.pipelineCount) pipeline(s) · <a href="\(testsLink)">tests</a></p>

                """
            guard !overview.branches.isEmpty else {
                body += "<p>No pipeline on a branch yet.</p>\n</section>\n"
                continue
            }
            body += """
                <table>
                <thead><tr><th scope="col">Branch</th><th scope="col">Status</th><th scope="col">Pipeline</th><th scope="col">Commit</th><th scope="col">Trigger</th><th scope="col">Created</th><th scope="col">Badge</th></tr></thead>
                <tbody>

                """
            for head in overview.branches {
                let pipeline = head.pipeline
                let pipelineLink = ReportLayout.link(from: path, to: ReportLayout.pipelinePage(pipelineID: pipeline.id))
                let badge = ReportLayout.link(
                    from: path, to: ReportLayout.badge(projectID: project.id, branch: head.branch))
                body += """
                    <tr><th scope="row">\(head.branch)</th><td>\(PageShell.status(pipeline.status.rawValue))</td><td><a href="\(pipelineLink)">#\(pipeline.number)</a></td><td class="mono">\(Format.shortRevision(pipeline))</td><td>\(pipeline.trigger.rawValue)</td><td>\(Format.date(pipeline.createdAt))</td><td><img class="badge" src="\(badge)" alt="\(head.branch): \(pipeline.status.rawValue)" height="20"></td></tr>

                    """
            }
            body += "</tbody>\n</table>\n</section>\n"
        }
        return PageShell.page(title: "Projects", path: path, crumbs: [], body: body)
    }
}
