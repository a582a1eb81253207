// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

@Suite(.machineSlot) struct OpsTests {
    static func jobIDs(_ output: ProcessOutput) throws -> [Int] {
        try CLI.object(output).objects("workflows").flatMap { $0.objects("jobs") }.compactMap { $0.int("id") }
    }

    @Test func gcDeletesOldPipelinesWithTheirFilesAndTrimsCaches() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  build:
                    steps:
                      - run: mkdir -p out && echo data > out/file.txt
                      - store_artifacts: { path: out }
                      - persist_to_workspace: { root: ., paths: [out] }
                      - save_cache: { key: 'c-{{ .Revision }}-{{ epoch }}', paths: [out] }
                workflows:
                  main:
                    jobs: [build]
                """)
        defer { cli.home.remove(); repo.remove() }
        var jobs: [Int] = []
        for _ in 0..<3 {
            let run = try await cli.run(["run", repo.path, "--json"])
            #expect(run.status == 0, "\(run.stderr)")
            jobs += try Self.jobIDs(run)
            try await Task.sleep(for: .milliseconds(1_100))
        }
        #expect(jobs.count == 3)
        let home = cli.home.path
        #expect(FileManager.default.fileExists(atPath: "\(home)/logs/\(jobs[0])/0.log"))
        #expect(FileManager.default.fileExists(atPath: "\(home)/artifacts/\(jobs[0])"))

        let dry = try await cli.run(["gc", "--older-than", "0s", "--keep-last", "1", "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("would remove pipeline 1 "))
        #expect(FileManager.default.fileExists(atPath: "\(home)/logs/\(jobs[0])/0.log"))

        try cli.home.write("gc: { cache_size: 1 }\n", to: "settings.yml")
        let gc = try await cli.run(["gc", "--older-than", "0s", "--keep-last", "1", "--json"])
        #expect(gc.status == 0, "\(gc.stderr)")
        let report = try CLI.object(gc)
        #expect(report.objects("pipelines").compactMap { $0.int("id") } == [1, 2])
        #expect(report.objects("caches").count == 3)
        #expect((report.int("bytes_freed") ?? 0) > 0)
        for job in jobs.prefix(2) {
            #expect(!FileManager.default.fileExists(atPath: "\(home)/logs/\(job)"))
            #expect(!FileManager.default.fileExists(atPath: "\(home)/artifacts/\(job)"))
        }
        #expect(FileManager.default.fileExists(atPath: "\(home)/logs/\(jobs[2])/0.log"))
        // The report forgets them too: their pages are gone and the project page lists only what is left.
        #expect(!FileManager.default.fileExists(atPath: "\(home)/reports/pipelines/1"))
        #expect(FileManager.default.fileExists(atPath: "\(home)/reports/pipelines/3/index.html"))
        let projectPage = try String(contentsOfFile: "\(home)/reports/projects/1/index.html", encoding: .utf8)
        #expect(!projectPage.contains("pipelines/1/index.html") && projectPage.contains("pipelines/3/index.html"))
        let left = try JSONSerialization.jsonObject(with: Data(try await cli.run(["pipelines", "--json"]).stdout.utf8))
        #expect((left as? [[String: Any]])?.compactMap { $0.int("id") } == [3])
        #expect(try await cli.run(["cache", "list"]).stdout == "No saved caches.\n")
        let again = try await cli.run(["gc"])
        #expect(again.stdout.hasSuffix("Removed 0 pipelines, 0 caches and 0 images, 0 B freed.\n"), "\(again.stdout)")
    }

    @Test func numbersAreNotGivenAgainAfterGcRemovedEveryPipelineOfTheProject() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: "version: 2.1\njobs:\n  b:\n    steps:\n      - run: 'true'\nworkflows:\n  w:\n    jobs: [b]\n")
        defer { cli.home.remove(); repo.remove() }
        for expected in 1...2 {
            let run = try await cli.run(["run", repo.path, "--json"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(try CLI.object(run).int("number") == expected)
        }
        let gc = try await cli.run(["gc", "--older-than", "0s", "--keep-last", "0"])
        #expect(gc.status == 0, "\(gc.stderr)")
        #expect(try await cli.run(["pipelines", "--json"]).stdout == "[]\n")
        let next = try await cli.run(["run", repo.path, "--json"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try CLI.object(next).int("number") == 3)
    }

    @Test func statusAndFollowWhileAJobRuns() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  slow:
                    resource_class: small
                    steps:
                      - run: echo one; sleep 1.5; echo two
                      - run: echo three
                workflows:
                  main:
                    jobs: [slow]
                """)
        defer { cli.home.remove(); repo.remove() }
        let idle = try CLI.object(try await cli.run(["status", "--json"]))
        #expect(idle.objects("jobs").isEmpty)
        let (runner, _) = try cli.start(["run", repo.path])
        defer { if runner.isRunning { runner.terminate() } }
        var running: [String: Any]?
        for _ in 0..<100 where running == nil {
            running = try CLI.object(try await cli.run(["status", "--json"])).objects("jobs").first {
                $0.string("status") == "running"
            }
            if running == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let job = try #require(running)
        #expect(job.string("name") == "slow")
        #expect(job.string("resource_class") == "small")
        #expect((job["slot"] as? [String: Any])?.int("millicores") == 1000)
        let status = try CLI.object(try await cli.run(["status", "--json"]))
        #expect((status["in_use"] as? [String: Any])?.int("millicores") == 1000)
        #expect(status.objects("projects").count == 1)
        let text = try await cli.run(["status"]).stdout
        #expect(text.contains("\tslow\trunning\t"))

        let jobID = try #require(job.int("id"))
        let follow = try await cli.run(["logs", String(jobID), "--follow"])
        #expect(follow.status == 0)
        #expect(follow.stdout.contains("one\ntwo\n"))
        #expect(follow.stdout.hasSuffix("==> step 1: echo three\nthree\n"), "\(follow.stdout)")
        try await runner.ended()
        #expect(runner.terminationStatus == 0)
        #expect(try await cli.run(["logs", String(jobID)]).stdout.contains("one\ntwo\n"))
    }
}
