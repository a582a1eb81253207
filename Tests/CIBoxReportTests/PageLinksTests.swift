// cibox — CI in a box. MIT licence, see LICENSE.

import Testing

@testable import CIBoxReport

@Suite struct PageLinksTests {
    @Test func theServerLinksItsOwnPathsWithNamesAsOneSegment() {
        let links = PageLinks(style: .server, page: .pipeline(id: 3))
        #expect(links.url(.index) == "/")
        #expect(links.url(.pipeline(id: 12)) == "/pipelines/12")
        #expect(links.url(.job(pipelineID: 12, jobID: 40)) == "/jobs/40")
        #expect(links.url(.project(id: 1, name: "my app/x", page: nil)) == "/projects/my%20app%2Fx")
        #expect(links.url(.project(id: 1, name: "..", page: 2)) == "/projects/%2E%2E?page=2")
        #expect(links.url(.tests(projectID: 1, name: "é")) == "/projects/%C3%A9/tests")
        #expect(
            links.url(.badge(projectID: 1, name: "app", branch: "feature/a&b"))
                == "/projects/app/badge.svg?branch=feature%2Fa%26b")
        #expect(links.url(.jobLog(jobID: 40)) == "/api/v1/jobs/40/log")
        #expect(links.url(.artifact(jobID: 40, path: "out/a b#1.txt")) == "/api/v1/jobs/40/artifacts/out/a%20b%231.txt")
        #expect(links.url(.styleSheet) == "/assets/report.css" && links.url(.script) == "/assets/live.js")
    }

    @Test func theStaticReportLinksItsFilesRelativeToThePage() {
        let links = PageLinks(style: .files, page: .job(pipelineID: 12, jobID: 40))
        #expect(links.url(.index) == "../../../index.html")
        #expect(links.url(.pipeline(id: 12)) == "../../../pipelines/12/index.html")
        #expect(links.url(.project(id: 1, name: "app", page: 2)) == "../../../projects/1/page-2.html")
        #expect(links.url(.styleSheet) == "../../../report.css" && links.url(.script) == "../../../refresh.js")
        #expect(links.url(.reportFile("pipelines/12/raw/40-1.log")) == "../../../pipelines/12/raw/40-1.log")
    }

    @Test func onlyTheNamedAssetsExist() {
        #expect(PageAssets.named("report.css")?.contentType == "text/css; charset=utf-8")
        #expect(PageAssets.named("live.js")?.contentType == "text/javascript; charset=utf-8")
        for name in ["refresh.js", "../report.css", "report.css/", "", "README.md"] {
            #expect(PageAssets.named(name) == nil, "\(name)")
        }
    }
}
