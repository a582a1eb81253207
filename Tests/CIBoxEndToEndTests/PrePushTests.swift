// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// A work repository with a bare remote, and the pre-push hook installed by the built `cibox`.
struct PushFixture {
    let cli: CLI
    let work: GitFixture
    let remote: GitFixture

    /// A config whose only job runs `check.sh`.
    static let config = """
        version: 2.1
        jobs:
          check:
            docker: [{image: cimg/base:stable}]
            steps:
              - checkout
              - run: sh check.sh
        workflows:
          main:
            jobs: [check]
        """

    /// A work repository committing `check.sh` with `script`, a bare remote as `origin`; the hook is installed
    /// unless `install` is false.
    init(script: String, install: Bool = true, config: String = PushFixture.config) async throws {
        cli = try CLI()
        remote = try await GitFixture(bare: true)
        work = try await GitFixture()
        try work.write(config, to: ".circleci/config.yml")
        try work.write(script, to: "check.sh")
        try await work.commitAll("first")
        try await work.git(["remote", "add", "origin", remote.path])
        if install {
            let output = try await cli.run(["hook", "install", work.path])
            #expect(output.status == 0, "\(output.stderr)")
        }
    }

    /// `git push ARGUMENTS` in the work repository, as a developer runs it.
    func push(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessOutput {
        try await ProcessRunner.run("/usr/bin/git", ["push"] + arguments, in: work.path, environment: environment)
    }

    /// The sha of `ref` on the remote, or nil when it has no such ref.
    func remoteSHA(_ ref: String) async -> String? {
        let output = try? await ProcessRunner.run(
            "/usr/bin/git", ["rev-parse", "--verify", "-q", ref], in: remote.path)
        guard let output, output.status == 0 else { return nil }
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// How many pipelines cibox recorded.
    func pipelineCount() async throws -> Int {
        let output = try await cli.run(["pipelines", "--json"])
        return (try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [Any])?.count ?? -1
    }

    /// What a developer has in flight: every file of the work tree, the index, HEAD, the branch and the stash.
    func developerState() async throws -> [String: String] {
        let kept: Set<String> = [
            ".git/index", ".git/HEAD", ".git/refs/heads/main", ".git/refs/stash", ".git/logs/refs/stash",
        ]
        var state = try Snapshot.take(work.path).entries.filter { !$0.key.hasPrefix(".git/") || kept.contains($0.key) }
        state["stash list"] = try await work.git(["stash", "list", "--format=%H %s"])
        return state
    }

    /// Leaves a stash, a staged file, a modified file and an untracked file behind.
    func makeWorkInProgress() async throws {
        try work.write("stashed change\n", to: "check.sh.orig")
        try await work.git(["stash", "push", "--include-untracked", "-q"])
        try work.write("staged\n", to: "staged.txt")
        try await work.git(["add", "staged.txt"])
        try work.write("not yet staged\n", to: "notes.txt")
        try await work.git(["add", "notes.txt"])
        try work.write("changed after staging\n", to: "notes.txt")
        try work.write("untracked\n", to: "untracked.txt")
    }

    func remove() {
        cli.home.remove()
        work.remove()
        remote.remove()
    }
}

@Suite(.machineSlot) struct PrePushTests {
    @Test func aPassingPushGoesThroughAndTheSameTreeIsVerifiedWithoutRunning() async throws {
        let fixture = try await PushFixture(script: "echo all good\n")
        defer { fixture.remove() }
        let first = try await fixture.push(["origin", "main"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("refs/heads/main"))
        #expect(first.stderr.contains("main/check: success"))
        #expect(first.stderr.contains("pipeline #1 passed"))
        let head = try await fixture.work.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(await fixture.remoteSHA("refs/heads/main") == head)

        try await fixture.work.git(["commit", "-q", "--amend", "-m", "a better message"])
        let amended = try await fixture.push(["-f", "origin", "main"])
        #expect(amended.status == 0, "\(amended.stderr)")
        #expect(amended.stderr.contains("verified by pipeline #1 (id 1), which passed on the same tree and config"))
        #expect(!amended.stderr.contains("running pipeline"))
        #expect(try await fixture.pipelineCount() == 1)
    }

    @Test func aConfigUsingPerPipelineValuesIsStillVerifiedForTheSameTree() async throws {
        let config = PushFixture.config.replacingOccurrences(
            of: "      - run: sh check.sh",
            with: "      - run: sh check.sh << pipeline.number >> << pipeline.id >> << pipeline.git.revision >>")
        let fixture = try await PushFixture(script: "echo \"number $1\"\n", config: config)
        defer { fixture.remove() }
        #expect(try await fixture.push(["origin", "main"]).status == 0)
        try await fixture.work.git(["commit", "-q", "--amend", "-m", "reworded"])
        let amended = try await fixture.push(["-f", "origin", "main"])
        #expect(amended.status == 0, "\(amended.stderr)")
        #expect(amended.stderr.contains("verified by pipeline #1 (id 1)"))
        try fixture.work.write("echo changed\n", to: "check.sh")
        try await fixture.work.commitAll("another tree")
        let changed = try await fixture.push(["origin", "main"])
        #expect(changed.stderr.contains("running pipeline #2"))
    }

    @Test func aFailingPushIsBlockedAndShowsTheFailure() async throws {
        let fixture = try await PushFixture(script: "echo 'FAILED: the widget is broken'\nexit 3\n")
        defer { fixture.remove() }
        let output = try await fixture.push(["origin", "main"])
        #expect(output.status != 0)
        #expect(output.stderr.contains("main/check: failed"))
        #expect(
            output.stderr.contains(
                "step 1 \"sh check.sh\" failed with exit code 3; last lines of its log (cibox logs 1 --step 1):"))
        #expect(output.stderr.contains("    FAILED: the widget is broken"))
        #expect(output.stderr.contains("pipeline #1 failed; the push is blocked"))
        let page = fixture.cli.home.path + "/reports/pipelines/1/jobs/1.html"
        #expect(output.stderr.contains("HTML pages:\nmain/check: \(page)\n"))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("FAILED: the widget is broken"))
        #expect(await fixture.remoteSHA("refs/heads/main") == nil)
    }

    @Test(arguments: ["echo fine\n", "echo broken\nexit 1\n"])
    func theWorkTreeIndexAndStashAreUntouched(_ script: String) async throws {
        let fixture = try await PushFixture(script: script)
        defer { fixture.remove() }
        try await fixture.makeWorkInProgress()
        let before = try await fixture.developerState()
        #expect(before["stash list"]?.isEmpty == false)
        _ = try await fixture.push(["origin", "main"])
        #expect(try await fixture.developerState() == before)
        #expect(try await fixture.pipelineCount() == 1)
    }

    @Test func ctrlCCancelsTheJobsBlocksThePushAndLeavesTheWorkTreeAlone() async throws {
        let marker = "sleep \(Int.random(in: 3000...3999)).\(Int.random(in: 100...999))"
        let fixture = try await PushFixture(script: "echo started\n\(marker)\n")
        defer { fixture.remove() }
        try await fixture.makeWorkInProgress()
        let before = try await fixture.developerState()
        let push = Process()
        push.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        push.arguments = ["push", "origin", "main"]
        push.currentDirectoryURL = URL(fileURLWithPath: fixture.work.path)
        push.standardOutput = FileHandle.nullDevice
        push.standardError = FileHandle.nullDevice
        try push.run()
        let deadline = Date().addingTimeInterval(30)
        while processCount(containing: marker) == 0 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(processCount(containing: marker) > 0, "the job never started")
        // A terminal's Ctrl-C reaches git and the hook it runs (the jobs live in their own sessions).
        for pid in processIDs(containing: "pre-push --home \(fixture.cli.home.path)") { kill(pid, SIGINT) }
        kill(push.processIdentifier, SIGINT)
        try await push.ended()
        let settled = Date().addingTimeInterval(10)
        while processCount(containing: marker) > 0 && Date() < settled { try await Task.sleep(for: .milliseconds(20)) }
        #expect(processCount(containing: marker) == 0, "a job process survived Ctrl-C")
        #expect(push.terminationStatus != 0 || push.terminationReason == .uncaughtSignal)
        #expect(await fixture.remoteSHA("refs/heads/main") == nil)
        #expect(try await fixture.developerState() == before)
        let pipelines =
            try JSONSerialization.jsonObject(
                with: Data(try await fixture.cli.run(["pipelines", "--json"]).stdout.utf8)) as? [[String: Any]]
        #expect(pipelines?.first?["status"] as? String == "canceled")
    }

    @Test func anExistingHookRunsFirstWithGitsInputAndComesBackOnUninstall() async throws {
        let fixture = try await PushFixture(script: "echo fine\n", install: false)
        defer { fixture.remove() }
        let record = fixture.cli.home.appending("previous-hook.txt")
        let original = "#!/bin/sh\necho \"$1 $2\" > '\(record)'\ncat >> '\(record)'\n"
        let hookPath = fixture.work.path + "/.git/hooks/pre-push"
        try original.write(toFile: hookPath, atomically: true, encoding: .utf8)
        chmod(hookPath, 0o755)

        let install = try await fixture.cli.run(["hook", "install", fixture.work.path])
        #expect(install.status == 0)
        #expect(install.stdout.contains("the existing hook is kept as \(hookPath).cibox-previous and runs first"))
        let again = try await fixture.cli.run(["hook", "install", fixture.work.path, "--workflow", "main"])
        #expect(again.stdout.contains("cibox: updated the pre-push hook \(hookPath)"))
        let status = try await fixture.cli.run(["hook", "status", fixture.work.path])
        #expect(
            status.stdout == """
                cibox: pre-push hook installed at \(hookPath) with --home \(fixture.cli.home.path) --workflow main
                cibox: it runs \(hookPath).cibox-previous first

                """)

        let output = try await fixture.push(["origin", "main"])
        #expect(output.status == 0, "\(output.stderr)")
        let head = try await fixture.work.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let recorded = try String(contentsOfFile: record, encoding: .utf8)
        #expect(recorded.hasPrefix("origin \(fixture.remote.path)\nrefs/heads/main \(head) refs/heads/main "))
        #expect(try await fixture.pipelineCount() == 1)

        let uninstall = try await fixture.cli.run(["hook", "uninstall", fixture.work.path])
        #expect(
            uninstall.stdout == "cibox: removed the pre-push hook \(hookPath); the previous hook is back in its place\n"
        )
        #expect(try String(contentsOfFile: hookPath, encoding: .utf8) == original)
        #expect(!FileManager.default.fileExists(atPath: hookPath + ".cibox-previous"))
    }

