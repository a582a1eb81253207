// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import Foundation

@testable import CIBoxReport

/// Model values with fixed dates for golden pages: a project with a fan-out/fan-in workflow, a failing job
/// with parallelism, test results, artifacts and resource usage.
enum ReportFixtures {
    /// 2026-11-29 04:31:40 UTC plus `seconds`.
    static func date(_ seconds: Double) -> Date {
        Date(timeIntervalSince1970: 1_795_926_700 + seconds)
    }

    static let project = Project(id: 1, name: "app", path: "/srv/git/app.git", createdAt: date(-86_400))

    static func pipeline(number: Int, status: PipelineStatus, branch: String = "main", offset: Double = 0) -> Pipeline {
        Pipeline(
            id: Int64(number), projectID: 1, projectName: "app", number: number,
            uuid: "00000000-0000-4000-8000-\(String(format: "%012d", number))",
            revision: String(repeating: String(number % 10), count: 40), treeID: String(repeating: "a", count: 40),
            branch: branch, tag: nil, trigger: .push, source: .commit, status: status, configHash: "hash",
            createdAt: date(offset), startedAt: date(offset + 1),
            finishedAt: status.isFinal ? date(offset + 61 + Double(number % 7) * 13) : nil)
    }

    static func job(
        _ id: Int64, _ name: String, position: Int, status: JobStatus, node: Int = 0, parallelism: Int = 1,
        seconds: Double = 12
    ) -> Job {
        Job(
            id: id, workflowID: 1, pipelineID: 7, name: name, position: position, nodeIndex: node,
            parallelism: parallelism, attempt: 1, status: status, executor: "docker cimg/base:2024.01",
            resourceClass: "medium", exitCode: status == .failed ? 1 : status == .success ? 0 : nil,
            failureReason: status == .failed ? .exitCode : nil,
            failureMessage: status == .failed ? "Step 'Run tests' exited with 1." : nil,
            startedAt: status == .notRun ? nil : date(2), finishedAt: status == .notRun ? nil : date(2 + seconds),
            resources: JobResources(
                isolation: "cgroup1", cpuSeconds: 20.5, peakMemoryBytes: 3_328_599_654, oomKills: 0,
                memoryLimitBytes: 4_294_967_296, millicoresLimit: 2000))
    }

    static func step(_ job: Int64, _ index: Int, _ name: String, _ status: StepStatus, bytes: Int64 = 120) -> Step {
        Step(
            id: job * 10 + Int64(index), jobID: job, index: index, name: name, status: status,
            exitCode: status == .failed ? 1 : status == .success ? 0 : nil, logBytes: bytes,
            startedAt: date(3), finishedAt: date(4.5))
    }

    /// Pipeline #7: workflow `ci` (prepare → lint, test ×2 → package) and workflow `nightly` (one job).
    static var pipelineDetail: PipelineDetail {
        var jobs = [
            JobDetail(
                job: job(1, "prepare", position: 0, status: .success),
                steps: [step(1, 0, "Checkout code", .success), step(1, 1, "npm ci", .success)]),
            JobDetail(job: job(2, "lint", position: 1, status: .success), steps: [step(2, 0, "lint", .success)]),
            JobDetail(
                job: job(3, "test", position: 2, status: .failed, node: 0, parallelism: 2),
                steps: [step(3, 0, "Checkout code", .success), step(3, 1, "Run tests", .failed)]),
            JobDetail(
                job: job(4, "test", position: 2, status: .success, node: 1, parallelism: 2),
                steps: [step(4, 0, "Run tests", .success)]),
            JobDetail(
                job: job(5, "package-and-publish-everything", position: 3, status: .notRun),
                steps: [step(5, 0, "package", .notRun, bytes: 0)]),
        ]
        jobs[2].tests = TestCounts(total: 4, failed: 1, skipped: 1)
        let ci = WorkflowDetail(
            workflow: Workflow(
                id: 1, pipelineID: 7, name: "ci", position: 0, status: .failed, startedAt: date(1),
                finishedAt: date(40)),
            jobs: jobs)
        var nightlyJob = job(6, "report", position: 0, status: .success)
        nightlyJob.workflowID = 2
        let nightly = WorkflowDetail(
            workflow: Workflow(
                id: 2, pipelineID: 7, name: "nightly", position: 1, status: .success, startedAt: date(1),
                finishedAt: date(20)),
            jobs: [JobDetail(job: nightlyJob, steps: [step(6, 0, "report", .success)])])
        return PipelineDetail(pipeline: pipeline(number: 7, status: .failed), workflows: [ci, nightly])
    }

