// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// What the kernel refused or killed in a job that went on is recorded on the step and the job, from the cgroup's
/// event counters (issue 19): a fork refused at the pids limit, a child killed for memory.
@Suite(.serialized, .machineSlot) struct LimitEventTests {
    static let canLimit = getuid() == 0

    @Test(.enabled(if: canLimit, "cgroup limits need root here"))
    func aPidsLimitHitAndAnOOMKilledChildAreRecorded() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  forks:
                    resource_class: tiny
                    steps:
                      - run:
                          name: fork past the limit
                          shell: /bin/sh
                          command: |
                            i=0
                            while [ $i -lt 40 ]; do (sleep 2 &) 2>/dev/null || true; i=$((i+1)); done
                            echo went on
                  memory:
                    resource_class: tiny
                    steps:
                      - run:
                          name: a child runs out of memory
                          command: |
                            awk 'BEGIN { s = "x"; while (1) s = s s }' || echo "awk ended with $?"
                            echo went on
                workflows:
                  w:
                    jobs: [forks, memory]
                """)
        defer { cli.home.remove(); repo.remove() }
        try cli.home.write(
            "resource_classes:\n  tiny: {cpus: 1, memory: 64MiB, pids: 16}\n", to: "settings.yml")
        let run = try await cli.run(["run", repo.path, "--json"])
        #expect(run.status == 0, "both jobs went on: \(run.stderr)")
        let jobs = try CLI.object(run).objects("workflows").flatMap { $0.objects("jobs") }
        let forks = try #require(jobs.first { $0.string("name") == "forks" })
        let memory = try #require(jobs.first { $0.string("name") == "memory" })
        #expect((forks["pids_limit_hits"] as? Int ?? 0) > 0)
        #expect(memory["oom_kills"] as? Int == 1)
        #expect(memory["limit_events"] as? [String] == ["a process was killed: out of memory (limit 64 MiB)"])

        let forksLog = try await cli.run(["logs", String(forks.int("id") ?? 0), "--step", "0"]).stdout
        #expect(forksLog.contains("went on\ncibox: pids limit 16 reached: the kernel refused to start a process "))
        let memoryLog = try await cli.run(["logs", String(memory.int("id") ?? 0), "--step", "0"]).stdout
        #expect(
            memoryLog.hasSuffix(
                "went on\ncibox: a process was killed: out of memory (limit 64 MiB); the step went on.\n"),
            "\(memoryLog)")
        let shown = try await cli.run(["show", "1"]).stdout
        #expect(shown.contains("pids limit 16 reached ("), "\(shown)")
        #expect(shown.contains(": success; a process was killed: out of memory (limit 64 MiB)\n"), "\(shown)")
    }
}
