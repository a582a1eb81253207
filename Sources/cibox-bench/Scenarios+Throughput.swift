// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxGit
import Foundation

extension Scenarios {
    /// A job printing 1 GiB of log lines, `cibox run` whole (every byte stored in the step's log, secrets masked
    /// on the way), against the same command run bare with its output sent to a file.
    static func logThroughput(_ context: BenchContext) throws -> [BenchRow] {
        let producer =
            "yes 'a log line of a busy job: compiling module 42 of 99, warnings 0, elapsed 12.5 s' | head -c 1073741824"
        let repository = try BenchFixtures.repository([
            ".circleci/config.yml":
                "version: 2.1\njobs:\n  loud:\n    steps:\n      - run: \"\(producer)\"\nworkflows:\n  w:\n    jobs: [loud]\n"
        ])
        let home = try BenchFixtures.temporaryFolder("cibox-bench-home")
        let bareOutput = try BenchFixtures.temporaryFolder("cibox-bench-bare") + "/out.log"
        defer {
            for path in [repository, home, (bareOutput as NSString).deletingLastPathComponent] {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        let rounds = max(1, min(context.iterations, 3))
        var cibox: [Double] = []
        var bare: [Double] = []
        for _ in 0..<rounds {
            cibox.append(
                try Clock.seconds {
                    try spawnAndWait(BenchFixtures.ciboxBinary, ["run", repository, "--home", home], quiet: true)
                } * 1000)
            try? FileManager.default.removeItem(atPath: home + "/logs")
            bare.append(
                try Clock.seconds { try shell("/bin/bash -eo pipefail -c \"\(producer)\" > '\(bareOutput)'") } * 1000)
            try? FileManager.default.removeItem(atPath: bareOutput)
        }
        return [
            BenchRow(
                scenario: "log-throughput: a job printing 1 GiB, `cibox run` whole", figure: cibox.sorted()[rounds / 2],
                baseline: bare.sorted()[rounds / 2], unit: "ms", baselineName: "the same command bare, into a file",
                goal: "≤ 1.15×")
        ]
    }

    /// libgit2's checkout of a 10,000-file commit into a fresh folder, as cibox checks out a job's source,
    /// against `git worktree add` of the same commit.
    static func checkout(_ context: BenchContext) throws -> [BenchRow] {
        let repository = try BenchFixtures.temporaryFolder("cibox-bench-big-repo")
        defer { try? FileManager.default.removeItem(atPath: repository) }
        try makeCacheFolder(repository + "/src", files: 10_000, bytesPerFile: 2_000)
        try BenchFixtures.run("/usr/bin/git", ["init", "-q", "-b", "main", repository])
        try BenchFixtures.run("/usr/bin/git", ["-C", repository, "add", "-A"])
        try BenchFixtures.run(
            "/usr/bin/git",
            ["-C", repository, "-c", "user.name=bench", "-c", "user.email=b@example.com", "commit", "-q", "-m", "big"])
        let git = try GitRepository.open(discoveringFrom: repository)
        let commit = try git.resolve("main").commit
        let target = try BenchFixtures.temporaryFolder("cibox-bench-checkouts")
        defer { try? FileManager.default.removeItem(atPath: target) }
        var index = 0
        let cibox = try Clock.medianMilliseconds(max(3, context.iterations / 4)) {
            index += 1
            try git.checkout(commit, into: "\(target)/cibox-\(index)", branch: "main")
        }
        let worktree = try Clock.medianMilliseconds(max(3, context.iterations / 4)) {
            index += 1
            try BenchFixtures.run(
                "/usr/bin/git",
                ["-C", repository, "worktree", "add", "-q", "--detach", "\(target)/git-\(index)", "main"])
        }
        return [
            BenchRow(
                scenario: "checkout: a 10,000-file commit into a fresh folder (libgit2)", figure: cibox,
                baseline: worktree, unit: "ms", baselineName: "`git worktree add` of the same commit", goal: "≤ 1.0×")
        ]
    }
}
