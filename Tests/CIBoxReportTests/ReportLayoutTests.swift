// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import Testing

@testable import CIBoxReport

@Suite struct ReportLayoutTests {
    @Test func pagesHaveTheDocumentedPaths() {
        #expect(ReportLayout.indexPage == "index.html")
        #expect(ReportLayout.projectPage(projectID: 3) == "projects/3/index.html")
        #expect(ReportLayout.projectListPage(projectID: 3, page: 2) == "projects/3/page-2.html")
        #expect(ReportLayout.testsPage(projectID: 3) == "projects/3/tests.html")
        #expect(ReportLayout.badge(projectID: 3, branch: "feature/login") == "projects/3/badges/feature%2Flogin.svg")
        #expect(ReportLayout.pipelinePage(pipelineID: 12) == "pipelines/12/index.html")
        #expect(ReportLayout.jobPage(pipelineID: 12, jobID: 34) == "pipelines/12/jobs/34.html")
        #expect(
            ReportLayout(home: "/var/lib/cibox").path(ReportLayout.jobPage(pipelineID: 1, jobID: 2))
                == "/var/lib/cibox/reports/pipelines/1/jobs/2.html")
    }

    @Test func listPagesHoldFixedRangesOfNumbers() {
        #expect(ReportLayout.listPageNumber(pipelineNumber: 1) == 1)
        #expect(ReportLayout.listPageNumber(pipelineNumber: 50) == 1)
        #expect(ReportLayout.listPageNumber(pipelineNumber: 51) == 2)
    }

    @Test(arguments: ["main", "feature/login", "../../etc", ".hidden", "a b%c", "ünï/😀", "release-1.2_x"])
    func branchFileNamesAreSafeAndReversible(_ branch: String) {
        let name = ReportLayout.fileSafe(branch)
        #expect(!name.contains("/"))
        #expect(!name.hasPrefix("."))
        #expect(name.removingPercentEncoding == branch)
    }

    @Test func linksAreRelativeAndPercentEncoded() {
        let from = ReportLayout.jobPage(pipelineID: 1, jobID: 2)
        #expect(ReportLayout.link(from: from, to: "index.html") == "../../../index.html")
        #expect(
            ReportLayout.link(from: "index.html", to: "projects/1/badges/a%2Fb.svg") == "projects/1/badges/a%252Fb.svg")
        #expect(ReportLayout.link(from: "index.html", to: "x/a b#c.txt") == "x/a%20b%23c.txt")
    }
}