    static var plan: Plan {
        let spec = JobSpec(definitionName: "x", steps: [])
        return Plan(
            version: "2.1",
            workflows: [
                WorkflowPlan(
                    name: "ci",
                    jobs: [
                        JobPlan(name: "prepare", spec: spec),
                        JobPlan(name: "lint", requires: [Requirement(job: "prepare")], spec: spec),
                        JobPlan(name: "test", requires: [Requirement(job: "prepare")], spec: spec),
                        JobPlan(
                            name: "package-and-publish-everything",
                            requires: [Requirement(job: "lint"), Requirement(job: "test")], spec: spec),
                    ]),
                WorkflowPlan(name: "nightly", jobs: [JobPlan(name: "report", spec: spec)]),
            ])
    }

    static let testCases = [
        TestCase(
            className: "CartTests", name: "testTotal", file: "Tests/CartTests.swift", duration: 0.25,
            result: .failure, message: "XCTAssertEqual failed: (\"41\") is not equal to (\"42\")"),
        TestCase(className: "CartTests", name: "testSkipped", duration: 0, result: .skipped),
        TestCase(className: "CartTests", name: "testEmpty", duration: 0.01),
        TestCase(className: "PriceTests", name: "testRounding", duration: 3.5),
    ]

    /// The job page content of the failing test run.
    static var jobContent: JobPage.Content {
        let detail = pipelineDetail
        let job = detail.workflows[0].jobs[2]
        let log = Array(
            "\u{1B}[1mRunning tests\u{1B}[0m\n\u{1B}[32mok\u{1B}[0m CartTests.testEmpty\n\u{1B}[31;1mFAIL\u{1B}[0m CartTests.testTotal <expected 42>\n"
                .utf8)
        return JobPage.Content(
            pipeline: detail.pipeline, workflowName: "ci", detail: job,
            logs: [
                0: LogExcerpt(head: Array("Cloning into '/work/3/project'...\n".utf8), tail: nil, omittedBytes: 0),
                1: LogExcerpt(
                    head: log, tail: Array("\u{1B}[38;5;208mtail line\u{1B}[0m\n".utf8), omittedBytes: 2_000_000,
                    rawLink: .reportFile(ReportLayout.rawLog(pipelineID: 7, jobID: 3, step: 1))),
            ],
            testCases: testCases,
            artifacts: [
                JobPage.Artifact(
                    path: "coverage/index.html", size: 20_480,
                    link: .reportFile(ReportLayout.artifactFolder(pipelineID: 7, jobID: 3) + "/coverage/index.html"))
            ])
    }

    static var overviews: [ProjectOverview] {
        [
            ProjectOverview(
                project: project, pipelineCount: 7, lastNumber: 7,
                branches: [
                    BranchHead(
                        branch: "feature/login",
                        pipeline: pipeline(number: 6, status: .success, branch: "feature/login")),
                    BranchHead(branch: "main", pipeline: pipeline(number: 7, status: .failed)),
                ]),
            ProjectOverview(
                project: Project(id: 2, name: "empty", path: "/srv/git/empty.git", createdAt: date(0)),
                pipelineCount: 0, lastNumber: 0, branches: []),
        ]
    }

    /// 60 pipelines, newest first, for the project page and trends.
    static var history: [Pipeline] {
        (1...60).reversed().map { number in
            pipeline(number: number, status: number % 4 == 0 ? .failed : .success, offset: Double(number) * 3600)
        }
    }

    static let insights = TestInsights(
        pipelineWindow: 100,
        slowest: [
            TestStatistic(
                className: "PriceTests", name: "testRounding", runs: 60, failures: 0, averageSeconds: 3.4,
                maximumSeconds: 4.1)
        ],
        mostFailing: [
            TestStatistic(
                className: "CartTests", name: "testTotal", runs: 60, failures: 9, averageSeconds: 0.2,
                maximumSeconds: 0.3,
                lastMessage: "expected <42>")
        ],
        flaky: [
            FlakyTest(
                className: "CartTests", name: "testTotal", commits: 3, revision: String(repeating: "7", count: 40),
                passes: 1, failures: 1)
        ])
}
