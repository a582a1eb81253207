// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxModel
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct WorkspaceLayerTests {
    /// Persists `files` (name → contents) as a layer of job `jobID` in workflow 3.
    static func persist(_ files: [String: String], jobID: Int64, state: TemporaryDirectory) throws {
        let source = try TemporaryDirectory()
        defer { source.remove() }
        for (name, contents) in files { try source.write(contents, to: name) }
        _ = try WorkspaceStore(home: state.path).persist(
            workflowID: 3, jobID: jobID, root: source.path, names: files.keys.sorted())
    }

    @Test func layersApplyInUpstreamOrderAndLaterLayersWin() async throws {
        let state = try TemporaryDirectory()
        defer { state.remove() }
        try Self.persist(["shared.txt": "from 11", "a.txt": "a"], jobID: 11, state: state)
        try Self.persist(["shared.txt": "from 12"], jobID: 12, state: state)
        try Self.persist(["shared.txt": "from 12, second layer", "b.txt": "b"], jobID: 12, state: state)
        try Self.persist(["shared.txt": "from 13 (not upstream)"], jobID: 13, state: state)
        #expect(
            WorkspaceStore(home: state.path).layers(workflowID: 3, jobID: 12).map {
                URL(fileURLWithPath: $0).lastPathComponent
            } == [
                "12.tar.zst", "12-2.tar.zst",
            ])
        var request = JobRunRequest(
            jobID: 14, jobName: "use", workflowID: 3, workflowName: "ci", pipelineID: 1, pipelineNumber: 1,
            projectName: "app", repositoryPath: "/srv/app", revision: "c", branch: "main", tag: nil, nodeIndex: 0,
            parallelism: 1,
            spec: JobSpec(
                definitionName: "use",
                steps: [
                    StepPlan(name: "attach", action: .attachWorkspace(at: "ws")),
                    StepPlan(name: "cat", action: .run(RunAction(command: "cat ws/shared.txt ws/a.txt ws/b.txt"))),
                ]),
            workDirectory: state.appending("work/14"), logDirectory: state.appending("logs/14"),
            source: FakeCheckout(), inheritedEnvironment: ProcessInfo.processInfo.environment)
        request.stateDirectory = state.path
        request.upstreamJobIDs = [11, 12]
        let result = await LocalExecutor().run(request, observer: RecordingObserver())
        #expect(result.status == .success)
        let log = try String(contentsOfFile: state.appending("logs/14/1.log"), encoding: .utf8)
        #expect(log == "from 12, second layerab")
    }
}
