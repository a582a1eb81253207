// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The Slurm executor on a real one-node cluster (`scripts/slurm-test-cluster.sh`), through the built `cibox`: the
/// agent on the "node" is the same binary. One cluster per test; the tests of this suite run one at a time.
@Suite(.serialized, .machineSlot, .enabled(if: SlurmCluster.isInstallable, SlurmCluster.skipReason))
struct SlurmTests {
    /// A fan-out/fan-in workflow with a workspace, a cache, artifacts, a failing job with an `always` step, and a
    /// job that runs only when that one failed.
    static let workflowConfig = """
        version: 2.1
        jobs:
          prepare:
            steps:
              - checkout
              - run: mkdir -p out && echo "built from $(cat input.txt)" > out/built.txt && echo prepared
              - save_cache:
                  key: deps-{{ checksum "input.txt" }}
                  paths: [~/project/out]
              - persist_to_workspace: { root: ., paths: [out] }
          unit:
            steps:
              - attach_workspace: { at: ~/ws }
              - run: cat ~/ws/out/built.txt; echo "node $CIRCLE_NODE_INDEX of $CIRCLE_NODE_TOTAL"
              - store_artifacts: { path: ~/ws/out, destination: built }
          cached:
            steps:
              - checkout
              - restore_cache:
                  keys:
                    - deps-{{ checksum "input.txt" }}
                    - deps-
              - run: cat ~/project/out/built.txt
          lint:
            steps:
              - run: echo linting; echo "bad style" >&2; exit 3
              - run: { name: never, command: echo never }
              - run: { name: report, command: echo reported, when: always }
          after-lint:
            steps:
              - run: echo lint failed as expected
        workflows:
          ci:
            jobs:
              - prepare
              - unit: { requires: [prepare] }
              - cached: { requires: [prepare] }
              - lint: { requires: [prepare] }
              - after-lint: { requires: [{ lint: failed }] }
        """

    /// Runs the pipeline of `repository` in a fresh home with `settings` and returns its JSON and every step's log,
    /// with the folders that legitimately differ between executors replaced (``comparableLog(_:storage:)``).
    static func run(
        _ repository: GitFixture, settings: String?, storage: String?, environment: [String: String]
    ) async throws -> (json: [String: Any], logs: [String: String], output: ProcessOutput) {
        var cli = try CLI()
        defer { cli.home.remove() }
        cli.environment = environment
        if let settings { try cli.home.write(settings, to: "settings.yml") }
        let output = try await cli.run(["run", repository.path, "--json"])
        let pipeline = try CLI.object(output)
        var logs: [String: String] = [:]
        for job in pipeline.objects("workflows").flatMap({ $0.objects("jobs") }) {
            for step in job.objects("steps") {
                let text = try await cli.run([
                    "logs", String(job.int("id") ?? 0), "--step", String(step.int("index") ?? 0),
                ])
                logs["\(job.string("name") ?? "?")/\(step.int("index") ?? 0)"] = comparableLog(
                    text.stdout, storage: storage ?? cli.home.path)
            }
        }
        return (pipeline, logs, output)
    }

    /// The pipeline without what legitimately differs between two runs on two executors:
    /// - `id`s, `created_at`/`started_at`/`finished_at`: another database, another moment;
    /// - `isolation` (`slurm` against `cgroup1`/`cgroup2`/`none`), `cpu_seconds` and `peak_memory_bytes`: measured
    ///   in another cgroup (Slurm's includes the agent itself);
    /// - `log_bytes`: built-in steps name the job's own folder in their logs (`work/<id>` here, the job's folder in
    ///   the shared folder on Slurm); the logs themselves are compared instead, with that folder replaced.
    static func comparable(_ value: Any) -> Any {
        let dropped: Set<String> = [
            "id", "created_at", "started_at", "finished_at", "isolation", "cpu_seconds", "peak_memory_bytes",
            "log_bytes",
        ]
        if let object = value as? [String: Any] {
            return object.filter { !dropped.contains($0.key) }.mapValues(comparable)
        }
        if let array = value as? [Any] { return array.map(comparable) }
        return value
    }

