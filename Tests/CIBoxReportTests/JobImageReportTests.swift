// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Testing

@testable import CIBoxReport

@Suite struct JobImageReportTests {
    static let digest = "sha256:" + String(repeating: "c0", count: 32)

    /// The job page of job run `jobID` of pipeline 1 after the report was updated.
    static func page(_ fixture: StoreFixture, jobID: Int64) throws -> (String, ReportWriter) {
        let writer = ReportWriter(store: fixture.store, layout: ReportLayout(home: fixture.home.path))
        try writer.update(pipelineID: 1)
        let page = try String(
            contentsOfFile: writer.layout.path(ReportLayout.jobPage(pipelineID: 1, jobID: jobID)), encoding: .utf8)
        #expect(HTMLChecker.problems(in: page) == [])
        #expect(
            try LinkChecker.brokenLinks(
                inPage: ReportLayout.jobPage(pipelineID: 1, jobID: jobID), root: writer.layout.root) == [])
        return (page, writer)
    }

    @Test func theJobPageShowsTheImageEscaped() throws {
        let fixture = try StoreFixture()
        defer { fixture.home.remove() }
        let jobs = try fixture.pipeline(number: 1).workflows[0].jobs.map(\.job)
        let finished = Date(timeIntervalSince1970: 1_795_927_400)
        try fixture.store.jobs.finishJob(
            jobs[0].id, status: .success, exitCode: 0, failureReason: nil, failureMessage: nil, startedAt: nil,
            finishedAt: finished,
            image: JobImage(reference: "docker.io/library/node:20<b>&\"x\"", digest: Self.digest))
        let (page, _) = try Self.page(fixture, jobID: jobs[0].id)
        #expect(
            page.contains(
                "<dt>Image</dt><dd class=\"mono\">docker.io/library/node:20&lt;b&gt;&amp;&quot;x&quot;<br>\(Self.digest)</dd>"
            ))
        #expect(page.contains("<span class=\"muted\">(run in its image)</span>"))
        let (host, _) = try Self.page(fixture, jobID: jobs[1].id)
        #expect(!host.contains("<dt>Image</dt>"))
        #expect(host.contains("<span class=\"muted\">(run on this machine's shell)</span>"))
    }

    @Test func theJobPageShowsItsServiceContainersLogsEscaped() throws {
        let fixture = try StoreFixture()
        defer { fixture.home.remove() }
        let jobs = try fixture.pipeline(number: 1).workflows[0].jobs.map(\.job)
        let folder = fixture.store.containerLogDirectory(jobID: jobs[0].id)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data("ready to accept <connections> & \"more\"\n".utf8).write(
            to: URL(fileURLWithPath: folder + "/db<1>.log"))
        var long: [UInt8] = []
        for line in 0..<20_000 { long += Array("cache line \(line)\n".utf8) }
        try Data(long).write(to: URL(fileURLWithPath: folder + "/cache.log"))
        try Data("not a log".utf8).write(to: URL(fileURLWithPath: folder + "/notes.txt"))

        let (page, writer) = try Self.page(fixture, jobID: jobs[0].id)
        #expect(page.contains("<h2 id=\"containers\">Service containers</h2>"))
        #expect(page.contains("<details class=\"step\" id=\"container-db%3C1%3E\">"))
        #expect(page.contains("<span class=\"name\">db&lt;1&gt;</span>"))
        #expect(page.contains("ready to accept &lt;connections&gt; &amp; &quot;more&quot;\n"))
        #expect(!page.contains("<connections>"))
        #expect(!page.contains("not a log"))
        #expect(page.contains("cache line 0\n") && page.contains("cache line 19999\n"))
        #expect(!page.contains("cache line 10000\n"))
        let raw = ReportLayout.rawContainerLog(pipelineID: 1, jobID: jobs[0].id, name: "cache")
        #expect(raw == "pipelines/1/raw/\(jobs[0].id)-container-cache.log")
        #expect(page.contains("<a href=\"../../../\(raw)\">Full raw log</a>"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: writer.layout.path(raw))) == Data(long))
        // The container named cache comes before db<1>: sorted by name.
        let cache = try #require(page.range(of: "id=\"container-cache\""))
        let database = try #require(page.range(of: "id=\"container-db%3C1%3E\""))
        #expect(cache.lowerBound < database.lowerBound)

        let (host, _) = try Self.page(fixture, jobID: jobs[1].id)
        #expect(!host.contains("Service containers"))
    }
}
