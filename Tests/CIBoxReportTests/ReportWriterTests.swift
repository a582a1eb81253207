// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Synchronization
import Testing

@testable import CIBoxReport

@Suite struct ReportWriterTests {
    @Test func writeAllWritesEveryPageKindAsWellFormedHTML() throws {
        let fixture = try StoreFixture()
        defer { fixture.home.remove() }
        try fixture.pipeline(number: 1)
        let second = try fixture.pipeline(number: 2, branch: "feature/x", status: .failed)
        let layout = ReportLayout(home: fixture.home.path)
        #expect(try ReportWriter(store: fixture.store, layout: layout).writeAll() == 2)
        let files = StoreFixture.files(under: layout.root)
        let job = second.workflows[0].jobs[1].job.id
        for page in [
            "index.html", "projects/1/index.html", "projects/1/page-1.html", "projects/1/tests.html",
            "projects/1/badges/main.svg", "projects/1/badges/feature%2Fx.svg", "pipelines/2/index.html",
            "pipelines/2/jobs/\(job).html", "report.css", "refresh.js",
        ] {
            #expect(files.contains(page), "missing \(page)")
        }
        for page in files where page.hasSuffix(".html") {
            let html = try String(contentsOfFile: layout.path(page), encoding: .utf8)
            #expect(HTMLChecker.problems(in: html) == [], "\(page)")
            #expect(try LinkChecker.brokenLinks(inPage: page, root: layout.root) == [], "\(page)")
        }
        let badge = try String(contentsOfFile: layout.path("projects/1/badges/feature%2Fx.svg"), encoding: .utf8)
        #expect(badge.contains(">failing<"))
        #expect(!files.contains { $0.hasSuffix(".tmp") })
    }