    @Test func aFailingExistingHookBlocksThePushBeforeCiboxRuns() async throws {
        let fixture = try await PushFixture(script: "echo fine\n", install: false)
        defer { fixture.remove() }
        let hookPath = fixture.work.path + "/.git/hooks/pre-push"
        try "#!/bin/sh\necho 'lint says no' >&2\nexit 1\n".write(toFile: hookPath, atomically: true, encoding: .utf8)
        chmod(hookPath, 0o755)
        #expect(try await fixture.cli.run(["hook", "install", fixture.work.path]).status == 0)
        let output = try await fixture.push(["origin", "main"])
        #expect(output.status != 0)
        #expect(output.stderr.contains("lint says no"))
        #expect(try await fixture.pipelineCount() == 0)
    }

    @Test func coreHooksPathIsHonoured() async throws {
        let fixture = try await PushFixture(script: "echo fine\n", install: false)
        defer { fixture.remove() }
        try await fixture.work.git(["config", "core.hooksPath", "tools/hooks"])
        let install = try await fixture.cli.run(["hook", "install", fixture.work.path])
        #expect(install.stdout == "cibox: installed the pre-push hook \(fixture.work.path)/tools/hooks/pre-push\n")
        #expect(!FileManager.default.fileExists(atPath: fixture.work.path + "/.git/hooks/pre-push"))
        let output = try await fixture.push(["origin", "main"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.contains("pipeline #1 passed"))
    }

    @Test func severalRefsNewBranchesTagsAndDeletionsInOnePush() async throws {
        let fixture = try await PushFixture(script: "echo fine\n")
        defer { fixture.remove() }
        let both = try await fixture.push(["origin", "main", "main:refs/heads/feature"])
        #expect(both.status == 0, "\(both.stderr)")
        #expect(both.stderr.contains("refs/heads/main ("))
        #expect(both.stderr.contains("refs/heads/feature ("))
        #expect(await fixture.remoteSHA("refs/heads/feature") != nil)

        try await fixture.work.git(["tag", "-a", "v1.0", "-m", "release"])
        let tag = try await fixture.push(["origin", "v1.0"])
        #expect(tag.status == 0, "\(tag.stderr)")
        #expect(tag.stderr.contains("refs/tags/v1.0 ("))
        #expect(tag.stderr.contains("jobs run for tags only with a 'tags' filter); nothing to check"))

        let deletion = try await fixture.push(["origin", ":feature"])
        #expect(deletion.status == 0, "\(deletion.stderr)")
        #expect(deletion.stderr.contains("cibox: refs/heads/feature: deleted, nothing to check"))
        #expect(await fixture.remoteSHA("refs/heads/feature") == nil)
    }

    @Test func ciboxSkipAndNoVerifySkipTheChecks() async throws {
        let fixture = try await PushFixture(script: "exit 1\n")
        defer { fixture.remove() }
        let skipped = try await fixture.push(["origin", "main"], environment: ["CIBOX_SKIP": "1"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stderr.contains("cibox: CIBOX_SKIP=1: pre-push checks skipped"))
        let noVerify = try await fixture.push(["--no-verify", "origin", "main:refs/heads/other"])
        #expect(noVerify.status == 0)
        #expect(try await fixture.pipelineCount() == 0)
    }

    @Test func malformedInputIsRefusedWithTheLine() async throws {
        let cli = try CLI()
        defer { cli.home.remove() }
        let output = try await cli.run(["pre-push", "origin", "url"], input: "refs/heads/main abc\n")
        #expect(output.status == 2)
        #expect(
            output.stderr
                == "error: line 1 of the pre-push input is not '<local ref> <local sha> <remote ref> <remote sha>': "
                + "'refs/heads/main abc'. cibox pre-push reads what git gives a pre-push hook; run it from the hook "
                + "`cibox hook install` writes.\n")
    }
}
