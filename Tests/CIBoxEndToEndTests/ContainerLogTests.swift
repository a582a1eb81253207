// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Testing

/// `cibox logs JOB_ID --container NAME` reads the service container logs the runner writes beside the job's step
/// logs (`$CIBOX_HOME/logs/<job id>/containers/<NAME>.log`); `cibox show` prints the image a job ran in. The tests
/// write those logs, and the image into the store, as the container runner does.
@Suite(.machineSlot) struct ContainerLogTests {
    static let oneJob = "version: 2.1\njobs:\n  b:\n    steps:\n      - run: 'true'\nworkflows:\n  w:\n    jobs: [b]\n"

    /// Writes `text` as container `name`'s log of job run `jobID`.
    static func writeLog(_ text: String, name: String, jobID: Int, home: TemporaryDirectory) throws {
        let folder = home.appending("logs/\(jobID)/containers")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/\(name).log"))
    }

    @Test func aContainersLogIsPrintedByteForByteAndMistakesSayWhatExists() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(config: Self.oneJob)
        defer { cli.home.remove(); repo.remove() }
        let run = try await cli.run(["run", repo.path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let jobID = try #require(try CLI.object(run).objects("workflows").first?.objects("jobs").first?.int("id"))
        let id = String(jobID)

        let none = try await cli.run(["logs", id, "--container", "db"])
        #expect(none.status == 2)
        #expect(
            none.stderr
                == "error: Job \(jobID) has no container logs: it ran no service containers (the 2nd and later "
                + "docker: images of a job).\n")

        try Self.writeLog(
            "LOG:  database system is ready\n\u{1B}[31mred\u{1B}[0m", name: "db", jobID: jobID, home: cli.home)
        try Self.writeLog("Ready to accept connections\n", name: "redis", jobID: jobID, home: cli.home)
        let database = try await cli.run(["logs", id, "--container", "db"])
        #expect(database.status == 0, "\(database.stderr)")
        #expect(database.stdout == "LOG:  database system is ready\n\u{1B}[31mred\u{1B}[0m")
        let followed = try await cli.run(["logs", id, "--container", "redis", "--follow"])
        #expect(followed.stdout == "Ready to accept connections\n", "a finished job's log is printed whole")

        let unknown = try await cli.run(["logs", id, "--container", "web"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "error: Job \(jobID) has no container 'web'; its containers are db, redis.\n")
        let outside = try await cli.run(["logs", id, "--container", "../0"])
        #expect(outside.stderr == "error: Job \(jobID) has no container '../0'; its containers are db, redis.\n")
        let both = try await cli.run(["logs", id, "--container", "db", "--step", "0"])
        #expect(both.status != 0)
        #expect(both.stderr.hasPrefix("Error: --step and --container cannot be used together.\n"), "\(both.stderr)")
        // Without --container, the steps' logs as before.
        #expect(try await cli.run(["logs", id]).stdout.hasPrefix("==> step 0: "))
    }

    @Test func followPrintsAContainersLogAsItIsWrittenUntilTheJobEnds() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: "version: 2.1\njobs:\n  b:\n    steps:\n      - run: sleep 600\nworkflows:\n  w:\n    jobs: [b]\n")
        defer { cli.home.remove(); repo.remove() }
        let (runner, _) = try cli.start(["run", repo.path])
        defer { if runner.isRunning { runner.terminate() } }
        var jobID: Int?
        #expect(
            try await eventually(seconds: 60) {
                jobID = try CLI.object(try await cli.run(["status", "--json"])).objects("jobs").first {
                    $0.string("status") == "running"
                }?.int("id")
                return jobID != nil
            })
        let id = try #require(jobID)
        let (follower, output) = try cli.start(["logs", String(id), "--container", "db", "--follow"])
        defer { if follower.isRunning { follower.terminate() } }
        try Self.writeLog("first\n", name: "db", jobID: id, home: cli.home)
        #expect(try await eventually(seconds: 30) { try output.contents() == Data("first\n".utf8) })
        let handle = try #require(FileHandle(forWritingAtPath: cli.home.appending("logs/\(id)/containers/db.log")))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("second\n".utf8))
        try handle.close()
        // The job ends (canceled); the follower prints what is left and ends with it.
        #expect(try await cli.run(["cancel", "1"]).status == 0)
        try await runner.ended()
        try await follower.ended()
        #expect(follower.terminationStatus == 0)
        #expect(try output.contents() == Data("first\nsecond\n".utf8))
    }

    @Test func showPrintsTheImageAJobRanIn() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(config: Self.oneJob)
        defer { cli.home.remove(); repo.remove() }
        #expect(try await cli.run(["run", repo.path]).status == 0)
        let digest = "sha256:5e7a" + String(repeating: "0", count: 60)
        do {
            // Recorded as the engine records a job run's result from a runner that ran it in an image.
            let store = try PipelineStore(home: cli.home.path)
            let job = try #require(try store.history.pipelineDetail(id: 1)?.workflows[0].jobs[0].job)
            try store.jobs.finishJob(
                job.id, status: job.status, exitCode: job.exitCode, failureReason: job.failureReason,
                failureMessage: job.failureMessage, startedAt: job.startedAt, finishedAt: job.finishedAt ?? Date(),
                resources: job.resources, resourceClass: job.resourceClass,
                image: JobImage(reference: "docker.io/library/node:20", digest: digest))
        }
        let show = try await cli.run(["show", "1"])
        #expect(
            show.stdout.contains(": success\n      image: docker.io/library/node:20 (sha256:5e7a00000000)\n"),
            "\(show.stdout)")
        let job = try #require(
            try CLI.object(try await cli.run(["show", "1", "--json"])).objects("workflows").first?.objects("jobs").first
        )
        #expect(job["image"] as? [String: String] == ["reference": "docker.io/library/node:20", "digest": digest])

        let (other, otherRepo) = (try CLI(), try await Repositories.with(config: Self.oneJob))
        defer { other.home.remove(); otherRepo.remove() }
        let host = try CLI.object(try await other.run(["run", otherRepo.path, "--json"]))
        #expect(host.objects("workflows").first?.objects("jobs").first?.isNull("image") == true)
        #expect(!(try await other.run(["show", "1"])).stdout.contains("image:"))
    }
}