    @Test func updateRewritesOnlyThePagesThePipelineAffects() throws {
        let fixture = try StoreFixture()
        defer { fixture.home.remove() }
        for number in 1...3 { try fixture.pipeline(number: number) }
        let layout = ReportLayout(home: fixture.home.path)
        let writer = ReportWriter(store: fixture.store, layout: layout)
        let job = try #require(try fixture.store.history.pipelineDetail(id: 2)?.workflows[0].jobs[0].job.id)
        try writer.update(pipelineID: 2, jobIDs: [job])
        #expect(
            StoreFixture.files(under: layout.root) == [
                "index.html", "pipelines/2/index.html", "pipelines/2/jobs/\(job).html", "projects/1/badges/main.svg",
                "projects/1/index.html", "projects/1/page-1.html", "projects/1/tests.html", "refresh.js", "report.css",
            ])
        try writer.update(pipelineID: 99)
        #expect(!FileManager.default.fileExists(atPath: layout.path("pipelines/99/index.html")))
    }

    @Test func jobOutputIsEscapedIntoValidHTML() throws {
        let fixture = try StoreFixture()
        defer { fixture.home.remove() }
        let detail = try fixture.pipeline(number: 1, status: .failed)
        let job = detail.workflows[0].jobs[0].job
        var output = Array("<script>alert(1)</script>\n\u{1B}[31;1mred bold\u{1B}[0m \u{1B}[2Kdone\n".utf8)
        output += [0x00, 0x41, 0x00, 0xFF, 0xFE, 0xC3, 0x28, 0x0A]
        output += Array(
            "\"quoted\" & 'single' \u{1B}]0;title\u{07}</pre></code></details><img src=x onerror=alert(2)>\n".utf8)
        try fixture.log(output, jobID: job.id, step: 0)
        let writer = ReportWriter(store: fixture.store, layout: ReportLayout(home: fixture.home.path))
        try writer.update(pipelineID: detail.pipeline.id)
        let page = try String(
            contentsOfFile: writer.layout.path(ReportLayout.jobPage(pipelineID: detail.pipeline.id, jobID: job.id)),
            encoding: .utf8)
        #expect(HTMLChecker.problems(in: page) == [])
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!page.contains("<script>alert"))
        #expect(!page.contains("<img src=x"))
        #expect(page.contains("&lt;/pre&gt;&lt;/code&gt;&lt;/details&gt;&lt;img src=x onerror=alert(2)&gt;"))
        #expect(page.contains("<span class=\"b fg1\">red bold</span> done"))
        #expect(page.contains("\u{2400}A\u{2400}\u{FFFD}\u{FFFD}\u{FFFD}("))
        #expect(page.contains("&quot;quoted&quot; &amp; &#39;single&#39; &lt;/pre&gt;"))
        #expect(!page.contains("\u{1B}"))
        #expect(page.contains("<details class=\"step\" id=\"step-0\" open>"))
    }

    @Test func aHugeLogShowsItsEndsAndLinksItsRawCopy() throws {
        let fixture = try StoreFixture()
        defer { fixture.home.remove() }
        let detail = try fixture.pipeline(number: 1)
        let job = detail.workflows[0].jobs[0].job
        var output: [UInt8] = []
        for line in 0..<20_000 { output += Array("line \(line) of the build output\n".utf8) }
        try fixture.log(output, jobID: job.id, step: 0, status: .success)
        let writer = ReportWriter(store: fixture.store, layout: ReportLayout(home: fixture.home.path))
        try writer.update(pipelineID: 1)
        let page = try String(
            contentsOfFile: writer.layout.path(ReportLayout.jobPage(pipelineID: 1, jobID: job.id)), encoding: .utf8)
        #expect(page.contains("line 0 of the build output\n"))
        #expect(page.contains("line 19999 of the build output\n"))
        #expect(!page.contains("line 10000 of"))
        #expect(page.contains("left out here. <a href=\"../../../pipelines/1/raw/\(job.id)-0.log\">Full raw log</a>"))
        let raw = try Data(
            contentsOf: URL(
                fileURLWithPath: writer.layout.path(ReportLayout.rawLog(pipelineID: 1, jobID: job.id, step: 0))))
        #expect(raw == Data(output))
        #expect(page.utf8.count < 200_000)
    }

    @Test func artifactsAreLinkedIntoTheReport() throws {
        let fixture = try StoreFixture()
        defer { fixture.home.remove() }
        let detail = try fixture.pipeline(number: 1)
        let job = detail.workflows[0].jobs[0].job
        try fixture.home.write("<html>coverage</html>", to: "artifacts/\(job.id)/coverage/index #1.html")
        let writer = ReportWriter(store: fixture.store, layout: ReportLayout(home: fixture.home.path))
        try writer.update(pipelineID: 1)
        let page = try String(
            contentsOfFile: writer.layout.path(ReportLayout.jobPage(pipelineID: 1, jobID: job.id)), encoding: .utf8)
        #expect(
            page.contains(
                "<a href=\"../../../pipelines/1/artifacts/\(job.id)/coverage/index%20%231.html\">coverage/index #1.html</a>"
            ))
        let copy = writer.layout.path(
            ReportLayout.artifactFolder(pipelineID: 1, jobID: job.id) + "/coverage/index #1.html")
        #expect(try String(contentsOfFile: copy, encoding: .utf8) == "<html>coverage</html>")
    }

    @Test func writeAllRemovesThePagesOfDeletedPipelines() throws {
        let fixture = try StoreFixture()
        defer { fixture.home.remove() }
        try fixture.pipeline(number: 1)
        try fixture.pipeline(number: 2)
        let writer = ReportWriter(store: fixture.store, layout: ReportLayout(home: fixture.home.path))
        try writer.writeAll()
        #expect(FileManager.default.fileExists(atPath: writer.layout.path("pipelines/1/index.html")))
        try fixture.store.retention.deletePipelines(ids: [1])
        try writer.writeAll()
        #expect(!FileManager.default.fileExists(atPath: writer.layout.path("pipelines/1")))
        #expect(FileManager.default.fileExists(atPath: writer.layout.path("pipelines/2/index.html")))
    }

    @Test func pruneRemovesDeletedPipelinesFromEveryPageThatListedThem() throws {
        let fixture = try StoreFixture()
        defer { fixture.home.remove() }
        let writer = ReportWriter(store: fixture.store, layout: ReportLayout(home: fixture.home.path))
        try writer.prune()
        #expect(!FileManager.default.fileExists(atPath: writer.layout.path(ReportLayout.indexPage)))

        try fixture.pipeline(number: 1)
        try fixture.pipeline(number: 2)
        try writer.writeAll()
        let front = writer.layout.path(ReportLayout.projectPage(projectID: 1))
        let list = writer.layout.path(ReportLayout.projectListPage(projectID: 1, page: 1))
        #expect(try String(contentsOfFile: list, encoding: .utf8).contains("pipelines/1/index.html"))
        try fixture.store.retention.deletePipelines(ids: [1])
        try writer.prune()
        #expect(!FileManager.default.fileExists(atPath: writer.layout.path("pipelines/1")))
        #expect(FileManager.default.fileExists(atPath: writer.layout.path("pipelines/2/index.html")))
        for page in [front, list] {
            let text = try String(contentsOfFile: page, encoding: .utf8)
            #expect(!text.contains("pipelines/1/index.html"), "\(page) still links the removed pipeline")
            #expect(text.contains("pipelines/2/index.html"), "\(page) lost the pipeline that stays")
        }
    }

    @Test func theUpdaterWritesRequestedPagesAndWarnsOnceWhenItCannot() async throws {
        let fixture = try StoreFixture()
        defer { fixture.home.remove() }
        try fixture.pipeline(number: 1)
        let warnings = Mutex<[String]>([])
        let updater = ReportUpdater(
            writer: ReportWriter(store: fixture.store, layout: ReportLayout(home: fixture.home.path)),
            warn: { message in warnings.withLock { $0.append(message) } })
        updater.request(pipelineID: 1)
        await updater.flush()
        #expect(FileManager.default.fileExists(atPath: fixture.home.appending("reports/pipelines/1/index.html")))
        #expect(warnings.withLock { $0 } == [])

        try fixture.home.write("not a folder", to: "blocked")
        let broken = ReportUpdater(
            writer: ReportWriter(store: fixture.store, layout: ReportLayout(root: fixture.home.appending("blocked"))),
            warn: { message in warnings.withLock { $0.append(message) } })
        broken.request(pipelineID: 1)
        await broken.flush()
        broken.request(pipelineID: 1, jobID: 1)
        await broken.flush()
        let said = warnings.withLock { $0 }
        #expect(said.count == 1)
        #expect(
            said.first?.hasPrefix("the HTML report could not be updated (the pipeline goes on): Cannot write") == true)
    }
}
