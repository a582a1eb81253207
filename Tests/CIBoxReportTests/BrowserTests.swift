// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Testing

@testable import CIBoxReport

/// Opens each page kind in headless Chromium, once for a screenshot and once for the parsed DOM: the page must
/// log nothing to the console (Chromium prints every console message and uncaught error as a `CONSOLE` line
/// with `--enable-logging=stderr`), and the DOM must hold the page's content. Screenshots are kept in a folder
/// the test prints. (That pages work with JavaScript off is checked by `HTMLChecker`: the refresh script is the
/// only script; headless Chromium cannot dump or screenshot with scripting turned off.)
@Suite(
    .enabled(if: Browser.path != nil, "chromium is not installed; scripts/install-deps.sh installs Debian's chromium"))
struct BrowserTests {
    @Test func everyPageKindRendersWithoutConsoleErrors() async throws {
        let browser = try #require(Browser.path)
        let fixture = try StoreFixture()
        defer { fixture.home.remove() }
        try fixture.pipeline(number: 1)
        let failed = try fixture.pipeline(number: 2, revision: String(repeating: "c", count: 40), status: .failed)
        let running = try fixture.store.pipelines.record(
            NewPipeline(
                projectID: fixture.project.id, number: 3, uuid: "uuid-3", revision: String(repeating: "d", count: 40),
                treeID: String(repeating: "b", count: 40), branch: "main", tag: nil, trigger: .manual, source: .commit,
                configHash: "hash", plan: StoreFixture.plan))
        try fixture.store.pipelines.setPipeline(
            running.pipeline.id, status: .running, startedAt: Date(timeIntervalSince1970: 1_795_940_000))
        let job = failed.workflows[0].jobs[0].job
        try fixture.log(
            Array("\u{1B}[1mBuilding\u{1B}[0m\n\u{1B}[31merror:\u{1B}[0m <script>alert(1)</script>\n".utf8),
            jobID: job.id,
            step: 0)
        try fixture.store.testCases.recordTestCases(
            [
                TestCase(
                    className: "CartTests", name: "testTotal", duration: 0.2, result: .failure, message: "expected 42"),
                TestCase(className: "CartTests", name: "testEmpty", duration: 1.5),
            ], jobID: job.id)
        let screenshots = try TemporaryDirectory(prefix: "cibox-report-screenshots")
        let layout = ReportLayout(root: screenshots.appending("site"))
        try ReportWriter(store: fixture.store, layout: layout).writeAll()
        print("BrowserTests: screenshots in \(screenshots.path)")
        let pages: [(kind: String, path: String, text: String)] = [
            ("index", ReportLayout.indexPage, "Projects"),
            ("project", ReportLayout.projectPage(projectID: fixture.project.id), "Newest pipelines"),
            ("list", ReportLayout.projectListPage(projectID: fixture.project.id, page: 1), "pipelines 1–50"),
            ("tests", ReportLayout.testsPage(projectID: fixture.project.id), "Flaky tests"),
            ("pipeline", ReportLayout.pipelinePage(pipelineID: failed.pipeline.id), "Workflow ci"),
            ("running", ReportLayout.pipelinePage(pipelineID: running.pipeline.id), "data-running=\"true\""),
            ("job", ReportLayout.jobPage(pipelineID: failed.pipeline.id, jobID: job.id), "&lt;script&gt;alert(1)"),
        ]
        for page in pages {
            let url = URL(fileURLWithPath: layout.path(page.path)).absoluteString
            let profile = screenshots.appending("profile-\(page.kind)")
            let shot = screenshots.appending("\(page.kind).png")
            let (logged, size) = try await Browser.screenshot(browser, url: url, file: shot, profile: profile)
            let console = Browser.consoleLines(logged.stderr)
            #expect(console.isEmpty, "\(page.kind): \(console)")
            #expect(size > 1000, "\(page.kind): no screenshot at \(shot) (chromium said: \(logged.stderr.suffix(400)))")
            let dom = try await Browser.run(
                browser, ["--enable-logging=stderr", "--v=0", "--user-data-dir=\(profile)", "--dump-dom", url])
            #expect(Browser.consoleLines(dom.stderr).isEmpty, "\(page.kind)")
            #expect(dom.stdout.contains("<main>"), "\(page.kind): the DOM has no <main>")
            #expect(dom.stdout.contains(page.text), "\(page.kind): the DOM lacks \(page.text)")
        }
    }
}
