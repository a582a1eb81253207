// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

@Suite(.serialized, .machineSlot) struct ContextTests {
    @Test func contextAndProjectVariablesReachTheJobMasked() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  deploy:
                    steps:
                      - run: echo "token=$DEPLOY_TOKEN project=$PROJECT_SECRET plain=$PLAIN"
                workflows:
                  w:
                    jobs:
                      - deploy:
                          context: [production]
                """
        )
        defer { cli.home.remove(); repo.remove() }
        let project = URL(fileURLWithPath: repo.path).lastPathComponent
        try cli.home.write(
            "project_environment:\n  \(project):\n    PROJECT_SECRET: p-secret-42\n    PLAIN: abc\n", to: "settings.yml"
        )
        let set = try await cli.run(["context", "set", "production", "DEPLOY_TOKEN"], input: "tok-9f8e7d\n")
        #expect(set.status == 0, "\(set.stderr)")
        #expect(try await cli.run(["context", "list"]).stdout == "production: DEPLOY_TOKEN\n")
        let run = try await cli.run(["run", repo.path, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let job = try CLI.object(run).objects("workflows")[0].objects("jobs")[0]
        let log = try await cli.run(["logs", String(job.int("id") ?? 0), "--step", "0"]).stdout
        #expect(log == "token=**** project=**** plain=abc\n")
        let stored = try String(contentsOfFile: cli.home.path + "/contexts/production.json", encoding: .utf8)
        #expect(stored == #"{"DEPLOY_TOKEN":"tok-9f8e7d"}"#)
        let mode = try FileManager.default.attributesOfItem(atPath: cli.home.path + "/contexts/production.json")[
            .posixPermissions]
        #expect((mode as? NSNumber)?.intValue == 0o600)
    }

    @Test func missingContextFailsTheJobWithWhatToDo() async throws {
        let cli = try CLI()
        let repo = try await Repositories.with(
            config:
                "version: 2.1\njobs:\n  a:\n    steps: [{run: echo hi}]\nworkflows:\n  w:\n    jobs:\n      - a: {context: nowhere}\n"
        )
        defer { cli.home.remove(); repo.remove() }
        let run = try await cli.run(["run", repo.path, "--json"])
        #expect(run.status == 1)
        #expect(
            try CLI.object(run).objects("workflows")[0].objects("jobs")[0].string("failure_reason") == "infrastructure")
        #expect(
            run.stderr.contains(
                "Context 'nowhere' is not defined here. Add it under `contexts:` in \(cli.home.path)/settings.yml or with `cibox context set NAME KEY`."
            ))
    }
}