    /// A step log without what legitimately differs between executors: the job's own folder (`…/work/<id>` here,
    /// `…/jobs/<hash>-<id>/work` in the shared folder on Slurm) becomes `<job>`, the folder of caches, workspaces and
    /// artifacts (the home here, the shared folder on Slurm) `<storage>`, and archive sizes `<n> B` (tar headers
    /// carry the files' times, so zstd's output differs by a byte or two from run to run on either executor).
    static func comparableLog(_ text: String, storage: String) -> String {
        text.replacingOccurrences(
            of: #"/[^\s']*/jobs/[0-9a-f]{8}-[0-9]+/work"#, with: "<job>", options: .regularExpression
        )
        .replacingOccurrences(of: #"/[^\s']*/work/[0-9]+"#, with: "<job>", options: .regularExpression)
        .replacingOccurrences(of: storage, with: "<storage>")
        .replacingOccurrences(of: #"\([0-9]+ B"#, with: "(<n> B", options: .regularExpression)
    }

    @Test func aWorkflowWithAWorkspaceACacheAndAFailureGivesTheSameJSONAsTheLocalExecutor() async throws {
        try await SlurmCluster.withCluster { cluster in
            let repository = try await Repositories.with(config: Self.workflowConfig, files: ["input.txt": "v1\n"])
            defer { repository.remove() }
            let local = try await Self.run(repository, settings: nil, storage: nil, environment: [:])
            let slurm = try await Self.run(
                repository, settings: cluster.settings(), storage: cluster.shared, environment: cluster.environment)
            #expect(local.output.status == 1)
            #expect(slurm.output.status == 1, "\(slurm.output.stderr)")
            let localJSON = Self.comparable(local.json) as? NSDictionary
            let slurmJSON = Self.comparable(slurm.json) as? NSDictionary
            #expect(localJSON == slurmJSON)
            #expect(local.logs == slurm.logs)
            // What the comparison covers, said once more in plain values.
            let jobs = slurm.json.objects("workflows")[0].objects("jobs")
            #expect(
                jobs.map { "\($0.string("name") ?? "") \($0.string("status") ?? "")" } == [
                    "prepare success", "unit success", "cached success", "lint failed", "after-lint success",
                ])
            #expect(Set(jobs.compactMap { $0.string("isolation") }) == ["slurm"])
            let lint = jobs[3]
            #expect(lint.int("exit_code") == 3)
            #expect(lint.string("failure_reason") == "exit_code")
            #expect(lint.objects("steps").map { $0.string("status") ?? "" } == ["failed", "not_run", "success"])
            #expect(slurm.logs["lint/0"] == "linting\nbad style\n")
            #expect(
                slurm.logs["lint/2"] == "#!/bin/bash -eo pipefail\necho reported\nreported\n", "a named step echoes")
            #expect(slurm.logs["cached/2"] == "built from v1\n")
            #expect(slurm.logs["unit/1"] == "built from v1\nnode 0 of 1\n")
            #expect(jobs[1].objects("artifacts").map { $0.string("path") ?? "" } == ["built/built.txt"])
        }
    }

