// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// Runs look like what they are: a working-tree run, steps that never started, a step's command, CR LF output and
/// a checkout that fails.
@Suite(.machineSlot) struct RunPresentationTests {
    /// A home and a repository whose one job, `build` of workflow `w`, has `steps` (YAML lines under `steps:`).
    static func oneJob(_ steps: String) async throws -> (CLI, GitFixture) {
        let config = "version: 2.1\njobs:\n  build:\n    steps:\n\(steps)workflows:\n  w:\n    jobs: [build]\n"
        return (try CLI(), try await Repositories.with(config: config))
    }

    /// A home and a repository whose job `second` requires job `first` (`steps`: YAML lines under `steps:`).
    static func twoJobs(first: String, second: String) async throws -> (CLI, GitFixture) {
        let config =
            "version: 2.1\njobs:\n  first:\n    steps:\n\(first)  second:\n    steps:\n\(second)workflows:\n"
            + "  w:\n    jobs:\n      - first\n      - second:\n          requires: [first]\n"
        return (try CLI(), try await Repositories.with(config: config))
    }

    @Test func aWorkingTreeRunIsMarkedInTheCLIJSONAndReport() async throws {
        let (cli, repo) = try await Self.oneJob("      - run: \"true\"\n")
        defer { cli.home.remove(); repo.remove() }
        try repo.write("uncommitted\n", to: "message.txt")
        let sha = try await repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let short = String(sha.prefix(12))
        let name = URL(fileURLWithPath: repo.path).lastPathComponent
        let run = try await cli.run(["run", repo.path, "--working-tree"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stderr.hasPrefix(
                "cibox: pipeline #1 (id 1) of \(name) at working tree (uncommitted changes) on \(short) on main: "
                    + "1 workflow(s), 1 job run(s)\n"), "\(run.stderr)")
        #expect(run.stdout.hasSuffix("\npipeline #1 (id 1), working tree (uncommitted changes) on \(short): success\n"))
        let json = try CLI.object(try await cli.run(["show", "1", "--json"]))
        #expect(json.string("source") == "working-tree")
        #expect(json.string("source_text") == "working tree (uncommitted changes) on \(sha)")
        #expect(json.string("revision") == sha)
        let show = try await cli.run(["show", "1"])
        #expect(show.stdout.contains("\n  working tree (uncommitted changes) on \(sha), branch main, trigger manual\n"))
        let pipelines = try await cli.run(["pipelines"])
        #expect(pipelines.stdout.hasPrefix("1\t\(name) #1\tmain\tworking tree (uncommitted changes) on \(short)\t"))
        let page = try String(contentsOfFile: cli.home.appending("reports/pipelines/1/index.html"), encoding: .utf8)
        #expect(page.contains("<dd class=\"mono\">working tree (uncommitted changes) on \(sha)</dd>"))
        let committed = try CLI.object(try await cli.run(["run", repo.path, "--json"]))
        #expect(committed.string("source") == "commit")
        #expect(committed.string("source_text") == sha)
    }

    @Test func stepsOfAJobThatNeverRanAreNotRun() async throws {
        let (cli, repo) = try await Self.twoJobs(
            first: "      - run: exit 1\n", second: "      - run: echo one\n      - run: echo two\n")
        defer { cli.home.remove(); repo.remove() }
        let json = try CLI.object(try await cli.run(["run", repo.path, "--json"]))
        let second = try #require(
            json.objects("workflows").first?.objects("jobs").first { $0.string("name") == "second" })
        #expect(second.string("status") == "not_run")
        #expect(second.objects("steps").map { $0.string("status") } == ["not_run", "not_run"])
        let show = try await cli.run(["show", "1"])
        #expect(show.stdout.contains("    job 2 second: not_run\n      0 echo one: not_run, 0 bytes\n"))
    }

