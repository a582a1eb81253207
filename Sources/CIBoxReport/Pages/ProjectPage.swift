// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel

/// A project's pipelines: the front page (newest pipelines, trends, every list page) and the list pages, each
/// holding a fixed range of pipeline numbers so that a new pipeline changes only the front page and one list
/// page.
enum ProjectPage {
    /// What a project page shows.
    struct Content {
        /// The project.
        var project: Project
        /// The pipelines listed, newest first.
        var pipelines: [Pipeline]
        /// Their workflows.
        var workflows: [Int64: [Workflow]]
        /// The highest pipeline number of the project (for the pager).
        var lastNumber: Int
        /// For the front page: the newest pipelines for the trends (newest first); nil on a list page.
        var trend: [Pipeline]?
        /// For a list page: its number.
        var page: Int?
    }

    /// The project's front page or one of its list pages.
    static func render(_ content: Content, style: PageLinks.Style = .files, extras: PageExtras = .none) -> HTML {
        let project = content.project
        let links = PageLinks(style: style, page: .project(id: project.id, name: project.name, page: content.page))
        var body: HTML = """
            <p class="muted"><span class="mono">\(project.path)</span> · <a href="\(links.url(.tests(projectID: project.id, name: project.name)))">tests</a></p>

            """
        if let trend = content.trend {
            body +=
                "<h2>Trends</h2>\n" + TrendCharts.durations(Array(trend.prefix(50)))
                + TrendCharts.successRate(trend)
            body += "<h2>Newest pipelines</h2>\n"
        }
        body += pipelineTable(content.pipelines, workflows: content.workflows, links: links)
        body += pager(content, links: links)
        var crumbs = [
            PageShell.Crumb(label: project.name, page: .project(id: project.id, name: project.name, page: nil))
        ]
        var title = project.name
        if let page = content.page {
            crumbs.append(PageShell.Crumb(label: "page \(page)", page: nil))
            title += " · pipelines \(firstNumber(page))–\(firstNumber(page) + ReportLayout.pipelinesPerPage - 1)"
        } else {
            crumbs[0].page = nil
        }
        let isRunning = content.trend != nil && content.pipelines.contains { !$0.status.isFinal }
        return PageShell.page(
            title: title, links: links, crumbs: crumbs, isRunning: isRunning, extras: extras, body: body)
    }

    private static func firstNumber(_ page: Int) -> Int {
        (page - 1) * ReportLayout.pipelinesPerPage + 1
    }

    /// The table of `pipelines`.
    static func pipelineTable(_ pipelines: [Pipeline], workflows: [Int64: [Workflow]], links: PageLinks) -> HTML {
        guard !pipelines.isEmpty else { return "<p>No pipeline here.</p>\n" }
        var rows: [HTML] = []
        for pipeline in pipelines {
            let link = links.url(.pipeline(id: pipeline.id))
            let flows = (workflows[pipeline.id] ?? []).map { workflow -> HTML in
                "\(workflow.name) \(PageShell.status(workflow.status.rawValue))"
            }
            let duration = Format.duration(from: pipeline.startedAt, to: pipeline.finishedAt) ?? "—"
            let ref = pipeline.branch ?? pipeline.tag.map { "tag " + $0 } ?? "—"
            rows.append(
                """
                <tr><td><a href="\(link)">#\(pipeline.number)</a></td><td>\(PageShell.status(pipeline.status.rawValue))</td><td>\(ref)</td><td class="mono">\(Format.shortRevision(pipeline))</td><td>\(pipeline.trigger.rawValue)</td><td>\(flows.joined(separator: "<br>"))</td><td class="number">\(duration)</td><td>\(Format.date(pipeline.createdAt))</td></tr>
                """)
        }
        return """
            <table>
            <thead><tr><th scope="col">Pipeline</th><th scope="col">Status</th><th scope="col">Branch</th><th scope="col">Commit</th><th scope="col">Trigger</th><th scope="col">Workflows</th><th scope="col" class="number">Duration</th><th scope="col">Created</th></tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>

            """
    }

    /// Links to the other list pages.
    private static func pager(_ content: Content, links: PageLinks) -> HTML {
        let (projectID, name) = (content.project.id, content.project.name)
        let lastPage = ReportLayout.listPageNumber(pipelineNumber: max(1, content.lastNumber))
        var items: [HTML] = []
        if let page = content.page {
            items.append(
                "<a href=\"\(links.url(.project(id: projectID, name: name, page: nil)))\">newest</a>"
            )
            if page < lastPage {
                let newer = links.url(.project(id: projectID, name: name, page: page + 1))
                items.append("<a href=\"\(newer)\" rel=\"prev\">newer (page \(page + 1))</a>")
            }
            if page > 1 {
                let older = links.url(.project(id: projectID, name: name, page: page - 1))
                items.append("<a href=\"\(older)\" rel=\"next\">older (page \(page - 1))</a>")
            }
        } else {
            for page in stride(from: lastPage, through: 1, by: -1) {
                let link = links.url(.project(id: projectID, name: name, page: page))
                items.append(
                    "<a href=\"\(link)\">\(firstNumber(page))–\(firstNumber(page) + ReportLayout.pipelinesPerPage - 1)</a>"
                )
            }
        }
        guard !items.isEmpty else { return "" }
        let heading: HTML = content.page == nil ? "<h2>All pipelines, by number</h2>\n" : ""
        return heading + "<nav class=\"pager\" aria-label=\"Pipeline pages\">\(items.joined(separator: " "))</nav>\n"
    }
}
