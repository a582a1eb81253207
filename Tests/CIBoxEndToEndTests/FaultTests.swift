// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The fault suite: faults of the machine around cibox (a full disk, a read-only database, a job's folder or a
/// watched repository deleted, a branch moving under a running pipeline). Each gives a clear error and loses
/// nothing else.
@Suite(.serialized, .machineSlot, .timeLimit(.minutes(3))) struct FaultTests {
    /// The job runs of the first workflow of a pipeline's JSON, by name.
    static func jobs(_ pipeline: [String: Any]) -> [String: [String: Any]] {
        let jobs = pipeline.objects("workflows").flatMap { $0.objects("jobs") }
        return Dictionary(jobs.map { ($0.string("name") ?? "", $0) }, uniquingKeysWith: { first, _ in first })
    }

    @Test(.enabled(if: getuid() == 0, "needs root to mount a small tmpfs as the state folder"))
    func aDiskFilledByAJobsLogFailsThatJobClearlyAndKeepsTheRest() async throws {
        let disk: SmallDisk
        do { disk = try await SmallDisk(megabytes: 6) } catch { try Test.cancel("\(error)") }
        try await withCleanup {
            let repository = try await Repositories.with(
                config: """
                    version: 2.1
                    jobs:
                      small:
                        steps:
                          - run: echo small
                      big:
                        steps:
                          - run: yes 'more output than the disk holds' | head -c 16000000
                          - run:
                              command: echo cleanup
                              when: always
                    workflows:
                      w:
                        jobs:
                          - small
                          - big:
                              requires: [small]
                    """)
            defer { repository.remove() }
            let home = disk.path
            let cibox = { (arguments: [String]) async throws in
                try await ProcessRunner.run(CLI.binary, arguments + ["--home", home])
            }
            let first = try await cibox(["run", repository.path, "--job", "small", "--json"])
            #expect(first.status == 0, "\(first.stderr)")
            let firstShown = try await cibox(["show", "1", "--json"]).stdout
            let firstLog = try await cibox(["logs", "1", "--step", "0"]).stdout

            let full = try await cibox(["run", repository.path, "--json"])
            #expect(full.status == 1, "\(full.stderr)")
            #expect(
                !full.stderr.contains("could not be saved"), "the store kept up through the full disk: \(full.stderr)")
            let pipeline = try CLI.object(full)
            #expect(pipeline.string("status") == "failed")
            let jobs = Self.jobs(pipeline)
            #expect(jobs["small"]?.string("status") == "success")
            let big = try #require(jobs["big"])
            let bigID = big.int("id") ?? 0
            #expect(big.string("status") == "failed")
            #expect(big.string("failure_reason") == "infrastructure")
            #expect(
                full.stderr.contains("big: Cannot write the step's log '\(home)/logs/\(bigID)/0.log': No space left"))
            let steps = big.objects("steps")
            let logSize = try FileManager.default.attributesOfItem(atPath: "\(home)/logs/\(bigID)/0.log")[.size] as? Int
            #expect(steps.first?.int("log_bytes") == logSize, "the recorded log size is the file's")
            #expect((logSize ?? 0) > 1_000_000, "the log keeps what fitted")

            #expect(try await SQLiteShell.integrityCheck(home + "/cibox.sqlite") == "ok")
            #expect(try await cibox(["show", "1", "--json"]).stdout == firstShown, "the earlier pipeline is intact")
            #expect(try await cibox(["logs", "1", "--step", "0"]).stdout == firstLog)
            let listed = try JSONSerialization.jsonObject(
                with: Data(try await cibox(["pipelines", "--json"]).stdout.utf8))
            #expect((listed as? [[String: Any]])?.map { $0.string("status") } == ["failed", "success"])

            // Where the user looks: show, --json.
            let reason = "Cannot write the step's log '\(home)/logs/\(bigID)/0.log': No space left on device."
            #expect(big.string("failure_message")?.hasPrefix(reason) == true, "\(big)")
            let shown = try await cibox(["show", "2"]).stdout
            #expect(shown.contains("(infrastructure)\n      why: \(reason)"), "\(shown)")
            // Space is back (the user removes the big log and the report's link to it): the next cibox makes the
            // reserve whole again.
            let reserve = home + "/.reserve"
            #expect(((try? FileManager.default.attributesOfItem(atPath: reserve)[.size] as? Int) ?? 0) < 1 << 20)
            try FileManager.default.removeItem(atPath: "\(home)/logs/\(bigID)/0.log")
            try FileManager.default.removeItem(atPath: "\(home)/reports")
            let again = try await cibox(["run", repository.path, "--job", "small"])
            #expect(again.status == 0, "\(again.stderr)")
            let size = try FileManager.default.attributesOfItem(atPath: reserve)[.size] as? Int
            #expect(size == 1 << 20, "the reserve is whole again")
        } cleanup: {
            await disk.unmount()
        }
    }

    @Test(.enabled(if: getuid() == 0 && SQLiteShell.isAvailable, "needs root for chattr, and /usr/bin/sqlite3"))
    func aReadOnlyDatabaseMakesRunRefuseClearlyAndChangeNothing() async throws {
        let cli = try CLI()
        let repository = try await Repositories.with(
            config:
                "version: 2.1\njobs:\n  build:\n    steps:\n      - run: echo hi\nworkflows:\n  w:\n    jobs: [build]\n"
        )
        defer { cli.home.remove(); repository.remove() }
        #expect(try await cli.run(["run", repository.path]).status == 0)
        let database = cli.home.appending("cibox.sqlite")
        do { try await ImmutableFlag.set(true, on: database) } catch { try Test.cancel("\(error)") }
        try await withCleanup {
            // The shared-memory index changes whenever anyone reads; it holds no data.
            let before = fileInventory(cli.home.path, except: ["cibox.sqlite-shm"])
            let dump = try await ProcessRunner.run(SQLiteShell.program, ["-readonly", database, ".dump"]).stdout

            let refused = try await cli.run(["run", repository.path])
            #expect(refused.status == 3)
            #expect(refused.stderr.contains("the database '\(database)' is read-only"), "\(refused.stderr)")
            #expect(refused.stderr.contains("nothing was recorded"))
            #expect(
                fileInventory(cli.home.path, except: ["cibox.sqlite-shm"]) == before,
                "nothing in the state folder changed")
            #expect(try await ProcessRunner.run(SQLiteShell.program, ["-readonly", database, ".dump"]).stdout == dump)
            // Reading the history still works.
            let listed = try await cli.run(["pipelines", "--json"])
            #expect(listed.status == 0)
            #expect(listed.stdout.contains("\"success\""))
        } cleanup: {
            try? await ImmutableFlag.set(false, on: database)
        }
    }

    @Test func aJobFolderDeletedMidRunFailsTheJobClearlyAndThePipelineEnds() async throws {
        let cli = try CLI()
        let flag = cli.home.appending("go")
        let repository = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  victim:
                    steps:
                      - checkout
                      - run: echo started; while [ ! -f \(flag) ]; do sleep 0.05; done
                      - run: echo never
                      - run:
                          command: echo never either
                          when: always
                  bystander:
                    steps:
                      - run: echo fine
                workflows:
                  w:
                    jobs: [victim, bystander]
                """)
        defer { cli.home.remove(); repository.remove() }
        let command = try BackgroundCommand(cli, ["run", repository.path, "--json"])
        defer { command.remove() }
        // The victim is the first job run recorded: id 1.
        let started = try await eventually(seconds: 30) {
            (try? String(contentsOfFile: cli.home.appending("logs/1/1.log"), encoding: .utf8)) == "started\n"
        }
        #expect(started)
        try FileManager.default.removeItem(atPath: cli.home.appending("work/1"))
        _ = FileManager.default.createFile(atPath: flag, contents: nil)
        let output = try #require(
            try await command.finish(within: 30), "cibox run did not end after the job's folder went")
        #expect(command.process.terminationStatus == 1)
        let pipeline = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
        #expect(pipeline.string("status") == "failed")
        let jobs = Self.jobs(pipeline)
        #expect(jobs["bystander"]?.string("status") == "success")
        let victim = try #require(jobs["victim"])
        #expect(victim.string("status") == "failed")
        #expect(victim.string("failure_reason") == "infrastructure")
        #expect(
            command.stderr.contains(
                "victim: The job's folder '\(cli.home.path)/work/1' was deleted while the job ran: step 2 (echo never) "
                    + "cannot run. Nothing else may remove a running job's folder."), "\(command.stderr)")
        #expect(victim.objects("steps").map { $0.string("status") } == ["success", "success", "failed", "failed"])
        #expect(processCount(containing: "\(cli.home.path)/work/1/") == 0)
    }

    @Test func aWatchedRepositoryDeletedOrForcePushedKeepsTheDaemonGoing() async throws {
        let setup = try await PushSetup(config: DaemonTests.quickConfig)
        let doomed = setup.root.appending("doomed.git")
        defer { setup.remove() }
        try await GitFixture.git(["clone", "-q", "--bare", setup.bare, doomed], in: nil)
        #expect(try await setup.cli.run(["project", "add", setup.bare]).status == 0)
        #expect(try await setup.cli.run(["project", "add", doomed, "--name", "doomed"]).status == 0)
        let daemon = try CrashDaemon(home: setup.cli.home.path, logPath: setup.root.appending("daemon.log"))
        try await withCleanup {
            #expect(try await daemon.waitUntilWatching())
            let watching = try await eventually(seconds: 10) {
                daemon.log.split(separator: "\n").contains { $0.contains("watching a project") && $0.contains(doomed) }
            }
            #expect(watching, "\(daemon.log)")

            try FileManager.default.removeItem(atPath: doomed)
            let said = try await eventually(seconds: 10) {
                daemon.log.contains("cannot read the refs of a project")
                    && daemon.log.contains("project.path=\(doomed)")
            }
            #expect(said, "the daemon says which project it cannot read: \(daemon.log)")
            #expect(daemon.process.isRunning)

            // A force-push replaces the branch's commit: the daemon builds the new one.
            try setup.root.write("rewritten\n", to: "work/NOTES")
            try await GitFixture.git(["add", "-A"], in: setup.clone)
            try await GitFixture.git(
                ["-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "--amend", "-m", "new"], in: setup.clone)
            let rewritten = try await GitFixture.git(["rev-parse", "HEAD"], in: setup.clone).trimmingCharacters(
                in: .whitespacesAndNewlines)
            try await GitFixture.git(["push", "-q", "--force", "origin", "main"], in: setup.clone)
            let built = try await setup.wait { list in
                list.contains { $0["revision"] as? String == rewritten && $0["status"] as? String == "success" }
            }
            #expect(built.contains { $0["revision"] as? String == rewritten && $0["status"] as? String == "success" })
            // And it goes on watching.
            try await setup.push(config: DaemonTests.quickConfig, message: "after")
            let after = try await setup.wait { list in
                list.count == 2 && list.allSatisfy { $0["status"] as? String == "success" }
            }
            #expect(after.count == 2)
            #expect(daemon.process.isRunning)
            await daemon.stop()
            #expect(daemon.process.terminationStatus == 0)
        } cleanup: {
            await daemon.stop()
        }
    }

    @Test func aBranchMovedBetweenCompileAndCheckoutRunsTheRecordedCommitsPlanAndFiles() async throws {
        let cli = try CLI()
        let flag = cli.home.appending("go")
        let config = { (plan: String) in
            """
            version: 2.1
            jobs:
              hold:
                steps:
                  - run: echo waiting; while [ ! -f \(flag) ]; do sleep 0.05; done
              build:
                steps:
                  - checkout
                  - run: echo "plan \(plan)"; echo "$CIRCLE_SHA1"; git rev-parse HEAD; cat VERSION
            workflows:
              w:
                jobs:
                  - hold
                  - build:
                      requires: [hold]
            """
        }
        let repository = try await Repositories.with(config: config("A"), files: ["VERSION": "A\n"])
        defer { cli.home.remove(); repository.remove() }
        let recorded = try await repository.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let command = try BackgroundCommand(cli, ["run", repository.path, "--json"])
        defer { command.remove() }
        let waiting = try await eventually(seconds: 30) {
            (try? String(contentsOfFile: cli.home.appending("logs/1/0.log"), encoding: .utf8)) == "waiting\n"
        }
        #expect(waiting)
        // The branch moves to a commit with another config and other files before `build` checks out.
        try repository.write(config("B"), to: ".circleci/config.yml")
        try repository.write("B\n", to: "VERSION")
        let moved = try await repository.commitAll("moved")
        _ = FileManager.default.createFile(atPath: flag, contents: nil)
        let output = try #require(try await command.finish(within: 30))
        #expect(command.process.terminationStatus == 0)
        let pipeline = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
        #expect(pipeline.string("revision") == recorded)
        let buildID = Self.jobs(pipeline)["build"]?.int("id") ?? 0
        let log = try await cli.run(["logs", String(buildID), "--step", "1"]).stdout
        #expect(log == "plan A\n\(recorded)\n\(recorded)\nA\n", "not the moved branch's \(moved)")
    }
}