    @Test func aResourceClassSendsItsJobsToTheClusterAndTheOthersStayHereSharingTheWorkspace() async throws {
        try await SlurmCluster.withCluster { cluster in
            let config = """
                version: 2.1
                jobs:
                  here:
                    steps:
                      - run: mkdir -p out && echo made here > out/file
                      - persist_to_workspace: { root: ., paths: [out] }
                  there:
                    resource_class: cluster
                    steps:
                      - attach_workspace: { at: . }
                      - run: cat out/file; echo "on slurm job $SLURM_JOB_ID" | sed 's/[0-9]*$/N/'
                workflows:
                  w:
                    jobs: [here, { there: { requires: [here] } }]
                """
            let repository = try await Repositories.with(config: config)
            defer { repository.remove() }
            var cli = try CLI()
            defer { cli.home.remove() }
            cli.environment = cluster.environment
            try cli.home.write(
                """
                executors:
                  slurm: { shared_directory: \(cluster.shared), poll_interval: 0.2s }
                resource_classes:
                  cluster: { cpus: 1, memory: 256MiB, executor: slurm }
                """, to: "settings.yml")
            let output = try await cli.run(["run", repository.path, "--json"])
            #expect(output.status == 0, "\(output.stderr)")
            let jobs = try CLI.object(output).objects("workflows")[0].objects("jobs")
            #expect(jobs[0].string("isolation") != "slurm")
            #expect(jobs[1].string("isolation") == "slurm")
            #expect(
                try await cli.run(["logs", String(jobs[1].int("id") ?? 0), "--step", "1"]).stdout
                    == "made here\non slurm job N\n"
            )
            #expect(try await cluster.jobs(forJobRun: jobs[0].int("id") ?? 0).isEmpty)
            #expect(try await cluster.jobs(forJobRun: jobs[1].int("id") ?? 0).map(\.state) == ["COMPLETED"])
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/busybox"), "the images need busybox-static"))
    func aJobInAnImageWithAServiceRunsTheSameWayOnTheCluster() async throws {
        try await SlurmCluster.withCluster { cluster in
            let config = """
                version: 2.1
                jobs:
                  there:
                    resource_class: cluster
                    docker:
                      - image: cibox-samples/app:1
                      - image: cibox-samples/web:1
                        name: web
                    steps:
                      - run: echo "$SAMPLE_IMAGE"; for i in $(seq 50); do wget -qO- http://web:8080/ 2>/dev/null && break; sleep 0.1; done
                workflows:
                  w:
                    jobs: [there]
                """
            let repository = try await Repositories.with(config: config)
            let images = try TemporaryDirectory(prefix: "cibox-slurm-images")
            defer { repository.remove(); images.remove() }
            var cli = try CLI()
            defer { cli.home.remove() }
            cli.environment = cluster.environment
            try cli.home.write(
                """
                executors:
                  slurm: { shared_directory: \(cluster.shared), poll_interval: 0.2s }
                resource_classes:
                  cluster: { cpus: 1, memory: 256MiB, executor: slurm }
                images: { mode: required }
                """, to: "settings.yml")
            let built = try await ProcessRunner.run(SampleImagesTests.script, [images.path])
            #expect(built.status == 0, "\(built.stderr)")
            for name in ["app", "web"] {
                let loaded = try await cli.run(["image", "load", images.appending(name + ".tar")])
                #expect(loaded.status == 0, "\(loaded.stderr)")
            }
            // The store is in the shared folder, where the node's agent finds it.
            #expect(FileManager.default.fileExists(atPath: cluster.shared + "/images/index.json"))
            let output = try await cli.run(["run", repository.path, "--json"])
            #expect(output.status == 0, "\(output.stdout)\n\(output.stderr)")
            let job = try CLI.object(output).objects("workflows")[0].objects("jobs")[0]
            #expect(job.string("isolation") == "slurm")
            #expect(
                try await cli.run(["logs", String(job.int("id") ?? 0), "--step", "0"]).stdout.hasSuffix(
                    "app\nhello from the web service\n"))
        }
    }

    @Test func cancelScancelsTheJobAndLeavesNoProcessBehind() async throws {
        try await SlurmCluster.withCluster { cluster in
            let marker = Int.random(in: 100_000...999_999)
            let config = """
                version: 2.1
                jobs:
                  slow:
                    steps:
                      - run: echo started; setsid sleep \(marker) >/dev/null 2>&1 < /dev/null & sleep \(marker + 1)
                workflows:
                  w:
                    jobs: [slow]
                """
            let repository = try await Repositories.with(config: config)
            defer { repository.remove() }
            let cli = try cluster.makeCLI()
            defer { cli.home.remove() }
            let (process, output) = try cli.start(["run", repository.path, "--json"])
            for _ in 0..<300 where processCount(containing: "sleep \(marker + 1)") == 0 {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(processCount(containing: "sleep \(marker)") >= 1)
            #expect(try await cli.run(["cancel", "1"]).status == 0)
            try await process.ended()
            let pipeline = try JSONSerialization.jsonObject(with: try output.contents())
            let job = try #require((pipeline as? [String: Any])?.objects("workflows").first?.objects("jobs").first)
            #expect(job.string("status") == "canceled")
            #expect(job.string("failure_reason") == "canceled")
            #expect(try await cli.run(["logs", String(job.int("id") ?? 0), "--step", "0"]).stdout == "started\n")
            // Slurm says the job ended, and it took every process with it (setsid included).
            #expect(try await cluster.jobs(forJobRun: job.int("id") ?? 0).map(\.state) == ["CANCELLED"])
            #expect(processCount(containing: "sleep \(marker)") == 0)
        }
    }

    @Test func aJobOverItsMemoryLimitIsReportedOOM() async throws {
        try await SlurmCluster.withCluster { cluster in
            let config = """
                version: 2.1
                jobs:
                  hungry:
                    resource_class: tiny
                    steps:
                      - run: echo eating; head -c 600m /dev/zero | tail; echo survived
                      - run: { name: after, command: echo after, when: always }
                workflows:
                  w:
                    jobs: [hungry]
                """
            let repository = try await Repositories.with(config: config)
            defer { repository.remove() }
            let cli = try cluster.makeCLI(settings: "resource_classes:\n  tiny: { cpus: 1, memory: 128MiB }\n")
            defer { cli.home.remove() }
            let output = try await cli.run(["run", repository.path, "--json"])
            #expect(output.status == 1)
            let job = try #require(try CLI.object(output).objects("workflows").first?.objects("jobs").first)
            #expect(job.string("status") == "failed")
            #expect(job.string("failure_reason") == "oom")
            #expect(job.int("exit_code") == 137)
            #expect(job.objects("steps").map { $0.string("status") ?? "" } == ["failed", "success"])
            let log = try await cli.run(["logs", String(job.int("id") ?? 0), "--step", "0"]).stdout
            #expect(log.hasPrefix("eating\n"))
            #expect(
                log.hasSuffix(
                    "Out of memory: the job used more than its memory limit of 128 MiB (resource_class tiny) and the kernel "
                        + "killed it. Use a larger resource_class or use less memory.\n"))
            #expect(try await cluster.jobs(forJobRun: job.int("id") ?? 0).map(\.state) == ["OUT_OF_MEMORY"])
        }
    }

