// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxModel
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct RunAsTests {
    @Test(.enabled(if: getuid() == 0, "switching users needs root"))
    func jobRunsAsNobodyAndWritesItsOwnFolder() async throws {
        let home = try TemporaryDirectory(prefix: "cibox-runas")
        defer { home.remove() }
        chmod(home.path, 0o755)
        let nobody = try #require(getpwnam("nobody"))
        let uid = nobody.pointee.pw_uid
        let gid = nobody.pointee.pw_gid
        var request = JobRunRequest(
            jobID: 9, jobName: "build", workflowID: 3, workflowName: "ci", pipelineID: 2, pipelineNumber: 1,
            projectName: "app", repositoryPath: "/srv/app", revision: String(repeating: "c", count: 40),
            branch: "main", tag: nil, nodeIndex: 0, parallelism: 1,
            spec: JobSpec(
                definitionName: "build",
                steps: [
                    StepPlan(name: "id", action: .run(RunAction(command: "id -u; id -g; id -G"))),
                    StepPlan(name: "write", action: .run(RunAction(command: "echo hi > mine.txt && cat mine.txt"))),
                ]),
            workDirectory: home.appending("work/9"), logDirectory: home.appending("logs/9"), source: FakeCheckout(),
            inheritedEnvironment: ProcessInfo.processInfo.environment, keepsWorkDirectory: true
        )
        request.runAs = (uid: uid, gid: gid)
        let result = await LocalExecutor().run(request, observer: RecordingObserver())
        let idLog = try String(contentsOfFile: home.appending("logs/9/0.log"), encoding: .utf8)
        #expect(idLog == "\(uid)\n\(gid)\n\(gid)\n")
        let writeLog = try String(contentsOfFile: home.appending("logs/9/1.log"), encoding: .utf8)
        #expect(writeLog == "hi\n")
        #expect(result.status == .success)
        var info = stat()
        #expect(stat(home.appending("work/9"), &info) == 0 && info.st_uid == uid)
    }

    @Test func usersAreLookedUpByName() {
        #expect(JobRunRequest.user(named: "root").map { [$0.uid, $0.gid] } == [0, 0])
        #expect(JobRunRequest.user(named: "no-such-user-here") == nil)
    }
}
