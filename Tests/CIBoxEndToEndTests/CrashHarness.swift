// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The crash suite's settings, from the environment: `CIBOX_CRASH_SEED` (else random) and
/// `CIBOX_CRASH_ITERATIONS` (default 50).
struct CrashSettings {
    var seed: UInt64
    var iterations: Int

    static func fromEnvironment() -> CrashSettings {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["CIBOX_CRASH_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...999_999_999)
        let iterations = environment["CIBOX_CRASH_ITERATIONS"].flatMap { Int($0) } ?? 50
        return CrashSettings(seed: seed, iterations: max(1, iterations))
    }

    /// The command that runs this schedule again.
    var reproduction: String {
        "CIBOX_CRASH_SEED=\(seed) CIBOX_CRASH_ITERATIONS=\(iterations) swift test --filter CrashTests"
    }
}

/// One iteration of the schedule: how long after the push the daemon is killed, and the markers that tell
/// this iteration's processes from any other's.
struct CrashMoment {
    /// Milliseconds from the push (the branch moving) to `kill -9`.
    var delayMilliseconds: Int
    /// A number that only this iteration's config contains.
    var marker: Int

    /// The kill moments of `settings`, derived from its seed only. Three in ten fall in the first 60 ms, where
    /// the daemon notices the push (20 ms debounce), compiles, records and starts the jobs; the rest spread
    /// evenly over the jobs (about 1.2 s here) and a little beyond the pipeline's end.
    static func schedule(_ settings: CrashSettings) -> [CrashMoment] {
        var generator = SeededGenerator(state: settings.seed)
        return (0..<settings.iterations).map { _ in
            let early = Int.random(in: 0..<10, using: &generator) < 3
            let delay =
                early ? Int.random(in: 0...60, using: &generator) : Int.random(in: 60...1_600, using: &generator)
            return CrashMoment(
                delayMilliseconds: delay, marker: Int.random(in: 1_000_000...9_999_999, using: &generator))
        }
    }
}

/// A project the daemon watches, with the multi-job config whose life the crash suite cuts into.
struct CrashProject {
    let repository: GitFixture
    let cli: CLI
    var home: String { cli.home.path }
    var database: String { home + "/cibox.sqlite" }

    init() async throws {
        repository = try await GitFixture()
        cli = try CLI()
        // Room for every job at once, so that the kills land in any mix of jobs.
        try cli.home.write("capacity: { cpus: 8, memory: 16GiB }\n", to: "settings.yml")
        try repository.write(Self.config(marker: 0), to: ".circleci/config.yml")
        try await repository.commitAll("initial")
        let added = try await cli.run(["project", "add", repository.path])
        guard added.status == 0 else { throw FixtureError("cibox project add failed: \(added.stderr)") }
    }

    /// Commits the config of `marker` without moving the branch, then moves `main` to it the way git does
    /// (a lock file renamed over the ref), so that the push happens at one known instant; returns the commit.
    func push(marker: Int, message: String) async throws -> String {
        try repository.write(Self.config(marker: marker), to: ".circleci/config.yml")
        try await repository.git(["add", "-A"])
        let tree = try await repository.git(["write-tree"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let sha = try await repository.git(["commit-tree", tree, "-p", "HEAD", "-m", message])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let ref = repository.path + "/.git/refs/heads/main"
        try (sha + "\n").write(toFile: ref + ".lock", atomically: false, encoding: .utf8)
        guard rename(ref + ".lock", ref) == 0 else { throw FixtureError("cannot move main to \(sha)") }
        return sha
    }

    func remove() {
        repository.remove()
        cli.home.remove()
    }

    /// Four jobs: `output` writes numbered lines steadily for about a second (and leaves a `setsid` child that
    /// only a cgroup kill reaches), `cache` saves a 12 MB cache after 0.2 s, `results` stores 1,500 test cases
    /// and 52 artifacts after 0.4 s, and `verify`, after them, restores the cache. The report is rewritten after
    /// each job, so report writes fall between 0.3 s and the end.
    static func config(marker: Int) -> String {
        """
        version: 2.1
        jobs:
          output:
            resource_class: small
            steps:
              - checkout
              - run: |
                  setsid sleep 1\(marker).$CIRCLE_BUILD_NUM >/dev/null 2>&1 < /dev/null &
                  pad=$(printf '%0200d' 0)
                  for i in $(seq 1 30); do echo "line $i $pad"; sleep 0.03; done
          cache:
            resource_class: small
            steps:
              - checkout
              - run: sleep 0.2; mkdir -p deps && head -c 12000000 /dev/urandom > deps/blob && echo made
              - save_cache:
                  key: deps-\(marker)
                  paths: [deps]
          results:
            resource_class: small
            steps:
              - run: |
                  sleep 0.4
                  mkdir -p results
                  { echo '<testsuite name="crash" tests="1500">'
                    for i in $(seq 1 1500); do echo "<testcase classname=\\"c\\" name=\\"t$i\\" time=\\"0.01\\"/>"; done
                    echo '</testsuite>'; } > results/junit.xml
                  head -c 3000000 /dev/urandom | base64 > results/blob.txt
                  for i in $(seq 1 50); do echo "$i" > results/file-$i.txt; done
              - store_test_results:
                  path: results
              - store_artifacts:
                  path: results
          verify:
            resource_class: small
            steps:
              - restore_cache:
                  keys: [deps-\(marker)]
              - run: test -s deps/blob && echo restored
        workflows:
          crash:
            jobs:
              - output
              - cache
              - results
              - verify:
                  requires: [output, cache, results]
        """
    }
}

/// A `cibox daemon` started by the crash suite, its log in a file of its own.
final class CrashDaemon {
    let process: Process
    let logPath: String

    /// Starts `cibox daemon` on `home`, logging to `logPath`.
    init(home: String, logPath: String) throws {
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else {
            throw FixtureError("cannot write the daemon log '\(logPath)'")
        }
        defer { try? log.close() }
        process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["daemon", "--home", home, "--grace-period", "2"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = log
        self.logPath = logPath
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// The daemon's log so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until the daemon has recovered and watches its projects; false when it exited or took too long.
    func waitUntilWatching(seconds: Double = 20) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if log.contains("watching projects") { return true }
            if !process.isRunning { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// `kill -9`, then awaits its end.
    func kill9() async throws {
        kill(pid, SIGKILL)
        try await process.ended()
    }

    /// SIGTERM (a graceful stop), then awaits its end.
    func stop() async {
        await process.stop()
    }
}

/// Waits up to `seconds` for `condition`, checking every 20 ms (sleeping without blocking a thread); returns its
/// last value.
func eventually(seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try await condition() { return true }
        if Date() >= deadline { return false }
        try await Task.sleep(for: .milliseconds(20))
    }
}