    @Test func aDaemonKilledMidJobIsRestartedReattachesAndFinishesThePipeline() async throws {
        try await SlurmCluster.withCluster { cluster in
            let config = """
                version: 2.1
                jobs:
                  first:
                    steps:
                      - run: echo first-start; sleep 4; echo first-end
                  second:
                    steps:
                      - run: echo second
                workflows:
                  w:
                    jobs: [first, { second: { requires: [first] } }]
                """
            var setup = try await PushSetup(config: DaemonTests.quickConfig)
            defer { setup.remove() }
            setup.cli.environment = cluster.environment
            try setup.cli.home.write(cluster.settings(), to: "settings.yml")
            #expect(try await setup.cli.run(["project", "add", setup.bare]).status == 0)
            let daemon = try setup.startDaemon()
            try await Task.sleep(for: .milliseconds(500))
            try await setup.push(config: config, message: "slow")
            let running = try await setup.wait { $0.first?["status"] as? String == "running" }
            let pipelineID = String(running.first?["id"] as? Int ?? 0)
            var first: [String: Any] = [:]
            for _ in 0..<200 {
                first = try CLI.object(try await setup.cli.run(["show", pipelineID, "--json"])).objects("workflows")[0]
                    .objects("jobs")[0]
                let log = try await setup.cli.run(["logs", String(first.int("id") ?? 0), "--step", "0"]).stdout
                if log == "first-start\n" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            kill(daemon.processIdentifier, SIGKILL)
            try await daemon.ended()
            let jobID = first.int("id") ?? 0
            let submitted = try await cluster.jobs(forJobRun: jobID)
            #expect(submitted.count == 1)
            let restarted = try setup.startDaemon()
            try await withCleanup {
                let after = try await setup.wait(seconds: 60) { $0.first?["status"] as? String == "success" }
                #expect(after.first?["status"] as? String == "success")
                let shown = try CLI.object(try await setup.cli.run(["show", pipelineID, "--json"])).objects(
                    "workflows")[0]
                #expect(shown.objects("jobs").map { $0.string("status") ?? "" } == ["success", "success"])
                // The same Slurm job was followed to its end, and its log holds every byte once.
                #expect(try await cluster.jobs(forJobRun: jobID).map(\.id) == submitted.map(\.id))
                #expect(
                    try await setup.cli.run(["logs", String(jobID), "--step", "0"]).stdout == "first-start\nfirst-end\n"
                )
                let second = shown.objects("jobs")[1]
                #expect(
                    try await setup.cli.run(["logs", String(second.int("id") ?? 0), "--step", "0"]).stdout == "second\n"
                )
            } cleanup: {
                await restarted.stop()
            }
        }
    }
}
