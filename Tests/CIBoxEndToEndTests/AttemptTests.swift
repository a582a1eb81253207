// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

@Suite(.serialized, .machineSlot) struct AttemptTests {
    @Test func approvalHoldsTheWorkflowUntilApproved() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  build:
                    steps: [{run: echo built}]
                  deploy:
                    steps: [{run: echo deployed}]
                workflows:
                  release:
                    jobs:
                      - build
                      - hold:
                          type: approval
                          requires: [build]
                      - deploy:
                          requires: [hold]
                """
        )
        defer { cli.home.remove(); repo.remove() }
        let held = try await cli.run(["run", repo.path, "--json"])
        #expect(held.status == 1)
        let pipeline = try CLI.object(held)
        #expect(pipeline.string("status") == "on_hold")
        #expect(pipeline.objects("workflows")[0].string("status") == "on_hold")
        #expect(
            pipeline.objects("workflows")[0].objects("jobs").map { $0.string("status") } == [
                "success", "on_hold", "blocked",
            ])
        #expect(held.stderr.contains("waiting for approval: cibox approve 1 hold\n"))
        let wrong = try await cli.run(["approve", "1", "deploy"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr == "error: Pipeline 1 has no job 'deploy' waiting for approval; waiting: 'hold'.\n")
        let approved = try await cli.run(["approve", "1", "hold", "--json"])
        #expect(approved.status == 0, "\(approved.stderr)")
        let after = try CLI.object(approved)
        #expect(after.string("status") == "success")
        #expect(
            after.objects("workflows")[0].objects("jobs").map { $0.string("status") } == [
                "success", "success", "success",
            ])
    }

    @Test func rerunOfFailedJobsKeepsWhatPassedAndCountsAttempts() async throws {
        let cli = try CLI()
        // Outside /tmp: each job has a /tmp of its own.
        let marker = "/var/tmp/cibox-rerun-\(UUID().uuidString)"
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  a:
                    steps:
                      - run: mkdir -p ws && echo from-a > ws/a.txt
                      - persist_to_workspace: {root: ws, paths: [a.txt]}
                  b:
                    steps: [{run: "if [ -f \(marker) ]; then echo ok; else touch \(marker); exit 1; fi"}]
                  c:
                    steps:
                      - attach_workspace: {at: ws}
                      - run: cat ws/a.txt
                workflows:
                  w:
                    jobs:
                      - a
                      - b: {requires: [a]}
                      - c: {requires: [b]}
                """
        )
        defer { cli.home.remove(); repo.remove(); try? FileManager.default.removeItem(atPath: marker) }
        let first = try CLI.object(try await cli.run(["run", repo.path, "--json"]))
        #expect(
            first.objects("workflows")[0].objects("jobs").map { $0.string("status") } == [
                "success", "failed", "not_run",
            ])
        let rerun = try await cli.run(["rerun", "1", "--failed", "--json"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let second = try CLI.object(rerun)
        #expect(second.int("number") == 2)
        #expect(second.string("trigger") == "rerun")
        let jobs = second.objects("workflows")[0].objects("jobs")
        #expect(jobs.map { $0.string("status") } == ["success", "success", "success"])
        #expect(jobs.map { $0.int("attempt") } == [1, 2, 2])
        #expect(jobs[0].objects("steps").map { $0.string("status") } == ["not_run", "not_run"])
        // The kept job's workspace layer comes along: c still sees what a persisted.
        #expect(try await cli.run(["logs", String(jobs[2].int("id") ?? 0), "--step", "1"]).stdout == "from-a\n")
        let nothing = try await cli.run(["rerun", "2", "--failed"])
        #expect(nothing.status == 2)
        #expect(nothing.stderr == "error: Nothing failed in pipeline 2; run it again without --failed.\n")
        let all = try CLI.object(try await cli.run(["rerun", "2", "--json"]))
        #expect(all.objects("workflows")[0].objects("jobs").map { $0.int("attempt") } == [2, 3, 3])
        // History keeps every attempt.
        #expect(try await cli.run(["show", "1", "--json"]).stdout.contains("\"failed\""))
    }
}
