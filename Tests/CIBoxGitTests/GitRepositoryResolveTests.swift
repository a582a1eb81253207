// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxGit
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct GitRepositoryResolveTests {
    /// A revision to resolve and what it should give.
    enum Case: String, CaseIterable, CustomTestStringConvertible {
        case head, branch, fullBranchName, otherBranch, lightweightTag, annotatedTag, shortSHA, fullSHA, revspec

        var testDescription: String { rawValue }

        func revision(in sample: SampleRepository) -> String {
            switch self {
            case .head: "HEAD"
            case .branch: "main"
            case .fullBranchName: "refs/heads/feature"
            case .otherBranch: "feature"
            case .lightweightTag: "v1-light"
            case .annotatedTag: "v2"
            case .shortSHA: String(sample.first.prefix(7))
            case .fullSHA: sample.second
            case .revspec: "main~1"
            }
        }

        /// The expected sha, branch and tag.
        func expected(in sample: SampleRepository) -> (sha: String, branch: String?, tag: String?) {
            switch self {
            case .head, .branch: (sample.second, "main", nil)
            case .fullBranchName, .otherBranch: (sample.first, "feature", nil)
            case .lightweightTag: (sample.first, nil, "v1-light")
            case .annotatedTag: (sample.second, nil, "v2")
            case .shortSHA, .revspec: (sample.first, nil, nil)
            case .fullSHA: (sample.second, nil, nil)
            }
        }
    }

    @Test(arguments: Case.allCases)
    func resolvesRevisions(_ testCase: Case) async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        let repository = try GitRepository.open(discoveringFrom: sample.path)
        let resolved = try repository.resolve(testCase.revision(in: sample))
        let expected = testCase.expected(in: sample)
        #expect(resolved.commit.sha == expected.sha)
        #expect(resolved.branch == expected.branch)
        #expect(resolved.tag == expected.tag)
    }

    @Test func describesTheCommit() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        let repository = try GitRepository.open(discoveringFrom: sample.path)
        let commit = try repository.resolve("feature").commit
        #expect(commit.sha == sample.first)
        #expect(commit.treeID == (try await sample.git(["rev-parse", "feature^{tree}"])))
        #expect(commit.summary == "First commit")
        #expect(commit.authorName == "cibox test")
        #expect(commit.authorEmail == "test@example.com")
        #expect(commit.date == Date(timeIntervalSince1970: 1_767_225_600))
        #expect(try repository.resolve("HEAD").commit.treeID == (try await sample.git(["rev-parse", "HEAD^{tree}"])))
    }

    @Test func resolvesHEADWhenDetached() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        try await sample.git(["checkout", "-q", "--detach", "feature"])
        let resolved = try GitRepository.open(discoveringFrom: sample.path).resolve("HEAD")
        #expect(resolved == ResolvedRevision(commit: resolved.commit, branch: nil, tag: nil))
        #expect(resolved.commit.sha == sample.first)
    }

    @Test func reportsAnUnknownRevision() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        let repository = try GitRepository.open(discoveringFrom: sample.path)
        let error = try #require(throws: GitError.self) { try repository.resolve("no-such-branch") }
        #expect(error.code == .revisionNotFound)
        #expect(
            error.message.hasPrefix(
                "Revision 'no-such-branch' not found in repository '\(sample.path)' "
                    + "(use a branch, a tag, or a sha of a commit in it): "))
        #expect(error.function == "git_revparse_single")
    }

    @Test func listsBranchesAndTags() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        let references = try GitRepository.open(discoveringFrom: sample.path).references()
        #expect(
            references == [
                "refs/heads/main": sample.second, "refs/heads/feature": sample.first,
                "refs/tags/v1-light": sample.first, "refs/tags/v2": sample.second,
            ])
    }

    @Test func readsFilesAtACommit() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        let repository = try GitRepository.open(discoveringFrom: sample.path)
        let first = try repository.resolve(sample.first).commit
        let second = try repository.resolve("main").commit
        #expect(try repository.readFile("README.md", at: first) == Data("hello\n".utf8))
        #expect(try repository.readFile("README.md", at: second) == Data("hello again\n".utf8))
        #expect(try repository.readFile("src/nested/deep.txt", at: second) == Data("deep\n".utf8))
        #expect(try repository.readFile("/src/nested/deep.txt", at: second) == Data("deep\n".utf8))
        #expect(try repository.readFile("link", at: second) == Data("README.md".utf8))
        #expect(try repository.readFile("missing.txt", at: second) == nil)
        #expect(try repository.readFile("src/missing/deep.txt", at: second) == nil)
        #expect(try repository.readFile("src", at: second) == nil)
        let error = try #require(throws: GitError.self) { try repository.readFile("", at: second) }
        #expect(error.code == .invalidArgument)
    }

    @Test func listsTheFilesOfAFolderAtACommit() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        let repository = try GitRepository.open(discoveringFrom: sample.path)
        let commit = try repository.resolve("main").commit
        #expect(try repository.fileNames(inFolder: "", at: commit) == [".gitignore", "README.md", "link", "tool.sh"])
        #expect(try repository.fileNames(inFolder: "/src/nested", at: commit) == ["deep.txt"])
        #expect(try repository.fileNames(inFolder: "src", at: commit) == [])  // only a subfolder there
        #expect(try repository.fileNames(inFolder: "README.md", at: commit) == [])
        #expect(try repository.fileNames(inFolder: "missing/folder", at: commit) == [])
    }

    @Test func readsWorkTreeFiles() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        try sample.fixture.write("edited\n", to: "README.md")
        let repository = try GitRepository.open(discoveringFrom: sample.path)
        #expect(try repository.readWorkingTreeFile("README.md") == Data("edited\n".utf8))
        #expect(try repository.readWorkingTreeFile("src/nested/deep.txt") == Data("deep\n".utf8))
        #expect(try repository.readWorkingTreeFile("missing.txt") == nil)
        #expect(throws: GitError.self) { try repository.readWorkingTreeFile("../outside") }
        let folder = try #require(throws: GitError.self) { try repository.readWorkingTreeFile("src") }
        #expect(folder.code == .fileNotFound)
    }
}
