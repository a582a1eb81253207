// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxGit
import Foundation

extension Scenarios {
    /// A job printing 1 GiB of log lines, `cibox run` whole (every byte stored in the step's log, secrets masked
    /// on the way), against the same command run bare with its output sent to a file.
    static func logThroughput(_ context: BenchContext) throws -> [BenchRow] {
        // `yes` ends by SIGPIPE when `head` has enough, which bash's pipefail reports as 141.
        let producer =
            "yes 'a log line of a busy job: compiling module 42 of 99, warnings 0, elapsed 12.5 s' "
            + "| head -c 1073741824 || test $? = 141"
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
        // The bare run reads the command from a script file, as cibox's runner does (no shell quoting in between).
        let script = (bareOutput as NSString).deletingLastPathComponent + "/step.sh"
        try producer.write(toFile: script, atomically: false, encoding: .utf8)
        let rounds = max(1, min(context.iterations, 3))
        var cibox: [Double] = []
        var bare: [Double] = []
        for _ in 0..<rounds {
            cibox.append(
                try Clock.seconds {
                    try spawnAndWait(BenchFixtures.ciboxBinary, ["run", repository, "--home", home], quiet: true)
                } * 1000)
            try? FileManager.default.removeItem(atPath: home + "/logs")
            bare.append(try Clock.seconds { try shell("/bin/bash -eo pipefail '\(script)' > '\(bareOutput)'") } * 1000)
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
        // Interleaved, so that both pay the same for the file system's state (a fresh ext4 inode allocator after
        // earlier scenarios deleted many files is slow for whoever comes first).
        var cibox: [Double] = []
        var worktree: [Double] = []
        for index in 0..<max(3, context.iterations / 4) {
            cibox.append(
                try Clock.seconds { try git.checkout(commit, into: "\(target)/cibox-\(index)", branch: "main") } * 1000)
            worktree.append(
                try Clock.seconds {
                    try BenchFixtures.run(
                        "/usr/bin/git",
                        ["-C", repository, "worktree", "add", "-q", "--detach", "\(target)/git-\(index)", "main"])
                } * 1000)
        }
        let median = { (samples: [Double]) in samples.sorted()[samples.count / 2] }
        return [
            BenchRow(
                scenario: "checkout: a 10,000-file commit into a fresh folder (libgit2)", figure: median(cibox),
                baseline: median(worktree), unit: "ms", baselineName: "`git worktree add` of the same commit",
                goal: "≤ 1.0×")
        ]
    }
}
