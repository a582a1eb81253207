// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxGit
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct GitRepositoryWorkingTreeTests {
    @Test func overlaysUncommittedChanges() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        try sample.fixture.write("changed, not staged\n", to: "README.md")
        try sample.fixture.write("new and staged\n", to: "staged.txt")
        try await sample.git(["add", "staged.txt"])
        try sample.fixture.write("untracked\n", to: "untracked/u.txt")
        try FileManager.default.createSymbolicLink(atPath: sample.path + "/new-link", withDestinationPath: "staged.txt")
        try FileManager.default.removeItem(atPath: sample.path + "/src/nested/deep.txt")
        try sample.fixture.write("ignored\n", to: "debug.log")
        try sample.fixture.write("#!/bin/sh\n", to: "run.sh")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sample.path + "/run.sh")
        let destination = try TemporaryDirectory(prefix: "cibox-dest")
        defer { destination.remove() }
        let before = DirectorySnapshot(of: sample.path)
        let target = destination.appending("workspace")
        do {
            let repository = try GitRepository.open(discoveringFrom: sample.path)
            try repository.checkoutWorkingTree(into: target)
        }
        #expect(DirectorySnapshot(of: sample.path) == before)

        let files = FileManager.default
        #expect(try String(contentsOfFile: target + "/README.md", encoding: .utf8) == "changed, not staged\n")
        #expect(try String(contentsOfFile: target + "/staged.txt", encoding: .utf8) == "new and staged\n")
        #expect(try String(contentsOfFile: target + "/untracked/u.txt", encoding: .utf8) == "untracked\n")
        #expect(try files.destinationOfSymbolicLink(atPath: target + "/new-link") == "staged.txt")
        #expect(!files.fileExists(atPath: target + "/src/nested/deep.txt"))
        #expect(!files.fileExists(atPath: target + "/src"))
        #expect(!files.fileExists(atPath: target + "/debug.log"))
        let runMode = try #require(files.attributesOfItem(atPath: target + "/run.sh")[.posixPermissions] as? NSNumber)
        #expect(runMode.intValue == 0o755)
        #expect(try String(contentsOfFile: target + "/tool.sh", encoding: .utf8) == "#!/bin/sh\necho tool\n")
        #expect(try await git(in: target, ["rev-parse", "HEAD"]) == sample.second)
        #expect(try await git(in: target, ["symbolic-ref", "HEAD"]) == "refs/heads/main")
        let status = try await git(in: target, ["status", "--porcelain", "--untracked-files=all"])
        let expectedStatus = [
            " M README.md", " D src/nested/deep.txt", "?? new-link", "?? run.sh", "?? staged.txt", "?? untracked/u.txt",
        ]
        #expect(status.split(separator: "\n").map(String.init).sorted() == expectedStatus.sorted())
    }

    @Test func copiesACleanWorkTreeAsHEAD() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        let destination = try TemporaryDirectory(prefix: "cibox-dest")
        defer { destination.remove() }
        try GitRepository.open(discoveringFrom: sample.path).checkoutWorkingTree(into: destination.path)
        #expect(try await git(in: destination.path, ["status", "--porcelain"]) == "")
        #expect(try String(contentsOfFile: destination.appending("README.md"), encoding: .utf8) == "hello again\n")
    }

    @Test func replacesAFolderWithAFileAndAFileWithAFolder() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        try FileManager.default.removeItem(atPath: sample.path + "/src")
        try sample.fixture.write("src is a file now\n", to: "src")
        try FileManager.default.removeItem(atPath: sample.path + "/README.md")
        try sample.fixture.write("inside\n", to: "README.md/inside.txt")
        let destination = try TemporaryDirectory(prefix: "cibox-dest")
        defer { destination.remove() }
        try GitRepository.open(discoveringFrom: sample.path).checkoutWorkingTree(into: destination.path)
        #expect(try String(contentsOfFile: destination.appending("src"), encoding: .utf8) == "src is a file now\n")
        #expect(
            try String(contentsOfFile: destination.appending("README.md/inside.txt"), encoding: .utf8) == "inside\n")
    }

    @Test func refusesABareRepository() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        let bare = try await sample.bareClone()
        defer { bare.directory.remove() }
        let destination = try TemporaryDirectory(prefix: "cibox-dest")
        defer { destination.remove() }
        let repository = try GitRepository.open(discoveringFrom: bare.path)
        let error = try #require(throws: GitError.self) { try repository.checkoutWorkingTree(into: destination.path) }
        #expect(error.code == .invalidArgument)
        #expect(
            error.message
                == "Cannot use the work tree of '\(bare.path)': it is a bare repository, which has no work tree. "
                + "Pick a branch, tag or commit instead.")
    }

    @Test func refusesARepositoryWithoutCommits() async throws {
        let empty = try await GitFixture()
        defer { empty.remove() }
        try empty.write("file\n", to: "file.txt")
        let destination = try TemporaryDirectory(prefix: "cibox-dest")
        defer { destination.remove() }
        let error = try #require(throws: GitError.self) {
            try GitRepository.open(discoveringFrom: empty.path).checkoutWorkingTree(into: destination.path)
        }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("has no commit yet"))
    }
}
