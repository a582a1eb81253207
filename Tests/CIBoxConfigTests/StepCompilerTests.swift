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
        ("save_cache", "Saving cache"), ("restore_cache", "Restoring cache"),
        ("persist_to_workspace", "Persisting to workspace"), ("attach_workspace", "Attaching workspace"),
        ("store_artifacts", "Uploading artifacts"), ("store_test_results", "Uploading test results"),
        ("add_ssh_keys", "Adding SSH keys"), ("setup_remote_docker", "Setup a remote Docker engine"),
        ("deploy", "Deploy"),
    ])
    func skipsUnsupportedBuiltinsWithAWarning(_ key: String, _ title: String) {
        let (steps, diagnostics) = steps("      - \(key):\n          path: x")
        #expect(
            steps == [
                StepPlan(
                    name: title,
                    action: .unsupported(key: key, message: "cibox skips '\(key)' steps for now", isFatal: false))
            ])
        #expect(diagnostics == [".circleci/config.yml:5:9: warning: '\(key)' steps are skipped by cibox for now"])
    }

    @Test(arguments: [
        (
            "unknown step", "      - greet",
            ".circleci/config.yml:5:9: error: unknown step 'greet'\n  hint: built-in steps are checkout, run, "
                + "add_ssh_keys, attach_workspace, deploy, persist_to_workspace, restore_cache, save_cache, "
                + "setup_remote_docker, store_artifacts, store_test_results; "
                + "reusable commands and orb commands are not supported by cibox yet"
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

    @Test func legacyTypeStepFailsTheJobWhenReached() {
        let (steps, diagnostics) = steps("      - type: shell\n        command: make")
        #expect(
            steps?.first?.action
                == .unsupported(
                    key: "type", message: "the legacy '- type: …' step form is not supported by cibox yet",
                    isFatal: true))
        #expect(diagnostics.count == 1)
    }
}
