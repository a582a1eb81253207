// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxGit
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct RefWatcherTests {
    /// A bare repository with one commit on main, and a clone that pushes to it.
    struct Remote {
        let bare: GitFixture
        let clone: GitFixture

        init() async throws {
            bare = try await GitFixture(bare: true)
            clone = try await GitFixture()
            try clone.write("one\n", to: "file.txt")
            try await clone.commitAll("one")
            try await clone.git(["remote", "add", "origin", bare.path])
            try await clone.git(["push", "-q", "origin", "main"])
        }

        /// Commits in the clone and pushes `branch`.
        func push(_ branch: String, _ contents: String) async throws {
            try await clone.git(["checkout", "-q", "-B", branch])
            try clone.write(contents, to: "file.txt")
            try await clone.commitAll(contents)
            try await clone.git(["push", "-q", "origin", branch])
        }

        func remove() {
            bare.remove()
            clone.remove()
        }
    }

    /// Whether `stream` yields within `seconds`; when it does not, `stream` is finished (its iteration is cancelled).
    static func ticks(_ stream: AsyncStream<Void>, within seconds: Double = 2) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in stream { return true }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    @Test func newBranchPushedTicksWithInotify() async throws {
        let remote = try await Remote()
        defer { remote.remove() }
        let watcher = try RefWatcher(gitDirectory: remote.bare.path)
        defer { watcher.stop() }
        #expect(watcher.mode == .inotify)
        let changes = watcher.changes()
        try await remote.push("feature/deep/x", "two\n")
        #expect(await Self.ticks(changes))
        let refs = try GitRepository.open(discoveringFrom: remote.bare.path).references()
        #expect(refs.keys.sorted() == ["refs/heads/feature/deep/x", "refs/heads/main"])
    }

    @Test func packedRefsAndPushAfterPackingTick() async throws {
        let remote = try await Remote()
        defer { remote.remove() }
        let watcher = try RefWatcher(gitDirectory: remote.bare.path)
        defer { watcher.stop() }
        let changes = watcher.changes()
        try await remote.bare.git(["pack-refs", "--all"])
        #expect(await Self.ticks(changes))
        try await remote.push("main", "three\n")
        #expect(await Self.ticks(changes))
        try await remote.push("later", "four\n")
        #expect(await Self.ticks(changes))
    }

    @Test func packedRefsRewrittenAloneTicks() async throws {
        let remote = try await Remote()
        defer { remote.remove() }
        try await remote.bare.git(["pack-refs", "--all"])
        let watcher = try RefWatcher(gitDirectory: remote.bare.path)
        defer { watcher.stop() }
        let changes = watcher.changes()
        // An unrelated file of the git folder does not tick (a stream whose wait timed out is finished: use another).
        try remote.bare.write("changed\n", to: "description")
        #expect(await Self.ticks(watcher.changes(), within: 0.3) == false)
        // Only packed-refs changes (written aside, then renamed, as git does).
        let packed = remote.bare.directory.appending("packed-refs")
        let main = try await remote.bare.git(["rev-parse", "main"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let contents = try String(contentsOfFile: packed, encoding: .utf8) + "\(main) refs/tags/packed\n"
        try remote.bare.write(contents, to: "packed-refs.new")
        try FileManager.default.moveItem(atPath: packed + ".new", toPath: packed + ".tmp")
        #expect(rename(packed + ".tmp", packed) == 0)
        #expect(await Self.ticks(changes))
        let refs = try GitRepository.open(discoveringFrom: remote.bare.path).references()
        #expect(refs["refs/tags/packed"] == main)
    }

    @Test func pollingFallbackTicks() async throws {
        let remote = try await Remote()
        defer { remote.remove() }
        let watcher = try RefWatcher(
            gitDirectory: remote.bare.path, usesInotify: false, pollingInterval: .milliseconds(50))
        defer { watcher.stop() }
        #expect(watcher.mode == .polling(.milliseconds(50)))
        let changes = watcher.changes()
        try await remote.push("main", "two\n")
        #expect(await Self.ticks(changes))
        try await remote.clone.git(["tag", "v1"])
        try await remote.clone.git(["push", "-q", "origin", "v1"])
        #expect(await Self.ticks(changes))
    }

    @Test func linkedWorkTreeWatchesTheMainRepositorysRefs() async throws {
        let remote = try await Remote()
        defer { remote.remove() }
        let linked = remote.clone.path + "-linked"
        defer { try? FileManager.default.removeItem(atPath: linked) }
        try await remote.clone.git(["worktree", "add", "-q", "-b", "side", linked])
        let repository = try GitRepository.open(discoveringFrom: linked)
        let watcher = try RefWatcher(gitDirectory: repository.gitDirectory)
        defer { watcher.stop() }
        #expect(watcher.gitDirectory == remote.clone.path + "/.git")
        let changes = watcher.changes()
        try await remote.clone.git(["branch", "another"])
        #expect(await Self.ticks(changes))
    }

    @Test func stopFinishesTheStreams() async throws {
        let remote = try await Remote()
        defer { remote.remove() }
        let watcher = try RefWatcher(gitDirectory: remote.bare.path)
        let changes = watcher.changes()
        watcher.stop()
        var count = 0
        for await _ in changes { count += 1 }
        #expect(count == 0)
        var afterStop = 0
        for await _ in watcher.changes() { afterStop += 1 }
        #expect(afterStop == 0)
    }

    @Test func missingFolderIsRejected() {
        #expect(throws: GitError.self) { try RefWatcher(gitDirectory: "/nonexistent/cibox-watch") }
    }
}
