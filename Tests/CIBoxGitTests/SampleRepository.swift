// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation

/// A repository with two commits, a branch, a lightweight and an annotated tag, an executable and a symlink.
///
/// - `first`: README.md "hello\n", src/nested/deep.txt, tool.sh (mode 755), link -> README.md, .gitignore "*.log";
///   branch `feature` and lightweight tag `v1-light` point here.
/// - `second` (main, HEAD): README.md "hello again\n"; annotated tag `v2` points here.
struct SampleRepository {
    /// The repository (work tree at `fixture.path`).
    let fixture: GitFixture
    /// The first commit's sha.
    let first: String
    /// The second commit's sha (HEAD, main).
    let second: String

    /// The work tree's absolute path.
    var path: String { fixture.path }

    /// Builds the repository in a fresh temp folder.
    init() async throws {
        fixture = try await GitFixture()
        try fixture.write("hello\n", to: "README.md")
        try fixture.write("deep\n", to: "src/nested/deep.txt")
        try fixture.write("#!/bin/sh\necho tool\n", to: "tool.sh")
        try fixture.write("*.log\n", to: ".gitignore")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fixture.path + "/tool.sh")
        try FileManager.default.createSymbolicLink(atPath: fixture.path + "/link", withDestinationPath: "README.md")
        first = try await fixture.commitAll("First commit\n\nWith a body.")
        try await fixture.git(["branch", "feature"])
        try await fixture.git(["tag", "v1-light"])
        try fixture.write("hello again\n", to: "README.md")
        second = try await fixture.commitAll("Second commit")
        try await fixture.git(["tag", "-a", "v2", "-m", "Release 2"])
    }

    /// Runs git in the work tree and returns its output without the final newline.
    @discardableResult
    func git(_ arguments: [String]) async throws -> String {
        try await fixture.git(arguments).trimmingCharacters(in: .newlines)
    }

    /// A bare clone of this repository, at `<temp>/project.git`; remove `directory` when done.
    func bareClone() async throws -> (directory: TemporaryDirectory, path: String) {
        let directory = try TemporaryDirectory(prefix: "cibox-bare")
        let path = directory.appending("project.git")
        try await GitFixture.git(["clone", "-q", "--bare", fixture.path, path], in: nil)
        return (directory, path)
    }

    /// Removes the repository.
    func remove() {
        fixture.remove()
    }
}

/// Runs git with `-C directory` and returns its output without the final newline.
@discardableResult
func git(in directory: String, _ arguments: [String]) async throws -> String {
    try await GitFixture.git(["-C", directory] + arguments, in: nil).trimmingCharacters(in: .newlines)
}
