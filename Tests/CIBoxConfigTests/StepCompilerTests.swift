// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel
import Testing

@Suite struct StepCompilerTests {
    func steps(_ yaml: String) -> (steps: [StepPlan]?, diagnostics: [String]) {
        let result = compile(config(steps: yaml))
        return (buildSpec(result)?.steps, result.diagnostics.map(\.formatted))
    }

    @Test(arguments: [
        ("bare checkout", "      - checkout", StepPlan(name: "Checkout code", action: .checkout(path: nil))),
        (
            "checkout with path", "      - checkout:\n          path: src",
            StepPlan(name: "Checkout code", action: .checkout(path: "src"))
        ),
        (
            "run string", "      - run: make test",
            StepPlan(name: "make test", action: .run(RunAction(command: "make test")))
        ),
        (
            "run multi-line string", "      - run: |\n          echo one\n          echo two",
            StepPlan(name: "echo one", action: .run(RunAction(command: "echo one\necho two\n")))
        ),
        (
            "run map",
            """
                  - run:
                      name: Tests
                      command: make test
                      working_directory: sub
                      environment: {A: 1}
                      shell: /bin/zsh
                      when: always
                      background: true
                      no_output_timeout: 1h30m
            """,
            StepPlan(
                name: "Tests", condition: .always,
                action: .run(
                    RunAction(
                        command: "make test", workingDirectory: "sub",
                        environment: [EnvironmentVariable(name: "A", value: "1")], shell: "/bin/zsh",
                        isBackground: true, noOutputTimeout: 5400)))
        ),
        (
            "run map without name",
            "      - run:\n          command: \"\\n  ./ci.sh --fast\\nmore\"\n          when: on_fail",
            StepPlan(
                name: "./ci.sh --fast", condition: .onFail, action: .run(RunAction(command: "\n  ./ci.sh --fast\nmore"))
            )
        ),
    ])
    func compilesSteps(_ name: String, _ yaml: String, _ expected: StepPlan) {
        let (steps, diagnostics) = steps(yaml)
        #expect(diagnostics.isEmpty)
        #expect(steps == [expected])
    }

    @Test(arguments: [
        (
            "save_cache:\n          key: v1-{{ checksum \"x\" }}\n          paths: [a, ~/b]",
            StepPlan(
                name: "Saving cache",
                action: .saveCache(SaveCacheAction(key: "v1-{{ checksum \"x\" }}", paths: ["a", "~/b"])))
        ),
        (
            "restore_cache:\n          key: v1-a\n          keys: [v1-, v0-]",
            StepPlan(name: "Restoring cache", action: .restoreCache(RestoreCacheAction(keys: ["v1-a", "v1-", "v0-"])))
        ),
        (
            "persist_to_workspace:\n          root: .\n          paths: [build]",
            StepPlan(
                name: "Persisting to workspace",
                action: .persistToWorkspace(PersistToWorkspaceAction(root: ".", paths: ["build"])))
        ),
        (
            "attach_workspace:\n          at: /tmp/ws",
            StepPlan(name: "Attaching workspace", action: .attachWorkspace(at: "/tmp/ws"))
        ),
        (
            "store_artifacts:\n          path: out\n          destination: logs",
            StepPlan(
                name: "Uploading artifacts", condition: .always,
                action: .storeArtifacts(path: "out", destination: "logs"))
        ),
        (
            "store_test_results:\n          path: results",
            StepPlan(name: "Uploading test results", condition: .always, action: .storeTestResults(path: "results"))
        ),
        (
            "save_cache:\n          name: Save\n          when: always\n          key: k\n          paths: p",
            StepPlan(name: "Save", condition: .always, action: .saveCache(SaveCacheAction(key: "k", paths: ["p"])))
        ),
        ("deploy: make deploy", StepPlan(name: "make deploy", action: .run(RunAction(command: "make deploy")))),
    ])
    func compilesStorageStepsWithoutWarnings(_ yaml: String, _ expected: StepPlan) {
        let (steps, diagnostics) = steps("      - \(yaml)")
        #expect(steps == [expected])
        #expect(diagnostics.isEmpty)
    }

