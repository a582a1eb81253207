// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation

/// A real store in a temporary folder with pipelines recorded through the store's own API.
struct StoreFixture {
    let home: TemporaryDirectory
    let store: PipelineStore
    let project: Project

    init() throws {
        home = try TemporaryDirectory(prefix: "cibox-report")
        store = try PipelineStore(home: home.path)
        project = try store.projects.project(path: "/srv/git/app.git", name: "app")
    }

    /// The plan of every fixture pipeline: `build`, then `test` with parallelism 2.
    static var plan: Plan {
        let run = { (name: String) in StepPlan(name: name, action: .run(RunAction(command: name))) }
        return Plan(
            version: "2.1",
            workflows: [
                WorkflowPlan(
                    name: "ci",
                    jobs: [
                        JobPlan(name: "build", spec: JobSpec(definitionName: "build", steps: [run("make")])),
                        JobPlan(
                            name: "test", requires: [Requirement(job: "build")],
                            spec: JobSpec(definitionName: "test", parallelism: 2, steps: [run("make test")])),
                    ])
            ])
    }

    /// Records pipeline `number` on `branch` at `revision`, finished with `status`.
    @discardableResult
    func pipeline(
        number: Int, branch: String = "main", revision: String = String(repeating: "a", count: 40),
        status: PipelineStatus = .success
    ) throws -> PipelineDetail {
        let detail = try store.pipelines.record(
            NewPipeline(
                projectID: project.id, number: number, uuid: "uuid-\(number)", revision: revision,
                treeID: String(repeating: "b", count: 40), branch: branch, tag: nil, trigger: .push, source: .commit,
                configHash: "hash", plan: Self.plan))
        let start = Date(timeIntervalSince1970: 1_795_926_700 + Double(number) * 600)
        try store.pipelines.setPipeline(detail.pipeline.id, status: .running, startedAt: start)
        for job in detail.workflows.flatMap(\.jobs) {
            let jobStatus: JobStatus = status == .success ? .success : .failed
            try store.jobs.finishJob(
                job.job.id, status: jobStatus, exitCode: jobStatus == .success ? 0 : 1,
                failureReason: jobStatus == .success ? nil : .exitCode, failureMessage: nil, startedAt: start,
                finishedAt: start.addingTimeInterval(30))
            for step in job.steps {
                try store.jobs.finishStep(
                    jobID: job.job.id, index: step.index, status: jobStatus == .success ? .success : .failed,
                    exitCode: 0, logBytes: 0, finishedAt: start.addingTimeInterval(30))
            }
        }
        try store.pipelines.setPipeline(detail.pipeline.id, status: status, finishedAt: start.addingTimeInterval(40))
        return try store.history.pipelineDetail(id: detail.pipeline.id) ?? detail
    }

    /// Writes `bytes` as step `index`'s log of job run `jobID` and records its size.
    func log(_ bytes: [UInt8], jobID: Int64, step index: Int, status: StepStatus = .failed) throws {
        try FileManager.default.createDirectory(
            atPath: store.logDirectory(jobID: jobID), withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: store.logPath(jobID: jobID, step: index)))
        try store.jobs.finishStep(
            jobID: jobID, index: index, status: status, exitCode: status == .failed ? 1 : 0,
            logBytes: Int64(bytes.count), finishedAt: Date(timeIntervalSince1970: 1_795_926_800))
    }

    /// Every file under `root`, relative, sorted.
    static func files(under root: String) -> [String] {
        let paths = (try? FileManager.default.subpathsOfDirectory(atPath: root)) ?? []
        return paths.filter { path in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isFolder)
                && !isFolder.boolValue
        }.sorted()
    }
}
