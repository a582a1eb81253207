// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// A real git repository in a temp folder, built with the `git` program (tests only; `Sources/` never runs git).
package struct GitFixture: Sendable {
    /// The temp folder holding the repository.
    package let directory: TemporaryDirectory
    /// The repository's work tree (or the bare repository's folder).
    package var path: String { directory.path }

    /// Makes a repository with `main` as its first branch and a fixed identity.
    package init(bare: Bool = false) async throws {
        directory = try TemporaryDirectory(prefix: "cibox-repo")
        var args = ["init", "-q", "-b", "main"]
        if bare { args.append("--bare") }
        args.append(directory.path)
        try await Self.git(args, in: nil)
        if !bare {
            try await git(["config", "user.email", "test@example.com"])
            try await git(["config", "user.name", "cibox test"])
            try await git(["config", "commit.gpgsign", "false"])
        }
    }

    /// Writes `contents` to `relative` in the work tree.
    package func write(_ contents: String, to relative: String) throws {
        try directory.write(contents, to: relative)
    }

    /// Stages everything and commits it; returns the new commit's full sha.
    @discardableResult
    package func commitAll(_ message: String = "commit") async throws -> String {
        try await git(["add", "-A"])
        try await git(["commit", "-q", "--allow-empty", "-m", message])
        return try await git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs git in the repository and returns its standard output; throws when git fails.
    @discardableResult
    package func git(_ arguments: [String]) async throws -> String {
        try await Self.git(arguments, in: path)
    }

    /// Runs git in `directory` and returns its standard output; throws when git fails.
    @discardableResult
    package static func git(_ arguments: [String], in directory: String?) async throws -> String {
        let env = [
            "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "cibox test", "GIT_AUTHOR_EMAIL": "test@example.com",
            "GIT_COMMITTER_NAME": "cibox test", "GIT_COMMITTER_EMAIL": "test@example.com",
        ]
        let output = try await ProcessRunner.run("/usr/bin/git", arguments, in: directory, environment: env)
        guard output.status == 0 else {
            throw FixtureError("git \(arguments.joined(separator: " ")) failed (\(output.status)): \(output.stderr)")
        }
        return output.stdout
    }

    /// Removes the repository.
    package func remove() {
        directory.remove()
    }
}

/// A fixture could not be built.
package struct FixtureError: Error, CustomStringConvertible {
    /// What failed.
    package var description: String

    /// Makes an error.
    package init(_ description: String) {
        self.description = description
    }
}
