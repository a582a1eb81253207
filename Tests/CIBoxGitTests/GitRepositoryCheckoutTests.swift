// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

@testable import CIBoxGit

@Suite struct GitRepositoryCheckoutTests {
    @Test func checksOutABranchAsAStandaloneRepository() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        let destination = try TemporaryDirectory(prefix: "cibox-dest")
        defer { destination.remove() }
        let before = DirectorySnapshot(of: sample.path)
        #expect(before.entries[".git/index"] != nil && before.entries["src/nested/deep.txt"] != nil)
        let target = destination.appending("workspace")
        do {
            let repository = try GitRepository.open(discoveringFrom: sample.path)
            let resolved = try repository.resolve("main")
            try repository.checkout(resolved.commit, into: target, branch: resolved.branch)
        }
        #expect(DirectorySnapshot(of: sample.path) == before)

        try expectFiles(in: target, readme: "hello again\n")
        #expect(try await git(in: target, ["rev-parse", "HEAD"]) == sample.second)
        #expect(try await git(in: target, ["symbolic-ref", "HEAD"]) == "refs/heads/main")
        #expect(try await git(in: target, ["status", "--porcelain"]) == "")
        #expect(try await git(in: target, ["log", "-1", "--format=%H %s"]) == "\(sample.second) Second commit")
        #expect(try await git(in: target, ["remote", "get-url", "origin"]) == sample.path)
        let alternates = try String(contentsOfFile: target + "/.git/objects/info/alternates", encoding: .utf8)
        #expect(alternates == sample.path + "/.git/objects\n")
    }

    @Test func checksOutADetachedCommitIntoAnEmptyFolder() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        let destination = try TemporaryDirectory(prefix: "cibox-dest")
        defer { destination.remove() }
        let repository = try GitRepository.open(discoveringFrom: sample.path)
        let resolved = try repository.resolve("v1-light")
        try repository.checkout(resolved.commit, into: destination.path, branch: nil)

        try expectFiles(in: destination.path, readme: "hello\n")
        #expect(try await git(in: destination.path, ["rev-parse", "HEAD"]) == sample.first)
        #expect(try await git(in: destination.path, ["rev-parse", "--abbrev-ref", "HEAD"]) == "HEAD")
        #expect(try await git(in: destination.path, ["status", "--porcelain"]) == "")
    }

    @Test func leavesABareSourceUntouched() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        let bare = try await sample.bareClone()
        defer { bare.directory.remove() }
        let destination = try TemporaryDirectory(prefix: "cibox-dest")
        defer { destination.remove() }
        let before = DirectorySnapshot(of: bare.path)
        #expect(before.entries["HEAD"] != nil && before.entries["packed-refs"] != nil)
        let target = destination.appending("workspace")
        do {
            let repository = try GitRepository.open(discoveringFrom: bare.path)
            let resolved = try repository.resolve("feature")
            try repository.checkout(resolved.commit, into: target, branch: resolved.branch)
        }
        #expect(DirectorySnapshot(of: bare.path) == before)
        #expect(!FileManager.default.fileExists(atPath: bare.path + "/index"))

        try expectFiles(in: target, readme: "hello\n")
        #expect(try await git(in: target, ["rev-parse", "HEAD"]) == sample.first)
        #expect(try await git(in: target, ["symbolic-ref", "HEAD"]) == "refs/heads/feature")
        #expect(try await git(in: target, ["status", "--porcelain"]) == "")
        #expect(try await git(in: target, ["remote", "get-url", "origin"]) == bare.path)
    }

    @Test func checksOutFromALinkedWorkTree() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        let linked = try TemporaryDirectory(prefix: "cibox-linked")
        defer { linked.remove() }
        try await sample.git(["worktree", "add", "-q", linked.appending("tree"), "feature"])
        let destination = try TemporaryDirectory(prefix: "cibox-dest")
        defer { destination.remove() }
        let repository = try GitRepository.open(discoveringFrom: linked.appending("tree"))
        #expect(repository.workingDirectory == linked.appending("tree"))
        let resolved = try repository.resolve("HEAD")
        #expect(resolved.branch == "feature")
        try repository.checkout(resolved.commit, into: destination.path, branch: resolved.branch)
        let alternates = try String(
            contentsOfFile: destination.appending(".git/objects/info/alternates"), encoding: .utf8)
        #expect(alternates == sample.path + "/.git/objects\n")
        #expect(try await git(in: destination.path, ["rev-parse", "HEAD"]) == sample.first)
        #expect(try await git(in: destination.path, ["status", "--porcelain"]) == "")
    }

    @Test func refusesARelativeOrNonEmptyFolder() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        let destination = try TemporaryDirectory(prefix: "cibox-dest")
        defer { destination.remove() }
        try destination.write("keep\n", to: "keep.txt")
        let repository = try GitRepository.open(discoveringFrom: sample.path)
        let commit = try repository.resolve("HEAD").commit

        let relative = try #require(throws: GitError.self) {
            try repository.checkout(commit, into: "relative/folder", branch: nil)
        }
        #expect(relative.code == .invalidArgument)
        #expect(
            relative.message == "Cannot check out into 'relative/folder': the path must be absolute. Pass a full path.")

        let nonEmpty = try #require(throws: GitError.self) {
            try repository.checkout(commit, into: destination.path, branch: nil)
        }
        #expect(nonEmpty.code == .invalidArgument)
        #expect(
            nonEmpty.message
                == "Cannot check out into '\(destination.path)': it already exists and is not an empty folder. "
                + "Pass a new path or remove it first.")
        #expect(try String(contentsOfFile: destination.appending("keep.txt"), encoding: .utf8) == "keep\n")
    }

    @Test func rejectsAnInvalidBranchNameAndCleansUp() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        let destination = try TemporaryDirectory(prefix: "cibox-dest")
        defer { destination.remove() }
        let repository = try GitRepository.open(discoveringFrom: sample.path)
        let commit = try repository.resolve("HEAD").commit
        let target = destination.appending("workspace")
        let error = try #require(throws: GitError.self) {
            try repository.checkout(commit, into: target, branch: "bad..name")
        }
        #expect(error.code == .invalidArgument)
        #expect(error.message.hasPrefix("'bad..name' is not a valid branch name: "))
        #expect(!FileManager.default.fileExists(atPath: target))
    }

    @Test func reportsACommitThatIsNotInTheRepository() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        let destination = try TemporaryDirectory(prefix: "cibox-dest")
        defer { destination.remove() }
        let repository = try GitRepository.open(discoveringFrom: sample.path)
        var commit = try repository.resolve("HEAD").commit
        commit.sha = String(repeating: "ab", count: 20)
        let error = try #require(throws: GitError.self) {
            try repository.checkout(commit, into: destination.path, branch: nil)
        }
        #expect(error.code == .revisionNotFound)
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination.path).isEmpty)
    }

    /// Checks the sample's files: contents, nested folders, the executable bit and the symlink.
    private func expectFiles(in directory: String, readme: String) throws {
        let files = FileManager.default
        #expect(try String(contentsOfFile: directory + "/README.md", encoding: .utf8) == readme)
        #expect(try String(contentsOfFile: directory + "/src/nested/deep.txt", encoding: .utf8) == "deep\n")
        let tool = try files.attributesOfItem(atPath: directory + "/tool.sh")
        let toolMode = try #require(tool[.posixPermissions] as? NSNumber).intValue
        #expect(toolMode & 0o111 == 0o111)
        let readmeMode = try #require(
            files.attributesOfItem(atPath: directory + "/README.md")[.posixPermissions] as? NSNumber)
        #expect(readmeMode.intValue & 0o111 == 0)
        let link = try files.attributesOfItem(atPath: directory + "/link")
        #expect(link[.type] as? FileAttributeType == .typeSymbolicLink)
        #expect(try files.destinationOfSymbolicLink(atPath: directory + "/link") == "README.md")
    }
}

