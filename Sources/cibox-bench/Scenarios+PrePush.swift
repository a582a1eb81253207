// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Scenarios {
    /// A work repository with a one-job config, a bare remote, cibox's pre-push hook installed with its own
    /// state folder; removed by `cleanup`.
    struct HookFixture {
        var work: String
        var remote: String
        var home: String
        var hook: String { work + "/.git/hooks/pre-push" }

        init() throws {
            work = try BenchFixtures.repository([
                ".circleci/config.yml":
                    "version: 2.1\njobs:\n  build:\n    steps:\n      - checkout\n      - run: \"true\"\n"
                    + "workflows:\n  w:\n    jobs: [build]\n",
                "README.md": "pre-push bench\n",
            ])
            remote = try BenchFixtures.temporaryFolder("cibox-bench-remote")
            home = try BenchFixtures.temporaryFolder("cibox-bench-home")
            try BenchFixtures.run("/usr/bin/git", ["init", "-q", "--bare", remote])
            try BenchFixtures.run(BenchFixtures.ciboxBinary, ["hook", "install", work, "--home", home])
        }

        /// git's input to the hook for pushing HEAD to `main`.
        func input() throws -> String {
            let head = try BenchFixtures.output("/usr/bin/git", ["-C", work, "rev-parse", "HEAD"])
            return "refs/heads/main \(head) refs/heads/main \(String(repeating: "0", count: 40))\n"
        }

        /// Commits a change, so the next push has a tree no pipeline verified.
        func commitNewTree(_ index: Int) throws {
            try Data("change \(index)\n".utf8).write(to: URL(fileURLWithPath: work + "/change.txt"))
            try BenchFixtures.run("/usr/bin/git", ["-C", work, "add", "-A"])
            try BenchFixtures.run(
                "/usr/bin/git",
                [
                    "-C", work, "-c", "user.name=bench", "-c", "user.email=b@example.com", "commit", "-q", "-m",
                    "c\(index)",
                ])
        }

        func cleanup() {
            for path in [work, remote, home] { try? FileManager.default.removeItem(atPath: path) }
        }
    }

    /// The whole pre-push hook, as git runs it (its script, from the work tree, git's line on standard input),
    /// for a tree that already passed; against the hook of pre-commit when it is installed here, else against
    /// a hook script that only runs `true`.
    static func prePushVerified(_ context: BenchContext) throws -> [BenchRow] {
        let fixture = try HookFixture()
        defer { fixture.cleanup() }
        let input = try fixture.input()
        try spawnAndWait(fixture.hook, ["origin", fixture.remote], quiet: true, input: input, directory: fixture.work)
        let verified = try Clock.medianMilliseconds(context.iterations) {
            try spawnAndWait(
                fixture.hook, ["origin", fixture.remote], quiet: true, input: input, directory: fixture.work)
        }
        var rows: [BenchRow] = []
        if let preCommit = BenchFixtures.which("pre-commit") {
            // pre-commit's own hook, installed as its users install it, in a repository of its own.
            let folder = try BenchFixtures.repository([".pre-commit-config.yaml": "repos: []\n"])
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try BenchFixtures.run(
                preCommit, ["install", "-t", "pre-push", "-c", folder + "/.pre-commit-config.yaml"], in: folder)
            let head = try BenchFixtures.output("/usr/bin/git", ["-C", folder, "rev-parse", "HEAD"])
            let line = "refs/heads/main \(head) refs/heads/main \(String(repeating: "0", count: 40))\n"
            let baseline = try Clock.medianMilliseconds(context.iterations) {
                try spawnAndWait(
                    folder + "/.git/hooks/pre-push", ["origin", fixture.remote], quiet: true, input: line,
                    directory: folder)
            }
            rows.append(
                BenchRow(
                    scenario: "prepush-verified: whole hook, tree already passed", figure: verified,
                    baseline: baseline, unit: "ms", baselineName: "pre-commit's pre-push hook, no hooks configured",
                    goal: "≤ 15 ms"))
        }
        let script = try BenchFixtures.temporaryFolder("cibox-bench-hook") + "/pre-push"
        defer { try? FileManager.default.removeItem(atPath: (script as NSString).deletingLastPathComponent) }
        try "#!/bin/sh\nexec true\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let bare = try Clock.medianMilliseconds(context.iterations) {
            try spawnAndWait(script, ["origin", fixture.remote], quiet: true, input: input, directory: fixture.work)
        }
        rows.append(
            BenchRow(
                scenario: "prepush-verified: whole hook, tree already passed", figure: verified, baseline: bare,
                unit: "ms", baselineName: "a hook script running `true`", goal: "≤ 15 ms"))
        return rows
    }

    /// The pre-push hook running a one-job workflow (checkout + `true`) on a tree no pipeline verified, against
    /// the job's command run bare.
    static func prePushFresh(_ context: BenchContext) throws -> [BenchRow] {
        let fixture = try HookFixture()
        defer { fixture.cleanup() }
        var samples: [Double] = []
        for index in 0..<max(1, context.iterations) {
            try fixture.commitNewTree(index)
            let input = try fixture.input()
            samples.append(
                try Clock.seconds {
                    try spawnAndWait(
                        fixture.hook, ["origin", fixture.remote], quiet: true, input: input, directory: fixture.work)
                } * 1000)
        }
        samples.sort()
        let bare = try Clock.medianMilliseconds(context.iterations) {
            try spawnAndWait("/bin/bash", ["-eo", "pipefail", "-c", "true"])
        }
        return [
            BenchRow(
                scenario: "prepush-fresh: whole hook, one-job workflow on a new tree",
                figure: samples[samples.count / 2], baseline: bare, unit: "ms",
                baselineName: "the job's command bare (`bash -eo pipefail -c true`)", goal: "≤ baseline + 50 ms")
        ]
    }

    /// `cibox --version`, whole process, against `/bin/true`.
    static func startTime(_ context: BenchContext) throws -> [BenchRow] {
        let binary = BenchFixtures.ciboxBinary
        let cibox = try Clock.medianMilliseconds(context.iterations) {
            try spawnAndWait(binary, ["--version"], quiet: true)
        }
        let bare = try Clock.medianMilliseconds(context.iterations) { try spawnAndWait("/bin/true", [], quiet: true) }
        return [
            BenchRow(
                scenario: "start-time: `cibox --version`, whole process", figure: cibox, baseline: bare, unit: "ms",
                baselineName: "`/bin/true`", goal: "≤ 10 ms")
        ]
    }
}
