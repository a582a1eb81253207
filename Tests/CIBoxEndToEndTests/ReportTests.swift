// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// The HTML report, through the real `cibox`: kept up to date by `cibox run`, written whole by `cibox report`,
/// and turned off by `report: false`.
@Suite(.serialized, .machineSlot) struct ReportTests {
    static let config = """
        version: 2.1
        jobs:
          build:
            steps:
              - checkout
              - run: printf '<script>alert(1)</script>\\n\\033[1;32mbuilt\\033[0m\\n'
              - run: mkdir -p out && echo '<testsuite><testcase classname="T" name="ok"/><testcase classname="T" name="bad"><failure message="nope"/></testcase></testsuite>' > out/junit.xml
              - store_test_results: { path: out }
              - store_artifacts: { path: out/junit.xml, destination: junit.xml }
          test:
            steps:
              - run: printf 'boom\\000 \\377\\n' && exit 3
        workflows:
          ci:
            jobs: [build, { test: { requires: [build] } }]
        """

    static func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func runKeepsTheReportUpToDateAndReportWritesItWhole() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(config: Self.config)
        defer { cli.home.remove(); repo.remove() }
        let run = try await cli.run(["run", repo.path, "--json"])
        #expect(run.status == 1, "\(run.stderr)")
        let pipeline = try CLI.object(run)
        let pipelineID = try #require(pipeline.int("id"))
        let jobs = pipeline.objects("workflows").first?.objects("jobs") ?? []
        let buildID = try #require(jobs.first?.int("id"))
        let testID = try #require(jobs.last?.int("id"))
        let reports = cli.home.appending("reports")

        let index = try Self.read(reports + "/index.html")
        #expect(index.contains("href=\"pipelines/\(pipelineID)/index.html\">#1</a>"))
        #expect(index.contains("<img class=\"badge\" src=\"projects/1/badges/main.svg\""))
        #expect(try Self.read(reports + "/projects/1/badges/main.svg").contains(">failing<"))
        let pipelinePage = try Self.read(reports + "/pipelines/\(pipelineID)/index.html")
        #expect(pipelinePage.contains("<svg class=\"dag\""))
        #expect(pipelinePage.contains("href=\"../../pipelines/\(pipelineID)/jobs/\(testID).html\""))
        let build = try Self.read(reports + "/pipelines/\(pipelineID)/jobs/\(buildID).html")
        #expect(build.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(build.contains("<span class=\"b fg2\">built</span>"))
        #expect(build.contains("<code>T.bad</code>"))
        #expect(build.contains("junit.xml</a>"))
        #expect(
            FileManager.default.fileExists(atPath: reports + "/pipelines/\(pipelineID)/artifacts/\(buildID)/junit.xml"))
        let test = try Self.read(reports + "/pipelines/\(pipelineID)/jobs/\(testID).html")
        #expect(test.contains("boom\u{2400} \u{FFFD}"))
        #expect(test.contains("<details class=\"step\" id=\"step-0\" open>"))
        #expect(try Self.read(reports + "/projects/1/tests.html").contains("<code>T.bad</code>"))

        let out = cli.home.appending("elsewhere")
        let report = try await cli.run(["report", "--out", out])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout == out + "/index.html\n")
        for page in [
            "index.html", "report.css", "projects/1/index.html", "projects/1/page-1.html", "projects/1/tests.html",
            "pipelines/\(pipelineID)/index.html", "pipelines/\(pipelineID)/jobs/\(buildID).html",
        ] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + page), "missing \(page)")
        }
    }

    @Test func reportFalseInSettingsLeavesTheReportAlone() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(config: Self.config)
        defer { cli.home.remove(); repo.remove() }
        try cli.home.write("report: false\n", to: "settings.yml")
        let run = try await cli.run(["run", repo.path])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.home.appending("reports")))
        #expect(!run.stderr.contains("report"))
    }

    @Test func aReportThatCannotBeWrittenIsAWarningNotAFailure() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: "version: 2.1\njobs:\n  ok:\n    steps:\n      - run: \"true\"\nworkflows:\n  w:\n    jobs: [ok]\n")
        defer { cli.home.remove(); repo.remove() }
        try cli.home.write("a file where the report folder would be\n", to: "reports")
        let run = try await cli.run(["run", repo.path])
        #expect(run.status == 0, "\(run.stderr)")
        let warnings = run.stderr.split(separator: "\n").filter { $0.contains("the HTML report could not be updated") }
        #expect(warnings.count == 1, "\(run.stderr)")
    }
}
