// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxEngine
import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct CIBoxHomeTests {
    @Test func optionWinsThenEnvironmentThenHome() {
        #expect(CIBoxHome.resolve(option: "/x/y", environment: ["CIBOX_HOME": "/z", "HOME": "/h"]) == "/x/y")
        #expect(CIBoxHome.resolve(option: nil, environment: ["CIBOX_HOME": "/z", "HOME": "/h"]) == "/z")
        #expect(
            CIBoxHome.resolve(option: nil, environment: ["HOME": "/h"], packagedHome: nil) == "/h/.local/share/cibox")
        #expect(
            CIBoxHome.resolve(option: nil, environment: ["HOME": "/h"], packagedHome: "/var/lib/cibox")
                == "/var/lib/cibox")
        #expect(
            CIBoxHome.resolve(
                option: nil, environment: ["CIBOX_HOME": "/z", "HOME": "/h"], packagedHome: "/var/lib/cibox")
                == "/z")
        #expect(
            CIBoxHome.resolve(option: "", environment: ["CIBOX_HOME": "", "HOME": "/h/"], packagedHome: nil)
                == "/h/.local/share/cibox")
    }
}

@Suite struct PipelineEngineTests {
    static let config = """
        version: 2.1
        jobs:
          build:
            parallelism: 2
            steps: [checkout, {run: make}]
          deploy:
            steps: [{run: echo deploy}]
        workflows:
          ci:
            jobs:
              - build
              - deploy:
                  requires: [build]
                  filters: {branches: {only: release}}
        """

    @Test func prepareRecordsThePlanForTheBranch() async throws {
        let home = try TemporaryDirectory()
        let repo = try await GitFixture()
        defer { home.remove(); repo.remove() }
        try repo.write(Self.config, to: ".circleci/config.yml")
        let sha = try await repo.commitAll()
        let store = try PipelineStore(home: home.path)
        let engine = PipelineEngine(home: home.path, store: store)
        let prepared = try engine.prepare(RunOptions(path: repo.path + "/.circleci"))
        let pipeline = prepared.detail.pipeline
        #expect(pipeline.revision == sha)
        #expect(pipeline.branch == "main")
        #expect(pipeline.number == 1)
        #expect(pipeline.source == .commit)
        #expect(
            pipeline.treeID == (try await repo.git(["rev-parse", "HEAD^{tree}"])).trimmingCharacters(in: .newlines))
        // deploy is filtered out on main; build runs twice (parallelism 2).
        let jobs = prepared.detail.workflows[0].jobs
        #expect(jobs.map(\.job.name) == ["build", "build"])
        #expect(jobs.map(\.job.nodeIndex) == [0, 1])
        let again = try engine.prepare(RunOptions(path: repo.path))
        #expect(again.detail.pipeline.number == 2)
        #expect(again.detail.pipeline.configHash == pipeline.configHash)
    }

    @Test func missingConfigAndUnknownRevisionAreClearErrors() async throws {
        let home = try TemporaryDirectory()
        let repo = try await GitFixture()
        defer { home.remove(); repo.remove() }
        try repo.write("hello\n", to: "README")
        let sha = try await repo.commitAll()
        let engine = PipelineEngine(home: home.path, store: try PipelineStore(home: home.path))
        do {
            _ = try engine.prepare(RunOptions(path: repo.path))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .noConfig)
            #expect(
                error.message
                    == "No .circleci/config.yml in HEAD (\(sha.prefix(12))) of '\(repo.path)'. Commit one, or run with --working-tree to use the file on disk."
            )
        }
        do {
            _ = try engine.prepare(RunOptions(path: repo.path, revision: "no-such-branch"))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .noRepository)
            #expect(error.message.contains("no-such-branch"))
        }
    }
}

@Suite struct VerifiedTreeTests {
    static let config = """
        version: 2.1
        jobs:
          check:
            steps: [{run: "true"}]
        workflows:
          ci:
            jobs: [check]
        """

    @Test func aPassedTreeIsVerifiedQuicklyOrByCompilingWhenTheInputsChanged() async throws {
        let home = try TemporaryDirectory()
        let repo = try await GitFixture()
        defer { home.remove(); repo.remove() }
        try repo.write(Self.config, to: ".circleci/config.yml")
        try await repo.commitAll("first")
        let engine = PipelineEngine(home: home.path, store: try PipelineStore(home: home.path))
        var options = RunOptions(path: repo.path, revision: "HEAD", trigger: .prePush)
        options.pushedRef = "refs/heads/main"
        #expect(PipelineEngine.quicklyVerified(options, home: home.path) == nil)
        guard case .prepared(let prepared) = try engine.prepareUnlessVerified(options) else {
            Issue.record("nothing passed yet, yet the tree was verified")
            return
        }
        #expect(try await engine.run(prepared) == .success)

        try await repo.git(["commit", "-q", "--amend", "-m", "same tree"])
        options.revision = try await repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .newlines)
        let quick = PipelineEngine.quicklyVerified(options, home: home.path)
        #expect(quick?.id == prepared.detail.pipeline.id)
        #expect(quick?.number == 1)
        // The same answer once the commit is packed (read through libgit2 instead of as a loose object).
        try await repo.git(["gc", "-q"])
        #expect(PipelineEngine.quicklyVerified(options, home: home.path)?.id == prepared.detail.pipeline.id)

        // A new file in the orb store changes the compile inputs: no quick answer, but the plan is the same.
        try home.write("version: 2.1\n", to: "orbs/acme/tools@1.0.0.yml")
        #expect(PipelineEngine.quicklyVerified(options, home: home.path) == nil)
        guard case .verified(let pipeline) = try engine.prepareUnlessVerified(options) else {
            Issue.record("the same tree and plan were not verified")
            return
        }
        #expect(pipeline.id == prepared.detail.pipeline.id)
        #expect(PipelineEngine.quicklyVerified(options, home: home.path)?.id == prepared.detail.pipeline.id)

        // Another branch with other filters is another question.
        options.pushedRef = "refs/heads/other"
        #expect(PipelineEngine.quicklyVerified(options, home: home.path) == nil)
    }
}
