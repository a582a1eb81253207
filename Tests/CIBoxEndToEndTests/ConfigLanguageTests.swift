// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

@Suite(.serialized, .machineSlot) struct ConfigLanguageTests {
    static let orbConfig = """
        version: 2.1
        orbs:
          greet: acme/greet@1.2.3
        workflows:
          w:
            jobs:
              - greet/hello:
                  who: cibox
        """

    static let greetOrb = """
        version: 2.1
        commands:
          say:
            parameters:
              text: {type: string}
            steps:
              - run: echo "<< parameters.text >>"
        jobs:
          hello:
            parameters:
              who: {type: string, default: world}
            steps:
              - say: {text: "hello << parameters.who >>"}
        """

    @Test func registryOrbComesFromTheStoreOrIsAClearError() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(config: Self.orbConfig)
        defer { cli.home.remove(); repo.remove() }
        let missing = try await cli.run(["run", repo.path])
        #expect(missing.status == 2)
        #expect(
            missing.stderr.hasPrefix(
                ".circleci/config.yml:3:10: error: orb 'acme/greet@1.2.3' is not available offline: the orb store '\(cli.home.path)/orbs' has no version of acme/greet; add it with `cibox orb add FILE --name acme/greet@1.2.3` (FILE packed by `cibox orb pack` from the orb's source), or commit it as '.circleci/orbs/acme/greet@1.2.3.yml'"
            ), "\(missing.stderr)")
        let allowed = try await cli.run(["validate", repo.path, "--allow-missing-orbs"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        try cli.home.write(Self.greetOrb, to: "orbs/acme/greet@1.2.3.yml")
        let run = try await cli.run(["run", repo.path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let job = try CLI.object(run).objects("workflows")[0].objects("jobs")[0]
        #expect(job.string("name") == "greet/hello")
        #expect(try await cli.run(["logs", String(job.int("id") ?? 0), "--step", "0"]).stdout == "hello cibox\n")
    }

    @Test func projectOrbsAtTheCommitWinOverTheStore() async throws {
        let cli = try CLI()
        let projectOrb = Self.greetOrb.replacingOccurrences(
            of: "hello << parameters.who >>", with: "project << parameters.who >>")
        let repo = try await Repositories.with(
            config: Self.orbConfig, files: [".circleci/orbs/acme/greet@1.2.3.yml": projectOrb])
        defer { cli.home.remove(); repo.remove() }
        try cli.home.write(Self.greetOrb, to: "orbs/acme/greet@1.2.3.yml")
        // An uncommitted edit of the project's orb is not what the commit runs.
        try repo.write("not: an orb", to: ".circleci/orbs/acme/greet@1.2.3.yml")
        let run = try await cli.run(["run", repo.path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let job = try CLI.object(run).objects("workflows")[0].objects("jobs")[0]
        #expect(try await cli.run(["logs", String(job.int("id") ?? 0), "--step", "0"]).stdout == "project cibox\n")
    }

    @Test func missingOrbJobsFailAtRunTimeWithTheSameMessage() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(config: Self.orbConfig)
        defer { cli.home.remove(); repo.remove() }
        let run = try await cli.run(["run", repo.path, "--allow-missing-orbs", "--json"])
        #expect(run.status == 1)
        let job = try CLI.object(run).objects("workflows")[0].objects("jobs")[0]
        #expect(job.string("status") == "failed")
        let log = try await cli.run(["logs", String(job.int("id") ?? 0), "--step", "0"]).stdout
        #expect(log.contains("orb 'acme/greet@1.2.3' is not available offline"))
    }

    @Test func configProcessPrintsTheExpandedConfig() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                parameters:
                  greeting: {type: string, default: hi}
                commands:
                  hello:
                    parameters:
                      name: {type: string}
                    steps:
                      - run: echo << pipeline.parameters.greeting >> << parameters.name >>
                jobs:
                  build:
                    parameters:
                      os: {type: string}
                    steps:
                      - hello: {name: << parameters.os >>}
                workflows:
                  w:
                    jobs:
                      - build:
                          matrix:
                            parameters:
                              os: [linux, mac]
                """
        )
        defer { cli.home.remove(); repo.remove() }
        let processed = try await cli.run(["config", "process", repo.path, "--param", "greeting=hello"])
        #expect(processed.status == 0, "\(processed.stderr)")
        #expect(processed.stdout.contains("build-linux"))
        #expect(processed.stdout.contains("build-mac"))
        #expect(processed.stdout.contains("echo hello linux"))
        #expect(!processed.stdout.contains("<<"))
        #expect(!processed.stdout.contains("commands:"))
        let plan = try await cli.run(["config", "process", repo.path, "--json"])
        #expect(plan.status == 0)
        #expect(plan.stdout.contains("\"name\" : \"build-mac\""))
        let run = try await cli.run(["run", repo.path, "--param", "greeting=hey", "--json"])
        let jobs = try CLI.object(run).objects("workflows")[0].objects("jobs")
        #expect(jobs.map { $0.string("name") } == ["build-linux", "build-mac"])
        #expect(try await cli.run(["logs", String(jobs[1].int("id") ?? 0), "--step", "0"]).stdout == "hey mac\n")
        let bad = try await cli.run(["run", repo.path, "--param", "nope=1"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("unknown pipeline parameter 'nope'"))
    }

    @Test func setupWorkflowContinuesThePipelineLocally() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                setup: true
                orbs:
                  continuation: circleci/continuation@1.0.0
                jobs:
                  generate:
                    steps:
                      - checkout
                      - run: |
                          mkdir -p generated
                          printf 'version: 2.1\\nparameters:\\n  target: {type: string, default: none}\\njobs:\\n  build:\\n    steps:\\n      - run: echo building \\<< pipeline.parameters.target >>\\nworkflows:\\n  continued:\\n    jobs: [build]\\n' > generated/config.yml
                          echo '{"target": "release"}' > params.json
                      - continuation/continue:
                          configuration_path: generated/config.yml
                          parameters: params.json
                workflows:
                  setup:
                    jobs: [generate]
                """
        )
        defer { cli.home.remove(); repo.remove() }
        let workflows = try await cli.succeededWorkflows(repo.path)
        #expect(workflows.map { $0.string("name") } == ["setup", "continued"])
        let build = workflows[1].objects("jobs")[0]
        #expect(
            try await cli.run(["logs", String(build.int("id") ?? 0), "--step", "0"]).stdout == "building release\n")
        let rerun = try await cli.run(["rerun", "1"])
        #expect(rerun.status == 2)
        #expect(
            rerun.stderr
                == "error: Pipeline 1 comes from a setup config; cibox cannot rerun it from history. Run `cibox run` again for the same commit.\n"
        )
    }

    @Test(.enabled(if: Corpus.isAvailable, "the CircleCI corpus (../shared/corpus) is not beside the project"))
    func everyCorpusConfigValidatesWithMissingOrbsAllowed() async throws {
        let cli = try CLI()
        defer { cli.home.remove() }
        let folders = [Corpus.configs, Corpus.continuations]
        var checked = 0
        for folder in folders {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yml") }
            for name in names.sorted() {
                let output = try await cli.run(["validate", folder + "/" + name, "--allow-missing-orbs"])
                #expect(output.status == 0, "\(name): \(output.stderr.suffix(600))")
                checked += 1
            }
        }
        #expect(checked == 47)
    }
}
