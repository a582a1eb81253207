// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Whether this process may make cgroups (root on a host with cgroups).
private let isRootWithCgroups: Bool = {
    guard getuid() == 0 else { return false }
    let text = (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)) ?? ""
    return !text.isEmpty && FileManager.default.fileExists(atPath: "/sys/fs/cgroup")
}()

/// The largest number of intervals open at the same moment.
func maximumOverlap(_ intervals: [(Date, Date)]) -> Int {
    var events: [(Date, Int)] = []
    for (start, end) in intervals {
        events.append((start, 1))
        events.append((end, -1))
    }
    events.sort { left, right in left.0 == right.0 ? left.1 < right.1 : left.0 < right.0 }
    var open = 0
    var most = 0
    for (_, delta) in events {
        open += delta
        most = max(most, open)
    }
    return most
}

@Suite(.serialized, .machineSlot) struct SchedulerTests {
    static let dateFormat: Date.ISO8601FormatStyle = .iso8601.year().month().day().time(
        includingFractionalSeconds: true)

    @Test func fourOneCPUJobsOnTwoCPUsNeverRunMoreThanTwoAtOnce() async throws {
        let cli = try CLI()
        try cli.home.write("capacity: { cpus: 2, memory: 8GiB }\n", to: "settings.yml")
        let jobs = (1...4).map { "  j\($0):\n    resource_class: small\n    steps:\n      - run: sleep 0.6\n" }.joined()
        let repo = try await Repositories.with(
            config: "version: 2.1\njobs:\n\(jobs)workflows:\n  w:\n    jobs: [j1, j2, j3, j4]\n"
        )
        defer { cli.home.remove(); repo.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        let entries = try CLI.object(output).objects("workflows")[0].objects("jobs")
        #expect(entries.allSatisfy { $0.string("resource_class") == "small" })
        let intervals = try entries.map { entry in
            (
                try Date(entry.string("started_at") ?? "", strategy: Self.dateFormat),
                try Date(entry.string("finished_at") ?? "", strategy: Self.dateFormat)
            )
        }
        // Never more than two at once (two slots of one CPU); usually exactly two.
        #expect((1...2).contains(maximumOverlap(intervals)))
    }

    @Test func parallelismFourGivesFourRunsWithDistinctIndexes() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  test:
                    parallelism: 4
                    steps:
                      - run: echo "node $CIRCLE_NODE_INDEX of $CIRCLE_NODE_TOTAL"
                workflows:
                  w:
                    jobs: [test]
                """
        )
        defer { cli.home.remove(); repo.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        let entries = try CLI.object(output).objects("workflows")[0].objects("jobs")
        #expect(entries.count == 4)
        #expect(entries.allSatisfy { $0.string("name") == "test" && $0.int("parallelism") == 4 })
        #expect(entries.compactMap { $0.int("node_index") } == [0, 1, 2, 3])
        var lines: [String] = []
        for entry in entries {
            lines.append(try await cli.run(["logs", String(entry.int("id") ?? 0), "--step", "0"]).stdout)
        }
        #expect(lines == (0..<4).map { "node \($0) of 4\n" })
    }

    @Test func cancelStopsARunningPipelineFromAnotherProcess() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  slow:
                    steps:
                      - run: setsid sleep 3201 >/dev/null 2>&1 < /dev/null & sleep 3202
                  after:
                    steps:
                      - run: echo never
                workflows:
                  w:
                    jobs:
                      - slow
                      - after: {requires: [slow]}
                """
        )
        defer { cli.home.remove(); repo.remove() }
        let (process, output) = try cli.start(["run", repo.path, "--json"])
        var running = false
        for _ in 0..<100 where !running {
            try await Task.sleep(for: .milliseconds(100))
            let list = try await cli.run(["pipelines", "--json"]).stdout
            running = list.contains("\"status\": \"running\"")
        }
        #expect(running)
        try await Task.sleep(for: .milliseconds(300))
        let cancel = try await cli.run(["cancel", "1"])
        #expect(cancel.stdout == "cibox: pipeline 1 is being canceled (2 job run(s))\n")
        try await process.ended()
        let data = try output.contents()
        #expect(process.terminationStatus == 1)
        let pipeline = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(pipeline.string("status") == "canceled")
        let jobs = pipeline.objects("workflows")[0].objects("jobs")
        #expect(jobs.map { $0.string("status") } == ["canceled", "canceled"])
        #expect(jobs[0].string("failure_reason") == "canceled")
        #expect(processCount(containing: "sleep 3201") == 0)
        #expect(processCount(containing: "sleep 3202") == 0)
        let again = try await cli.run(["cancel", "1"])
        #expect(again.stdout == "cibox: pipeline 1 has already ended\n")
        #expect(
            try await cli.run(["cancel", "99"]).stderr
                == "error: No pipeline with id 99. `cibox pipelines` lists them.\n")
    }

    @Test(.enabled(if: isRootWithCgroups, "needs root and cgroups"))
    func tinyClassIsKilledForMemoryAndSaysSo() async throws {
        let cli = try CLI()
        try cli.home.write("resource_classes:\n  tiny: { cpus: 0.5, memory: 64MiB, pids: 64 }\n", to: "settings.yml")
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  hog:
                    resource_class: tiny
                    steps:
                      - run: x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo ${#x}
                workflows:
                  w:
                    jobs: [hog]
                """
        )
        defer { cli.home.remove(); repo.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 1)
        let job = try CLI.object(output).objects("workflows")[0].objects("jobs")[0]
        #expect(job.string("failure_reason") == "oom")
        #expect(job.string("resource_class") == "tiny")
        #expect(["cgroup1", "cgroup2"].contains(job.string("isolation") ?? ""))
        #expect((job.int("peak_memory_bytes") ?? 0) > 32 * 1_048_576)
        #expect(output.stderr.contains("of 64 MiB (tiny)"))
        #expect(
            output.stderr.contains(
                "Out of memory: the job used more than its memory limit of 64 MiB (resource_class tiny)"))
    }

    @Test func badSettingsAreAnErrorWithTheLine() async throws {
        let cli = try CLI()
        try cli.home.write("capacity: { cpus: 2 }\n", to: "settings.yml")
        let repo = try await Repositories.sample("shell-pipeline")
        defer { cli.home.remove(); repo.remove() }
        let output = try await cli.run(["run", repo.path])
        #expect(output.status == 2)
        #expect(
            output.stderr
                == "\(cli.home.path)/settings.yml:1:11: error: missing 'memory' (bytes, or with K, M, G, KiB, MiB, GiB)\n"
                + "error: \(cli.home.path)/settings.yml has errors; fix them or remove the file.\n"
        )
    }

    @Test func ctrlCCancelsTheJobsAndLeavesNothingRunning() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  slow:
                    steps:
                      - run: setsid sleep 3501 >/dev/null 2>&1 < /dev/null & sleep 3502
                workflows:
                  w:
                    jobs: [slow]
                """
        )
        defer { cli.home.remove(); repo.remove() }
        let (process, output) = try cli.start(["run", repo.path, "--json"])
        for _ in 0..<100 where processCount(containing: "sleep 3502") == 0 {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(processCount(containing: "sleep 3502") == 1)
        kill(process.processIdentifier, SIGINT)
        try await process.ended()
        let data = try output.contents()
        #expect(process.terminationStatus == 130)
        let pipeline = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(pipeline.string("status") == "canceled")
        #expect(pipeline.objects("workflows")[0].objects("jobs")[0].string("failure_reason") == "canceled")
        #expect(processCount(containing: "sleep 3501") == 0)
        #expect(processCount(containing: "sleep 3502") == 0)
    }
}
