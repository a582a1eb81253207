// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore

/// The report's front page: every project, with the newest pipeline of each branch and its badge.
enum IndexPage {
    /// The page; `recent` (the server's) adds a table of the newest pipelines of every project.
    static func render(
        _ overviews: [ProjectOverview], recent: [Pipeline] = [], style: PageLinks.Style = .files,
        extras: PageExtras = .none
    ) -> HTML {
        let links = PageLinks(style: style, page: .index)
        var body: HTML = ""
        if overviews.isEmpty {
            body += "<p>No project has run a pipeline yet. Run <code>cibox run</code> in a repository.</p>\n"
        }
        for overview in overviews {
            let project = overview.project
            let projectLink = links.url(.project(id: project.id, name: project.name, page: nil))
            let testsLink = links.url(.tests(projectID: project.id, name: project.name))
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
                let pipelineLink = links.url(.pipeline(id: pipeline.id))
                let badge = links.url(.badge(projectID: project.id, name: project.name, branch: head.branch))
                body += """
                    <tr><th scope="row">\(head.branch)</th><td>\(PageShell.status(pipeline.status.rawValue))</td><td><a href="\(pipelineLink)">#\(pipeline.number)</a></td><td class="mono">\(Format.shortRevision(pipeline))</td><td>\(pipeline.trigger.rawValue)</td><td>\(Format.date(pipeline.createdAt))</td><td><img class="badge" src="\(badge)" alt="\(head.branch): \(pipeline.status.rawValue)" height="20"></td></tr>

                    """
            }
            body += "</tbody>\n</table>\n</section>\n"
        }
        body += recentTable(recent, links: links)
        return PageShell.page(
            title: "Projects", links: links, crumbs: [],
            isRunning: recent.contains { $0.status == .running || $0.status == .queued },
            extras: extras, body: body)
    }

    /// The newest pipelines of every project, when there are any to list.
    private static func recentTable(_ pipelines: [Pipeline], links: PageLinks) -> HTML {
        guard !pipelines.isEmpty else { return "" }
        let rows = pipelines.map { pipeline -> HTML in
            let ref = pipeline.branch ?? pipeline.tag.map { "tag " + $0 } ?? ""
            return """
                <tr><td><a href="\(links.url(.project(id: pipeline.projectID, name: pipeline.projectName, page: nil)))">\(pipeline.projectName)</a></td><td><a href="\(links.url(.pipeline(id: pipeline.id)))">#\(pipeline.number)</a></td><td>\(PageShell.status(pipeline.status.rawValue))</td><td>\(ref)</td><td class="mono">\(Format.shortRevision(pipeline))</td><td>\(pipeline.trigger.rawValue)</td><td>\(Format.date(pipeline.createdAt))</td></tr>
                """
        }
        return """
            <h2 id="recent">Recent pipelines</h2>
            <table>
            <thead><tr><th scope="col">Project</th><th scope="col">Pipeline</th><th scope="col">Status</th><th scope="col">Branch</th><th scope="col">Commit</th><th scope="col">Trigger</th><th scope="col">Created</th></tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>

            """
    }
}
