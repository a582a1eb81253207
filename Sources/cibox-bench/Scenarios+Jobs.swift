// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxEngine
import CIBoxExecutor
import CIBoxModel
import CIBoxStore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Scenarios {
    /// 200 jobs of `run: "true"` in one workflow, recorded in full, each in its own cgroup, on every core,
    /// against 200 bare `/bin/sh -c true` spawns one after the other.
    static func trivialJobs(_ context: BenchContext) async throws -> [BenchRow] {
        let count = 200
        let jobs = (0..<count).map { "  j\($0):\n    resource_class: tiny\n    steps:\n      - run: \"true\"\n" }
            .joined()
        let repository = try BenchFixtures.repository([
            ".circleci/config.yml":
                "version: 2.1\njobs:\n\(jobs)workflows:\n  w:\n    jobs: [\(( 0..<count).map { "j\($0)" }.joined(separator: ", "))]\n"
        ])
        let home = try BenchFixtures.temporaryFolder("cibox-bench-home")
        defer {
            try? FileManager.default.removeItem(atPath: repository)
            try? FileManager.default.removeItem(atPath: home)
        }
        let settings = Settings(resourceClasses: [
            "tiny": ResourceClass(name: "tiny", millicores: 100, memoryBytes: 64 * 1_048_576)
        ])
        let engine = PipelineEngine(
            home: home, store: try PipelineStore(home: home), settings: settings, cgroups: CgroupManager.system())
        var status = PipelineStatus.error
        let start = DispatchTime.now().uptimeNanoseconds
        let prepared = try engine.prepare(RunOptions(path: repository))
        status = try await engine.run(prepared)
        let total = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        guard status == .success else {
            let detail = try engine.store.history.pipelineDetail(id: prepared.detail.pipeline.id)
            let jobs = detail?.workflows.flatMap { $0.jobs.map(\.job) } ?? []
            let failed = jobs.first { $0.status != JobStatus.success }
            let why = failed.map { " (\($0.name): \($0.status.rawValue), \($0.failureMessage ?? "no message"))" } ?? ""
            throw BenchError("trivial-jobs pipeline ended \(status.rawValue)\(why)")
        }
        let bare = try Clock.seconds { for _ in 0..<count { try spawnAndWait("/bin/sh", ["-c", "true"]) } } * 1000
        return [
            BenchRow(
                scenario:
                    "trivial-jobs: per job (200 × `true`, \(engine.executor is LocalExecutor ? "cgroup each" : ""), DB, 2 cores)",
                figure: total / Double(count), baseline: bare / Double(count), unit: "ms",
                baselineName: "bare `/bin/sh -c true` spawn", goal: "≤ 3 ms and ≤ 3×"
            )
        ]
    }

    /// `cibox run` of a one-job trivial pipeline (checkout + `true`), whole process, against the same step's
    /// shell run bare.
    static func oneJob(_ context: BenchContext) throws -> [BenchRow] {
        let repository = try BenchFixtures.oneJobRepository()
        let home = try BenchFixtures.temporaryFolder("cibox-bench-home")
        defer {
            try? FileManager.default.removeItem(atPath: repository)
            try? FileManager.default.removeItem(atPath: home)
        }
        let binary = BenchFixtures.ciboxBinary
        let run = try Clock.medianMilliseconds(context.iterations) {
            try spawnAndWait(binary, ["run", repository, "--home", home], quiet: true)
        }
        let bare = try Clock.medianMilliseconds(context.iterations) {
            try spawnAndWait("/bin/bash", ["-eo", "pipefail", "-c", "true"])
        }
        return [
            BenchRow(
                scenario: "one-job: `cibox run`, whole process, median of \(context.iterations)", figure: run,
                baseline: bare, unit: "ms", baselineName: "bare `bash -eo pipefail -c true`", goal: "≤ 20 ms"
            )
        ]
    }

    /// Starts a program with posix_spawn and waits for it; throws when it fails.
    /// - Parameters:
    ///   - quiet: send standard output and error to /dev/null.
    ///   - input: what the program reads on standard input (from a temp file written before the clock starts
    ///     matters little: it is a few bytes).
    ///   - directory: the program's working folder.
    static func spawnAndWait(
        _ executable: String, _ arguments: [String], quiet: Bool = false, input: String? = nil,
        directory: String? = nil
    ) throws {
        var argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if quiet {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var inputFile: String?
        if let input {
            let path = FileManager.default.temporaryDirectory.path + "/cibox-bench-input-\(getpid())"
            try input.write(toFile: path, atomically: false, encoding: .utf8)
            posix_spawn_file_actions_addopen(&actions, 0, path, O_RDONLY, 0)
            inputFile = path
        }
        defer { if let inputFile { unlink(inputFile) } }
        // The bench runs one program at a time, so it may move its own working folder for the child.
        let previousDirectory = FileManager.default.currentDirectoryPath
        if let directory { _ = FileManager.default.changeCurrentDirectoryPath(directory) }
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previousDirectory) }
        var pid: pid_t = 0
        let result = argv.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return EINVAL }
            return posix_spawn(&pid, executable, &actions, nil, base, environ)
        }
        guard result == 0 else { throw BenchError("cannot start \(executable): \(String(cString: strerror(result)))") }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        guard status == 0 else {
            throw BenchError("\(executable) \(arguments.joined(separator: " ")) exited with status \(status)")
        }
    }
}
