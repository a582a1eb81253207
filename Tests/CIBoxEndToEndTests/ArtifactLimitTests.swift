// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// Artifacts never fill the disk or list what is incomplete (issue 19): a sparse file is stored sparse, what would
/// pass `artifacts: { max_size }` is refused before anything is written, with a message naming the setting.
@Suite(.serialized, .machineSlot) struct ArtifactLimitTests {
    static let config = """
        version: 2.1
        jobs:
          build:
            steps:
              - run: mkdir -p out && truncate -s 1G out/holes.img && printf data >> out/holes.img && echo small > out/a.txt
              - store_artifacts: {path: out}
        workflows:
          w:
            jobs: [build]
        """

    /// Bytes the file at `path` takes on disk.
    static func allocated(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_blocks) * 512 : -1
    }

    @Test func aSparseArtifactIsStoredSparse() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(config: Self.config)
        defer { cli.home.remove(); repo.remove() }
        let run = try await cli.run(["run", repo.path])
        #expect(run.status == 0, "\(run.stderr)")
        let stored = cli.home.appending("artifacts/1/out/holes.img")
        var info = stat()
        #expect(stat(stored, &info) == 0)
        #expect(info.st_size == (1 << 30) + 4, "the whole length is kept")
        #expect(Self.allocated(stored) < 1 << 20, "the holes take no disk: \(Self.allocated(stored)) bytes")
        let listed = try await cli.run(["artifacts", "1"])
        #expect(listed.stdout.contains("out/holes.img"))
    }

    @Test func artifactsPastTheLimitAreRefusedAndNothingIsListed() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(config: Self.config)
        defer { cli.home.remove(); repo.remove() }
        try cli.home.write("artifacts: {max_size: 100MiB}\n", to: "settings.yml")
        let run = try await cli.run(["run", repo.path, "--json"])
        #expect(run.status == 1)
        let job = try #require(try CLI.object(run).objects("workflows").first?.objects("jobs").first)
        #expect(job.string("failure_reason") == "infrastructure")
        let log = try await cli.run(["logs", "1", "--step", "1"]).stdout
        #expect(
            log.hasSuffix(
                "Refused to store artifacts from '\(cli.home.path)/work/1/project/out': 1.0 GiB in 2 files would pass "
                    + "this job's artifact limit of 100 MiB (0 B stored already). Store less, or raise "
                    + "`artifacts: { max_size }` in settings.yml.\n"), "\(log)")
        #expect(try await cli.run(["artifacts", "1"]).stdout == "Job 1 stored no artifacts.\n", "nothing listed")
        #expect(!FileManager.default.fileExists(atPath: cli.home.appending("artifacts/1/out")))
    }
}