@Suite struct CheckoutFilterTests {
    /// Checks out HEAD of `fixture` and returns `a.txt`'s bytes and whether the checkout was clean for git.
    static func checkedOut(_ fixture: GitFixture) async throws -> (bytes: [UInt8], status: String) {
        let destination = try TemporaryDirectory(prefix: "cibox-dest")
        defer { destination.remove() }
        let repository = try GitRepository.open(discoveringFrom: fixture.path)
        try repository.checkout(try repository.resolve("HEAD").commit, into: destination.path, branch: "main")
        let bytes = Array(FileManager.default.contents(atPath: destination.appending("sub/a.txt")) ?? Data())
        let status = try await GitFixture.git(["status", "--porcelain"], in: destination.path)
        return (bytes, status)
    }

    @Test func filesAreWrittenAsStoredWithoutAttributes() async throws {
        let fixture = try await GitFixture()
        defer { fixture.remove() }
        try fixture.write("x\ny\n", to: "sub/a.txt")
        try await fixture.commitAll("plain")
        let repository = try GitRepository.open(discoveringFrom: fixture.path)
        #expect(try repository.checkoutMayFilter(try repository.resolve("HEAD").commit) == false)
        let (bytes, status) = try await Self.checkedOut(fixture)
        #expect(bytes == Array("x\ny\n".utf8))
        #expect(status == "")
    }

    @Test func aGitattributesDeepInTheTreeStillConvertsLineEndings() async throws {
        let fixture = try await GitFixture()
        defer { fixture.remove() }
        try fixture.write("x\ny\n", to: "sub/a.txt")
        try fixture.write("*.txt eol=crlf\n", to: "sub/.gitattributes")
        try await fixture.commitAll("crlf")
        let repository = try GitRepository.open(discoveringFrom: fixture.path)
        #expect(try repository.checkoutMayFilter(try repository.resolve("HEAD").commit))
        #expect(try await Self.checkedOut(fixture).bytes == Array("x\r\ny\r\n".utf8))
    }

    @Test func coreAutocrlfTurnsTheFiltersOn() async throws {
        let fixture = try await GitFixture()
        defer { fixture.remove() }
        try fixture.write("x\n", to: "sub/a.txt")
        try await fixture.commitAll("plain")
        try await fixture.git(["config", "core.autocrlf", "true"])
        let repository = try GitRepository.open(discoveringFrom: fixture.path)
        #expect(try repository.checkoutMayFilter(try repository.resolve("HEAD").commit))
    }
}
