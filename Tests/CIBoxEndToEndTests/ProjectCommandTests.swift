// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

@Suite(.serialized, .machineSlot) struct ProjectCommandTests {
    static let config = """
        version: 2.1
        jobs:
          hello:
            steps:
              - run: echo "hello from $CIRCLE_BRANCH"
        workflows:
          main:
            jobs:
              - hello
        """

    /// A bare repository (folder name `app.git`) cloned from a work tree with the config on main and `dev`.
    static func bareRepository() async throws -> (work: GitFixture, bare: String) {
        let work = try await Repositories.with(config: config)
        try await work.git(["branch", "dev"])
        let bare = work.path + "-bare/app.git"
        try await GitFixture.git(["clone", "-q", "--bare", work.path, bare], in: nil)
        return (work, bare)
    }

    @Test func addListTriggerRemove() async throws {
        let cli = try CLI()
        let (work, bare) = try await Self.bareRepository()
        defer {
            cli.home.remove()
            work.remove()
            try? FileManager.default.removeItem(atPath: work.path + "-bare")
        }
        let added = try await cli.run(["project", "add", bare])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("added project 'app'"))
        let again = try await cli.run(["project", "add", bare + "/refs"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("already project 'app'"))

        let listed = try await cli.run(["project", "list", "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let projects = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(projects.count == 1)
        #expect(projects.first?.string("name") == "app")
        #expect(projects.first?.string("path") == bare)
        #expect(projects.first?.int("refs") == 2)
        // Adding builds nothing.
        #expect(try await cli.run(["pipelines"]).stdout.contains("hello") == false)

        let triggered = try await cli.run(["trigger", "app", "--branch", "dev", "--json"])
        #expect(triggered.status == 0, "\(triggered.stderr)")
        let pipeline = try CLI.object(triggered)
        #expect(pipeline.string("status") == "success")
        #expect(pipeline.string("trigger") == "api")
        #expect(pipeline.string("branch") == "dev")
        #expect(pipeline.string("project") == "app" || pipeline.string("project_name") == "app")

        let bySha = try await cli.run(["trigger", "app", "--rev", "main", "--json"])
        #expect(bySha.status == 0, "\(bySha.stderr)")
        #expect(try CLI.object(bySha).int("number") == 2)

        let removed = try await cli.run(["project", "remove", "app"])
        #expect(removed.status == 0, "\(removed.stderr)")
        let empty = try await cli.run(["project", "list", "--json"])
        #expect(empty.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
    }

    @Test func namedWorkTreeAndErrors() async throws {
        let cli = try CLI()
        let work = try await Repositories.with(config: Self.config)
        defer { cli.home.remove(); work.remove() }
        let added = try await cli.run(["project", "add", work.path, "--name", "web"])
        #expect(added.status == 0, "\(added.stderr)")
        let listed = try await cli.run(["project", "list"])
        #expect(listed.stdout.contains("web\t\(work.path)\t1 ref(s)"))

        let notRepo = try await cli.run(["project", "add", cli.home.path])
        #expect(notRepo.status == 2)
        #expect(notRepo.stderr.contains("is not inside a git repository"))
        let unknown = try await cli.run(["trigger", "nope"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("No project named 'nope'"))
        let badRev = try await cli.run(["trigger", "web", "--rev", "no-such-branch"])
        #expect(badRev.status == 2)
        let both = try await cli.run(["trigger", "web", "--rev", "main", "--branch", "main"])
        #expect(both.status != 0)
        let removeUnknown = try await cli.run(["project", "remove", "nope"])
        #expect(removeUnknown.status == 2)
    }

    /// Root opening a repository owned by `nobody`: libgit2's owner check refuses it, with the stated policy.
    @Test(.enabled(if: getuid() == 0, "needs root to give a repository to another user"))
    func repositoryOwnedByAnotherUserIsRefusedWithThePolicy() async throws {
        let cli = try CLI()
        let folder = try TemporaryDirectory(prefix: "cibox-owner")
        defer { cli.home.remove(); folder.remove() }
        let bare = folder.appending("other.git")
        try await GitFixture.git(["init", "-q", "--bare", bare], in: nil)
        try await ProcessRunner.run("/bin/chown", ["-R", "65534:65534", bare])
        let output = try await ProcessRunner.run(
            CLI.binary, ["project", "add", bare, "--home", cli.home.path],
            environment: ["HOME": folder.path, "XDG_CONFIG_HOME": folder.path, "GIT_CONFIG_NOSYSTEM": "1"])
        #expect(output.status == 2)
        #expect(output.stderr.contains("'\(bare)' is owned by another user"), "\(output.stderr)")
        #expect(output.stderr.contains("safe.directory \(bare)"))
        #expect(
            try await cli.run(["project", "list", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                == "[]")
    }
}
