// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore

/// A project's tests over its newest pipelines: slowest, most failing, and flaky (passed and failed on the
/// same commit).
enum TestsPage {
    /// The page.
    static func render(
        project: Project, insights: TestInsights, style: PageLinks.Style = .files, extras: PageExtras = .none
    ) -> HTML {
        let links = PageLinks(style: style, page: .tests(projectID: project.id, name: project.name))
        var body: HTML = """
            <p>From the test results (<code>store_test_results</code>) of the newest \(insights.pipelineWindow) pipelines.</p>
            <h2 id="flaky">Flaky tests</h2>
            <p class="muted">A test is flaky when it both passed and failed on the same commit.</p>

            """
        if insights.flaky.isEmpty {
            body += "<p>None.</p>\n"
        } else {
            let rows = insights.flaky.map { test -> HTML in
                """
                <tr><td>\(name(test.className, test.name))</td><td class="number">\(test.commits)</td><td class="mono">\(Format.shortRevision(test.revision))</td><td class="number">\(test.passes)</td><td class="number">\(test.failures)</td></tr>
                """
            }
            body += """
                <table>
                <thead><tr><th scope="col">Test</th><th scope="col" class="number">Commits</th><th scope="col">Newest commit</th><th scope="col" class="number">Passed there</th><th scope="col" class="number">Failed there</th></tr></thead>
                <tbody>
                \(rows.joined(separator: "\n"))
                </tbody>
                </table>

                """
        }
        body += "<h2 id=\"failing\">Most failing tests</h2>\n"
        body += statisticTable(insights.mostFailing, showsMessage: true)
        body += "<h2 id=\"slowest\">Slowest tests</h2>\n"
        body += statisticTable(insights.slowest, showsMessage: false)
        return PageShell.page(
            title: "Tests of \(project.name)", links: links,
            crumbs: [
                PageShell.Crumb(label: project.name, page: .project(id: project.id, name: project.name, page: nil)),
                PageShell.Crumb(label: "tests", page: nil),
            ], extras: extras, body: body)
    }

    /// A test's display name: `Class.name`, or the name alone.
    static func name(_ className: String, _ name: String) -> HTML {
        className.isEmpty ? "<code>\(name)</code>" : "<code>\(className).\(name)</code>"
    }

    private static func statisticTable(_ statistics: [TestStatistic], showsMessage: Bool) -> HTML {
        guard !statistics.isEmpty else { return "<p>None.</p>\n" }
        let rows = statistics.map { test -> HTML in
            let message: HTML = test.lastMessage.map { "<pre>\($0)</pre>" } ?? ""
            let last: HTML = showsMessage ? "<td>\(message)</td>" : ""
            return """
                <tr><td>\(name(test.className, test.name))</td><td class="number">\(test.runs)</td><td class="number">\(test.failures)</td><td class="number">\(Format.seconds(test.averageSeconds))</td><td class="number">\(Format.seconds(test.maximumSeconds))</td>\(last)</tr>
                """
        }
        let lastHeader: HTML = showsMessage ? "<th scope=\"col\">Newest failure</th>" : ""
        return """
            <table>
            <thead><tr><th scope="col">Test</th><th scope="col" class="number">Runs</th><th scope="col" class="number">Failures</th><th scope="col" class="number">Mean</th><th scope="col" class="number">Longest</th>\(lastHeader)</tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>

            """
    }
}
