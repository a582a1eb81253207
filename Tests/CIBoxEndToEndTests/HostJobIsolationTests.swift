// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// Each host job has its own `/tmp` and its own absolute working directory, and nothing of a job outlives the cibox
/// that ran it (issue 19).
@Suite(.serialized, .machineSlot) struct HostJobIsolationTests {
    static let canIsolate = getuid() == 0

    @Test(.enabled(if: canIsolate, "a mount namespace per job needs root (or user namespaces) on this machine"))
    func jobsWritingTheSameAbsolutePathsInParallelDoNotCollide() async throws {
        let cli = try CLI()
        let folder = "/go/src/github.com/cibox-\(UUID().uuidString.prefix(8))/repo"
        // Each job writes its own name where the other writes too, waits until both have, and reads its own back.
        let config = """
            version: 2.1
            jobs:
              writer:
                parameters:
                  who: {type: string}
                working_directory: \(folder)
                steps:
                  - checkout
                  - run: |
                      test -f .circleci/config.yml
                      echo << parameters.who >> > /tmp/x
                      mkdir -p /tmp/test-results && echo << parameters.who >> > /tmp/test-results/who
                      echo << parameters.who >> > here.txt
                      sleep 2
                      test "$(cat /tmp/x)" = << parameters.who >>
                      test "$(cat /tmp/test-results/who)" = << parameters.who >>
                      test "$(cat here.txt)" = << parameters.who >>
                      test "$(pwd)" = \(folder)
            workflows:
              w:
                jobs:
                  - writer: {name: one, who: one}
                  - writer: {name: two, who: two}
            """
        let repo = try await Repositories.with(config: config)
        defer { cli.home.remove(); repo.remove() }
        try cli.home.write("capacity: {cpus: 4, memory: 8GiB}\n", to: "settings.yml")
        #expect(try await cli.run(["pipelines"]).status == 0, "the store is made before the two runs race")
        // Two pipelines at once, each with two jobs at once: four jobs in one absolute folder and one /tmp/x.
        async let first = cli.run(["run", repo.path, "--json"])
        async let second = cli.run(["run", repo.path, "--json"])
        let runs = try await [first, second]
        for run in runs {
            #expect(run.status == 0, "invariant: no job saw another's files — \(run.stderr)")
        }
        let hostX = try? String(contentsOfFile: "/tmp/x", encoding: .utf8)
        #expect(hostX != "one\n" && hostX != "two\n", "nothing was written to the machine's /tmp")
        #expect(!FileManager.default.fileExists(atPath: folder), "nothing was left behind at the absolute folder")
    }

    @Test(.enabled(if: canIsolate, "a mount namespace per job needs root (or user namespaces) on this machine"))
    func aCiboxInstalledUnderTmpStillReachesItselfFromInsideJobs() async throws {
        // Each job has a /tmp of its own: a cibox unpacked under the machine's /tmp (a CI checkout, a tarball) must
        // still reach its own program (the built-in steps' helper) and its agent from inside the job.
        let install = try TemporaryDirectory(prefix: "cibox-installed")
        let home = try TemporaryDirectory(prefix: "cibox-home")
        defer { install.remove(); home.remove() }
        let built = (CLI.binary as NSString).deletingLastPathComponent
        for program in ["cibox", "cibox-sandbox"] {
            try FileManager.default.copyItem(atPath: built + "/" + program, toPath: install.appending(program))
        }
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  build:
                    steps:
                      - checkout
                      - run: mkdir -p out && echo built > out/a.txt
                      - save_cache: {key: v1, paths: [out]}
                      - store_artifacts: {path: out}
                workflows:
                  w:
                    jobs: [build]
                """)
        defer { repo.remove() }
        let run = try await ProcessRunner.run(install.appending("cibox"), ["run", repo.path, "--home", home.path])
        #expect(run.status == 0, "\(run.stderr)")
    }

    @Test(.enabled(if: canIsolate, "killing a job's processes through its cgroup needs root here"))
    func killingCiboxRunLeavesNoJobProcessAndShowSaysInterrupted() async throws {
        let cli = try CLI()
        let marker = Int.random(in: 100_000...999_999)
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  build:
                    steps:
                      - run: echo started; setsid sleep \(marker) >/dev/null 2>&1 < /dev/null & sleep \(marker + 1)
                workflows:
                  w:
                    jobs: [build]
                """)
        defer { cli.home.remove(); repo.remove() }
        let (run, output) = try cli.start(["run", repo.path])
        _ = output
        let jobProcesses = {
            processCount(containing: "sleep \(marker)") + processCount(containing: "sleep \(marker + 1)")
        }
        _ = try await eventually(seconds: 10) { jobProcesses() == 2 }
        #expect(processCount(containing: "sleep \(marker)") == 1, "the job's setsid child runs")
        kill(run.processIdentifier, SIGKILL)
        try await run.ended()
        // The job's agent is its guard: with its cibox gone, nothing of the job may outlive it for a second.
        #expect(
            try await eventually(seconds: 1) { jobProcesses() == 0 },
            "invariant: no job process outlives a killed cibox run by a second")

        let shown = try await cli.run(["show", "1"])
        #expect(
            shown.stderr == "cibox: pipeline 1 stopped when the cibox running it was killed: marked interrupted\n")
        #expect(shown.stdout.contains("job 1 build: interrupted (interrupted)"), "\(shown.stdout)")
        let again = try await cli.run(["pipelines"])
        #expect(again.stderr == "", "settled once")
        #expect(again.stdout.contains("\tfailed\t"))
    }
}
