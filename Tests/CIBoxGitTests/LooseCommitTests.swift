// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxGit
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct LooseCommitTests {
    @Test func findsTheTreeOfALooseCommitAsLibgit2Does() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        let repository = try GitRepository.open(discoveringFrom: sample.path)
        let located = try #require(LooseCommit.repository(at: sample.path))
        #expect(located.workTree == repository.workingDirectory)
        #expect(located.gitDirectory == repository.gitDirectory)
        for commit in [sample.first, sample.second] {
            let treeID = LooseCommit.treeID(of: commit, gitDirectory: located.gitDirectory)
            #expect(treeID == (try await sample.git(["rev-parse", commit + "^{tree}"])))
            #expect(treeID == (try repository.resolve(commit).commit.treeID))
        }
    }

    @Test func resolvesSymbolicLinksAsLibgit2Does() async throws {
        let sample = try await SampleRepository()
        let links = try TemporaryDirectory()
        defer { sample.remove(); links.remove() }
        let link = links.appending("link-to-repository")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: sample.path)
        let repository = try GitRepository.open(discoveringFrom: link)
        let located = try #require(LooseCommit.repository(at: link))
        #expect(located.workTree == repository.workingDirectory)
        #expect(located.gitDirectory == repository.gitDirectory)
    }

    @Test func leavesPackedCommitsAndOtherLayoutsToLibgit2() async throws {
        let sample = try await SampleRepository()
        defer { sample.remove() }
        try await sample.git(["gc", "-q"])
        let gitDirectory = try #require(LooseCommit.repository(at: sample.path)?.gitDirectory)
        #expect(LooseCommit.treeID(of: sample.second, gitDirectory: gitDirectory) == nil)
        #expect(LooseCommit.treeID(of: "HEAD", gitDirectory: gitDirectory) == nil)
        #expect(LooseCommit.treeID(of: String(sample.second.prefix(12)), gitDirectory: gitDirectory) == nil)

        let bare = try await sample.bareClone()
        defer { bare.directory.remove() }
        #expect(LooseCommit.repository(at: bare.path) == nil)

        let linked = try TemporaryDirectory()
        defer { linked.remove() }
        try await sample.git(["worktree", "add", "-q", linked.appending("wt"), "feature"])
        #expect(LooseCommit.repository(at: linked.appending("wt")) == nil)

        try await sample.git(["config", "core.worktree", sample.path])
        #expect(LooseCommit.repository(at: sample.path) == nil)
        #expect(LooseCommit.repository(at: sample.path + "/src") == nil)
    }

    @Test func readsOnlyAWellFormedCommitHeader() {
        let tree = String(repeating: "ab", count: 20)
        func parse(_ text: String) -> String? {
            LooseCommit.treeID(inObjectStart: ArraySlice(Array(text.utf8)), idLength: 40)
        }
        #expect(parse("commit 230\u{0}tree \(tree)\nparent …") == tree)
        #expect(parse("blob 230\u{0}tree \(tree)\n") == nil)
        #expect(parse("commit 2x0\u{0}tree \(tree)\n") == nil)
        #expect(parse("commit 230\u{0}tree \(tree.uppercased())\n") == nil)
        #expect(parse("commit 230\u{0}tree \(tree.dropLast())\n") == nil)
        #expect(parse("commit 230\u{0}tree \(tree)") == nil)
        #expect(parse("commit 230\u{0}parent \(tree)\n") == nil)
    }
}
