// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// `$CIBOX_HOME` is private (issue 19): every file and folder cibox keeps is its user's alone, but for the folders a
/// job's user passes through and a report that settings say is served; a home made beforehand is fixed once.
@Suite(.serialized, .machineSlot) struct HomeModesTests {
    /// The permission bits of every entry under `folder` (links excluded), by path relative to it.
    static func modes(under folder: String) -> [String: mode_t] {
        var found: [String: mode_t] = ["": mode(folder)]
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return found }
        while let relative = walker.nextObject() as? String {
            var info = stat()
            guard lstat(folder + "/" + relative, &info) == 0, info.st_mode & S_IFMT != S_IFLNK else { continue }
            found[relative] = info.st_mode & 0o7777
        }
        return found
    }

    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
    }

    static let config = """
        version: 2.1
        jobs:
          build:
            steps:
              - checkout
              - run: mkdir -p out && echo hi > out/a.txt && echo '<testsuite tests="1"><testcase name="t"/></testsuite>' > out/t.xml
              - store_artifacts: {path: out}
              - store_test_results: {path: out}
              - save_cache: {key: c-v1, paths: [out]}
              - persist_to_workspace: {root: ., paths: [out]}
        workflows:
          w:
            jobs: [build]
        """

    @Test func aHomeMadeBeforehandIsMadePrivateOnceAndStaysSo() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(config: Self.config)
        defer { cli.home.remove(); repo.remove() }
        // As a package or an administrator makes it: open to every user.
        chmod(cli.home.path, 0o755)
        try cli.home.write("capacity: {cpus: 2, memory: 4GiB}\n", to: "settings.yml")
        chmod(cli.home.appending("settings.yml"), 0o644)
        try FileManager.default.createDirectory(
            atPath: cli.home.appending("logs"), withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o755])
        // An unpacked image root keeps its image's modes (a shared /tmp, a home of its user's): only the store's top
        // folder is closed.
        let root = cli.home.appending("images/roots/" + String(repeating: "a", count: 64))
        try FileManager.default.createDirectory(
            atPath: root + "/tmp", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        chmod(cli.home.appending("images"), 0o755)
        chmod(root + "/tmp", 0o1777)

        let first = try await cli.run(["run", repo.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(
            first.stderr.hasPrefix(
                "cibox: warning: made 3 files and folders of '\(cli.home.path)' readable by cibox's user only "
                    + "(other users could read them)\n"))
        try await repo.git(["commit", "-q", "--allow-empty", "-m", "again"])
        let second = try await cli.run(["run", repo.path])
        #expect(second.status == 0)
        #expect(!second.stderr.contains("warning: made"), "said once")
        #expect(try await cli.run(["report"]).status == 0)

        let passThrough: Set<String> = ["", "work"]
        for (path, mode) in Self.modes(under: cli.home.path) {
            if passThrough.contains(path) {
                #expect(mode == 0o711, "'\(path)' is passed through, never listed: \(String(mode, radix: 8))")
            } else if path.hasPrefix("images/") {
                #expect(path != "images/roots/\(String(repeating: "a", count: 64))/tmp" || mode == 0o1777)
            } else if path == "bin" || path.hasPrefix("bin/") {
                #expect(mode & 0o022 == 0, "the agent commands are cibox's: \(path) \(String(mode, radix: 8))")
            } else {
                #expect(
                    mode & 0o077 == 0, "invariant: '\(path)' is cibox's user's alone, not \(String(mode, radix: 8))")
            }
        }
    }

    @Test func aServedReportIsReadableByEveryoneAndNothingElseIs() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(config: Self.config)
        defer { cli.home.remove(); repo.remove() }
        try cli.home.write("report: {world_readable: true}\n", to: "settings.yml")
        #expect(try await cli.run(["run", repo.path]).status == 0)
        let modes = Self.modes(under: cli.home.path)
        let report = modes.filter { $0.key.hasPrefix("reports") }
        #expect(!report.isEmpty)
        for (path, mode) in report {
            #expect(mode & 0o044 == 0o044, "the served report is readable: \(path) \(String(mode, radix: 8))")
        }
        #expect(Self.mode(cli.home.appending("cibox.sqlite")) == 0o600)
    }
}