    @Test func stepsOfACanceledJobAreNotRun() async throws {
        let (cli, repo) = try await Self.twoJobs(
            first: "      - run: sleep 60\n      - run: echo after\n", second: "      - run: echo b\n")
        defer { cli.home.remove(); repo.remove() }
        let (run, _) = try cli.start(["run", repo.path])
        try await withCleanup {
            for _ in 0..<100 {
                let shown = try? CLI.object(try await cli.run(["show", "1", "--json"]))
                let job = shown?.objects("workflows").first?.objects("jobs").first
                if job?.objects("steps").first?.string("status") == "running" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let canceled = try await cli.run(["cancel", "1"])
            let shownNow = try await cli.run(["show", "1"])
            #expect(canceled.status == 0, "\(canceled.stderr) \(shownNow.stdout) \(shownNow.stderr)")
            try await run.ended()
            let json = try CLI.object(try await cli.run(["show", "1", "--json"]))
            let jobs = try #require(json.objects("workflows").first?.objects("jobs"))
            #expect(jobs.map { $0.string("status") } == ["canceled", "canceled"])
            #expect(jobs[0].objects("steps").map { $0.string("status") } == ["canceled", "not_run"])
            #expect(jobs[1].objects("steps").map { $0.string("status") } == ["not_run"], "a job canceled unstarted")
            let page = try String(
                contentsOfFile: cli.home.appending("reports/pipelines/1/jobs/2.html"), encoding: .utf8)
            #expect(!page.contains("queued"), "the report shows no step waiting for a job that ended")
        } cleanup: {
            await run.stop()
        }
    }

    @Test func aNamedRunStepEchoesItsCommandAtTheTopOfItsLog() async throws {
        let (cli, repo) = try await Self.oneJob(
            "      - run:\n          name: Greet\n          command: echo hello\n      - run: echo bare\n")
        defer { cli.home.remove(); repo.remove() }
        #expect(try await cli.run(["run", repo.path]).status == 0)
        let named = try await cli.run(["logs", "1", "--step", "0"])
        #expect(named.stdout == "#!/bin/bash -eo pipefail\necho hello\nhello\n")
        let bare = try await cli.run(["logs", "1", "--step", "1"])
        #expect(bare.stdout == "bare\n", "a step named by its command shows only its output")
    }

    @Test func crLfOutputIsALineBreakInTheSummaryAndReport() async throws {
        let (cli, repo) = try await Self.oneJob("      - run: printf 'one\\r\\ntwo\\r\\n'; exit 1\n")
        defer { cli.home.remove(); repo.remove() }
        let run = try await cli.run(["run", repo.path])
        #expect(run.status == 1)
        #expect(
            run.stdout.contains("last lines of its log (cibox logs 1 --step 0):\n    one\n    two\n"), "\(run.stdout)")
        #expect(!run.stdout.contains("^M"))
        let page = try String(contentsOfFile: cli.home.appending("reports/pipelines/1/jobs/1.html"), encoding: .utf8)
        #expect(page.contains("one\ntwo"))
        #expect(!page.contains("^M") && !page.contains("\r"))
    }

    @Test func aCheckoutThatFailsSaysTheRepositoryTheRevisionAndWhatToDo() async throws {
        let (cli, repo) = try await Self.oneJob("      - checkout\n")
        let moved = repo.path + "-moved"
        defer { cli.home.remove(); repo.remove(); try? FileManager.default.removeItem(atPath: moved) }
        let sha = try await repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await cli.run(["run", repo.path]).status == 0)
        try FileManager.default.moveItem(atPath: repo.path, toPath: moved)
        let rerun = try await cli.run(["rerun", "1"])
        #expect(rerun.status == 1)
        let log = try await cli.run(["logs", "2", "--step", "0"])
        #expect(
            log.stdout
                == "Checkout into '\(cli.home.path)/work/2/project' failed: Cannot check out commit \(sha) of the "
                + "repository '\(repo.path)': the repository cannot be opened: no git repository is there any more. "
                + "If it moved or was deleted, put it back at '\(repo.path)', or run the pipeline from its new place "
                + "(`cibox run NEW_PATH`).\n")
    }
}
