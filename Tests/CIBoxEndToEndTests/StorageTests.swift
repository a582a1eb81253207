// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

@Suite(.serialized, .machineSlot) struct StorageTests {
    /// The job runs of the first workflow of a `run --json` output, by name (parallel runs in node order).
    static func jobs(_ output: ProcessOutput) throws -> [[String: Any]] {
        try CLI.object(output).objects("workflows").first?.objects("jobs") ?? []
    }

    static func id(_ job: [String: Any]?) -> String { String(job?.int("id") ?? 0) }

    @Test func secondPipelineRestoresTheFirstOnesCacheByPrefix() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  build:
                    steps:
                      - checkout
                      - restore_cache:
                          keys:
                            - deps-{{ checksum "lock" }}-not-there
                            - deps-
                      - run: |
                          if [ -f deps/installed.txt ]; then echo "restored $(cat deps/installed.txt)"
                          else mkdir -p deps && echo "v1" > deps/installed.txt && echo fresh; fi
                      - save_cache:
                          key: deps-{{ checksum "lock" }}
                          paths: [deps, missing-dir]
                workflows:
                  main:
                    jobs: [build]
                """, files: ["lock": "abc"])
        defer { cli.home.remove(); repo.remove() }
        let first = try await cli.run(["run", repo.path, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let firstJob = try Self.jobs(first).first
        #expect(try await cli.run(["logs", Self.id(firstJob), "--step", "2"]).stdout == "fresh\n")
        let saved = try await cli.run(["logs", Self.id(firstJob), "--step", "3"]).stdout
        #expect(saved.contains("Skipping 'missing-dir': "))
        #expect(saved.contains("Stored cache 'deps-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='"))

        let second = try await cli.run(["run", repo.path, "--json"])
        #expect(second.status == 0, "\(second.stderr)")
        let secondJob = try Self.jobs(second).first
        let restore = try await cli.run(["logs", Self.id(secondJob), "--step", "1"]).stdout
        #expect(restore.contains("Found a cache for key 'deps-': 'deps-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='"))
        #expect(try await cli.run(["logs", Self.id(secondJob), "--step", "2"]).stdout == "restored v1\n")
        #expect(
            try await cli.run(["logs", Self.id(secondJob), "--step", "3"]).stdout
                == "Skipping cache generation, cache already exists for key: "
                + "deps-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=\n")

        let list = try await cli.run(["cache", "list"])
        #expect(list.status == 0)
        #expect(list.stdout.contains("\tdeps-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=\t"))
        let json = try JSONSerialization.jsonObject(
            with: Data(try await cli.run(["cache", "list", "--json"]).stdout.utf8))
        #expect((json as? [[String: Any]])?.first?.string("key") == "deps-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")
        #expect(try await cli.run(["cache", "clear", "deps-"]).stdout.hasSuffix("Removed 1 cache.\n"))
        #expect(try await cli.run(["cache", "list"]).stdout == "No saved caches.\n")
    }

    @Test func workspacePersistedByParallelRunsAndAnotherJobIsAttachedDownstream() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  make:
                    parallelism: 2
                    steps:
                      - run: mkdir -p out && echo "node $CIRCLE_NODE_INDEX" > out/part-$CIRCLE_NODE_INDEX.txt
                      - persist_to_workspace:
                          root: .
                          paths: [out]
                  other:
                    steps:
                      - run: mkdir -p out/sub && echo other > out/sub/other.txt && echo skip > out/skip.log
                      - persist_to_workspace:
                          root: out
                          paths: ["**/*.txt"]
                  use:
                    steps:
                      - attach_workspace:
                          at: ws
                      - run: cat ws/out/part-0.txt ws/out/part-1.txt ws/sub/other.txt; test ! -e ws/skip.log
                workflows:
                  main:
                    jobs:
                      - make
                      - other
                      - use:
                          requires: [make, other]
                """)
        defer { cli.home.remove(); repo.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        let use = try Self.jobs(output).first { $0.string("name") == "use" }
        #expect(use?.string("status") == "success")
        #expect(try await cli.run(["logs", Self.id(use), "--step", "1"]).stdout == "node 0\nnode 1\nother\n")
    }

    @Test func persistingAPathThatMatchesNothingFailsTheStep() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  make:
                    steps:
                      - persist_to_workspace:
                          root: .
                          paths: [nothing-here]
                workflows:
                  main:
                    jobs: [make]
                """)
        defer { cli.home.remove(); repo.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 1)
        let make = try Self.jobs(output).first
        #expect(make?.objects("steps").first?.string("status") == "failed")
        let log = try await cli.run(["logs", Self.id(make), "--step", "0"]).stdout
        #expect(log.hasPrefix("The workspace path 'nothing-here' matched no files under the root '"))
    }

    @Test func artifactsAreListedAndSymlinksOutsideAreRefused() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  build:
                    steps:
                      - run: mkdir -p out && printf hello > out/report.txt && ln -s /etc/passwd out/escape
                      - store_artifacts:
                          path: out
                          destination: reports
                      - store_artifacts:
                          path: not-made
                  sneaky:
                    steps:
                      - run: echo x > file.txt
                      - store_artifacts:
                          path: file.txt
                          destination: ../../escaped
                workflows:
                  main:
                    jobs: [build, sneaky]
                """)
        defer { cli.home.remove(); repo.remove() }
        let output = try await cli.run(["run", repo.path, "--json"])
        #expect(output.status == 1)
        let jobs = try Self.jobs(output)
        let build = jobs.first { $0.string("name") == "build" }
        let sneaky = jobs.first { $0.string("name") == "sneaky" }
        #expect(build?.string("status") == "success")
        let log = try await cli.run(["logs", Self.id(build), "--step", "1"]).stdout
        #expect(log.contains("/out/escape': a symbolic link to '/etc/passwd', which is outside the job's folder"))
        #expect(
            try await cli.run(["logs", Self.id(build), "--step", "2"]).stdout.hasPrefix("No artifact files found at "))
        let listed = try await cli.run(["artifacts", Self.id(build)])
        #expect(listed.stdout == "reports/report.txt\t5\n")
        let json = try await cli.run(["artifacts", Self.id(build), "--json"])
        #expect(json.stdout == "[\n  {\n    \"path\": \"reports/report.txt\",\n    \"size\": 5\n  }\n]\n")

        #expect(sneaky?.string("status") == "failed")
        let refused = try await cli.run(["logs", Self.id(sneaky), "--step", "1"]).stdout
        #expect(refused.hasPrefix("Refused to store artifacts at '../../escaped': the destination leaves"))
        #expect(!FileManager.default.fileExists(atPath: cli.home.appending("escaped")))
        #expect(try await cli.run(["artifacts", "999999"]).status == 2)
    }
}