    @Test func setupRemoteDockerAsksForTheJobsEngine() {
        let (bare, none) = steps("      - setup_remote_docker")
        #expect(
            bare == [StepPlan(name: "Setup a remote Docker engine", action: .setupRemoteDocker(RemoteDockerAction()))])
        #expect(none.isEmpty)
        let (options, warnings) = steps(
            "      - setup_remote_docker: { version: 20.10.24, docker_layer_caching: true, name: Engine, colour: red }")
        #expect(
            options == [
                StepPlan(
                    name: "Engine",
                    action: .setupRemoteDocker(RemoteDockerAction(version: "20.10.24", layerCaching: true)))
            ])
        #expect(
            warnings == [
                ".circleci/config.yml:5:93: warning: unknown key 'colour' in 'setup_remote_docker' is ignored\n"
                    + "  hint: known keys: docker_layer_caching, name, version"
            ])
    }

    @Test(arguments: [
        (
            "add_ssh_keys", "Adding SSH keys",
            "cibox does not install SSH keys; the step is skipped and jobs use this machine's SSH setup"
        )
    ])
    func skipsWhatCiboxCannotDoWithAWarning(_ key: String, _ title: String, _ instead: String) {
        let (steps, diagnostics) = steps("      - \(key)")
        #expect(steps == [StepPlan(name: title, action: .unsupported(key: key, message: instead, isFatal: false))])
        #expect(diagnostics == [".circleci/config.yml:5:9: warning: \(key): \(instead)"])
    }

    @Test(arguments: [
        (
            "unknown step", "      - greet",
            ".circleci/config.yml:5:9: error: unknown step or command 'greet'\n"
                + "  hint: built-in steps are add_ssh_keys, attach_workspace, checkout, deploy, install_signing_bundle, "
                + "persist_to_workspace, restore_cache, run, save_cache, setup_remote_docker, store_artifacts, "
                + "store_test_results"
        ),
        (
            "bad when", "      - run:\n          command: x\n          when: sometimes",
            ".circleci/config.yml:7:17: error: 'jobs.build.steps[0].run.when' must be always, on_success or on_fail, "
                + "got 'sometimes'"
        ),
        (
            "run without command", "      - run:\n          name: x",
            ".circleci/config.yml:6:11: error: 'jobs.build.steps[0].run' needs 'command'\n"
                + "  hint: add 'command:' with the script to run"
        ),
        (
            "bad duration", "      - run:\n          command: x\n          no_output_timeout: soon",
            ".circleci/config.yml:7:30: error: 'jobs.build.steps[0].run.no_output_timeout' must be a duration "
                + "such as 30s, 10m, 1h or 1h30m, got 'soon'"
        ),
        (
            "bad background", "      - run:\n          command: x\n          background: maybe",
            ".circleci/config.yml:7:23: error: 'jobs.build.steps[0].run.background' must be true or false, got 'maybe'"
        ),
        (
            "two keys", "      - run: x\n        checkout: {}",
            ".circleci/config.yml:5:9: error: a step must have exactly one key, got: run, checkout\n"
                + "  hint: indent the step's options under its name, e.g. '- run:' then 'command:' below it"
        ),
        (
            "empty steps", "      []",
            ".circleci/config.yml:5:7: error: 'jobs.build.steps' is empty\n"
                + "  hint: add at least one step, such as '- checkout'"
        ),
        (
            "unknown run key", "      - run:\n          command: x\n          description: y",
            ".circleci/config.yml:7:11: warning: unknown key 'description' in 'jobs.build.steps[0].run' is ignored\n"
                + "  hint: known keys: auto_rerun_delay, background, command, environment, max_auto_reruns, name, "
                + "no_output_timeout, shell, when, working_directory"
        ),
    ])
    func reportsStepProblems(_ name: String, _ yaml: String, _ expected: String) {
        #expect(steps(yaml).diagnostics == [expected])
    }

    @Test func legacyShellStepIsARunStep() {
        let (steps, diagnostics) = steps(
            "      - type: shell\n        name: Tests\n        pwd: sub\n        command: make")
        #expect(steps == [StepPlan(name: "Tests", action: .run(RunAction(command: "make", workingDirectory: "sub")))])
        #expect(diagnostics.isEmpty)
    }

    /// Commands as written in YAML double quotes, and the name of their step.
    @Test(arguments: [
        (#""\n  \n\t  make test\nmore""#, "make test"), (#""écho ✓\n""#, "écho ✓"),
        ("\"" + String(repeating: "x", count: 100_000) + "\\nnext\"", String(repeating: "x", count: 100_000)),
    ])
    func aRunStepIsNamedAfterItsFirstLineThatIsNotBlank(_ command: String, _ name: String) throws {
        let result = compile(config(steps: "      - run: \(command)"))
        #expect(try #require(buildSpec(result)).steps.first?.name == name)
    }
}
