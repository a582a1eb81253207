// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// A built-in step can do nothing the job's own `run:` step could not do (issue 19): each hostile path of a config
/// run as an unprivileged user is refused, the step fails naming the path, and nothing is written or read outside.
@Suite(.serialized, .machineSlot) struct HostilePathTests {
    /// A job that persists a file `evil` to the workspace, and one per hostile step, each requiring it.
    static let config = """
        version: 2.1
        jobs:
          producer:
            steps:
              - run: mkdir -p ws && echo evil-bytes > ws/evil
              - persist_to_workspace: {root: ws, paths: [evil]}
          attach_cron:
            steps:
              - attach_workspace: {at: /etc/cron.d}
          attach_up:
            steps:
              - attach_workspace: {at: ../../../../../..}
          persist_shadow:
            steps:
              - persist_to_workspace: {root: /etc, paths: [shadow]}
          persist_private:
            steps:
              - persist_to_workspace: {root: PRIVATE, paths: [key.txt]}
          artifacts_shadow:
            steps:
              - store_artifacts: {path: /etc/shadow}
          artifacts_private:
            steps:
              - store_artifacts: {path: PRIVATE}
          tests_private:
            steps:
              - store_test_results: {path: PRIVATE}
          cache_private:
            steps:
              - save_cache: {key: stolen-v1, paths: [PRIVATE]}
          checksum_shadow:
            steps:
              - save_cache: {key: 'sum-{{ checksum "/etc/shadow" }}', paths: [.]}
          checksum_private:
            steps:
              - restore_cache: {key: 'sum-{{ checksum "PRIVATE/key.txt" }}'}
        workflows:
          w:
            jobs:
              - producer
              - attach_cron: {requires: [producer]}
              - attach_up: {requires: [producer]}
              - persist_shadow
              - persist_private
              - artifacts_shadow
              - artifacts_private
              - tests_private
              - cache_private
              - checksum_shadow
              - checksum_private
        """

    /// The first line of each failed job's failed step log, by job name.
    static func failedSteps(_ cli: CLI, _ run: ProcessOutput) async throws -> [String: String] {
        var found: [String: String] = [:]
        for job in try CLI.object(run).objects("workflows").flatMap({ $0.objects("jobs") }) {
            guard let name = job.string("name"), job.string("status") == "failed" else { continue }
            let step = job.objects("steps").first { $0.string("status") == "failed" }
            let index = step.flatMap { $0["index"] as? Int } ?? 0
            let log = try await cli.run(["logs", String(job["id"] as? Int ?? 0), "--step", String(index)]).stdout
            found[name] = log.split(separator: "\n").last.map(String.init) ?? ""
        }
        return found
    }

    @Test(.enabled(if: getuid() == 0 && getpwnam("nobody") != nil, "switching users needs root and a 'nobody' user"))
    func everyHostilePathIsRefusedAndNothingLeaks() async throws {
        let cli = try CLI()
        let privateFolder = try TemporaryDirectory(prefix: "cibox-root-only", in: "/var/tmp")
        defer { privateFolder.remove() }
        let needle = "root-only-\(UUID().uuidString)"
        try privateFolder.write(needle + "\n", to: "key.txt")
        try privateFolder.write(
            "<testsuite name='\(needle)' tests='1'><testcase name='\(needle)'/></testsuite>\n", to: "leak.xml")
        chmod(privateFolder.path, 0o700)
        let repo = try await Repositories.with(
            config: Self.config.replacingOccurrences(of: "PRIVATE", with: privateFolder.path))
        defer { cli.home.remove(); repo.remove() }
        try cli.home.write("run_as: nobody\n", to: "settings.yml")
        let cronBefore = try FileManager.default.contentsOfDirectory(atPath: "/etc/cron.d")

        let run = try await cli.run(["run", repo.path, "--json"])
        #expect(run.status == 1, "\(run.stderr)")
        let failed = try await Self.failedSteps(cli, run)
        #expect(failed["producer"] == nil, "the honest job passes: \(failed)")
        let expected: [String: String] = [
            "attach_cron": "/etc/cron.d",
            "attach_up": "..",
            "persist_shadow": "/etc/shadow",
            "persist_private": privateFolder.path,
            "artifacts_shadow": "/etc/shadow",
            "artifacts_private": privateFolder.path,
            "tests_private": privateFolder.path,
            "checksum_shadow": "/etc/shadow",
            "checksum_private": privateFolder.path,
        ]
        for (job, path) in expected {
            let message = try #require(failed[job], "invariant: \(job) fails: \(failed)")
            #expect(message.contains(path), "\(job): the message names the path: \(message)")
            #expect(message.contains("Permission denied"), "\(job): the message says why: \(message)")
        }
        // cibox caches only paths in the job's folder: one outside is skipped, named, and nothing is read.
        #expect(failed["cache_private"] == nil)
        let cacheJob = try CLI.object(run).objects("workflows").flatMap { $0.objects("jobs") }
            .first { $0.string("name") == "cache_private" }
        let cacheLog = try await cli.run(["logs", String(cacheJob?["id"] as? Int ?? 0), "--step", "0"]).stdout
        #expect(
            cacheLog.contains("Skipping '\(privateFolder.path)': '\(privateFolder.path)' is outside the job's folder"),
            "\(cacheLog)")
        #expect(cacheLog.hasSuffix("No existing paths to cache; nothing saved for stolen-v1.\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: "/etc/cron.d") == cronBefore, "nothing written")
        for folder in ["/", "/var", cli.home.path, (cli.home.path as NSString).deletingLastPathComponent] {
            #expect(!FileManager.default.fileExists(atPath: folder + "/evil"), "nothing written in \(folder)")
        }
        let shadowLine = try String(contentsOfFile: "/etc/shadow", encoding: .utf8).split(separator: "\n").first
        for leak in [needle, shadowLine.map(String.init) ?? "root:"] {
            #expect(
                SecurityTests.files(under: cli.home.path, containing: leak).isEmpty,
                "invariant: nothing read from root-only files reaches the home")
        }
    }
}
