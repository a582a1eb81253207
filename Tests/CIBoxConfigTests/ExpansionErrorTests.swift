// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel
import CIBoxTestSupport
import Testing

/// The error texts of each kind of mistake, pinned word for word, and orbs.
@Suite struct ExpansionErrorTests {
    static let jobWithCommand = """
        version: 2.1
        commands:
          greet:
            parameters:
              who: {type: string}
              mode: {type: enum, enum: [loud, quiet], default: quiet}
              n: {type: integer, default: 1}
            steps: [{run: "echo << parameters.who >>"}]
        jobs:
          build:
            parameters: {flag: {type: boolean, default: false}}
            steps:

        """

    @Test(arguments: [
        (
            "      - greet: {who: 1, n: many}",
            ".circleci/config.yml:13:28: error: parameter 'n' of command 'greet' must be an integer, got 'many'"
        ),
        (
            "      - greet",
            ".circleci/config.yml:13:9: error: missing required parameter 'who' for command 'greet'\n"
                + "  hint: pass 'who: …' where command 'greet' is used, or give it a default"
        ),
        (
            "      - greet: {who: a, colour: red}",
            ".circleci/config.yml:13:25: error: unknown parameter 'colour' for command 'greet'\n"
                + "  hint: command 'greet' has: who, mode, n"
        ),
        (
            "      - greet: {who: a, mode: shouty}",
            ".circleci/config.yml:13:31: error: parameter 'mode' of command 'greet' must be one of loud, quiet, "
                + "got 'shouty'"
        ),
        (
            "      - greet: {who: true}",
            ".circleci/config.yml:13:22: error: parameter 'who' of command 'greet' must be a string, got 'true'"
        ),
        (
            "      - wave",
            ".circleci/config.yml:13:9: error: unknown step or command 'wave'\n"
                + "  hint: built-in steps are add_ssh_keys, attach_workspace, checkout, deploy, install_signing_bundle, "
                + "persist_to_workspace, restore_cache, run, save_cache, setup_remote_docker, store_artifacts, "
                + "store_test_results; commands: greet"
        ),
        (
            "      - when: {condition: {xor: [a]}, steps: [checkout]}",
            ".circleci/config.yml:13:28: error: unknown logic operator 'xor' in 'jobs.build.steps[0].when.condition'\n"
                + "  hint: operators are and, or, not, equal, matches"
        ),
        (
            "      - when: {condition: {and: []}, steps: [checkout]}",
            ".circleci/config.yml:13:33: error: 'jobs.build.steps[0].when.condition.and' must be a non-empty list "
                + "of logic statements"
        ),
        (
            "      - run: echo << parameters.nope >>",
            ".circleci/config.yml:13:14: error: unknown parameter 'nope' in '<< parameters.nope >>': "
                + "job 'build' declares flag\n"
                + "  hint: declare it under the job 'build''s 'parameters:' (parameters are not inherited by called "
                + "commands)"
        ),
    ])
    func pinsErrorTexts(_ step: String, _ expected: String) {
        let result = compile(Self.jobWithCommand + step + "\nworkflows:\n  w: {jobs: [build]}\n")
        #expect(result.diagnostics.map(\.formatted) == [expected])
    }

    @Test func commandParametersAreNotInheritedAndCyclesAreNamed() {
        let text = """
            version: 2.1
            commands:
              a: {steps: [b]}
              b: {steps: [a]}
              c:
                steps: [{run: "echo << parameters.flag >>"}]
            jobs:
              build:
                parameters: {flag: {type: boolean, default: true}}
                executor: nowhere
                steps: [a, c]
            workflows:
              w: {jobs: [build]}
            """
        #expect(
            diagnostics(text) == [
                ".circleci/config.yml:10:15: error: unknown executor 'nowhere'\n"
                    + "  hint: define it under the top-level 'executors:' key",
                ".circleci/config.yml:4:15: error: command cycle: a -> b -> a\n"
                    + "  hint: a command cannot call itself, directly or through other commands",
                ".circleci/config.yml:6:19: error: unknown parameter 'flag' in '<< parameters.flag >>': "
                    + "command 'c' declares no parameters\n"
                    + "  hint: declare it under the command 'c''s 'parameters:' (parameters are not inherited by "
                    + "called commands)",
            ])
    }

    static let orbUser = """
        version: 2.1
        orbs:
          tools: acme/tools@1.2.3
          inline:
            executors:
              small:
                parameters: {tag: {type: string, default: "1"}}
                docker: [{image: "busybox:<< parameters.tag >>"}]
            commands:
              hi: {steps: [{run: inline-hi}]}
        jobs:
          build:
            executor: {name: inline/small, tag: "2"}
            steps: [inline/hi, {tools/fmt: {path: src}}]
        workflows:
          w:
            jobs: [build, {tools/lint: {name: lint}}]
        """

    static let store = FakeOrbs(orbs: [
        "acme/tools@1.2.3": """
        version: 2.1
        orbs:
          base: acme/base@0.1.0
        commands:
          fmt:
            parameters: {path: {type: string, default: .}}
            steps: [{run: "fmt << parameters.path >>"}, base/setup]
        jobs:
          lint:
            executor: base/tiny
            steps: [{fmt: {path: all}}]
        """,
        "acme/base@0.1.0": """
        version: 2.1
        executors:
          tiny: {docker: [{image: alpine}]}
        commands:
          setup: {steps: [{run: base-setup}]}
        """,
    ])

    @Test func inlineAndRegistryOrbsWithImports() throws {
        let result = ConfigCompiler.compile(
            ConfigSource(path: ".circleci/config.yml", text: Self.orbUser), values: testValues, parameters: [:],
            options: CompileOptions(orbs: Self.store))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.formatted))")
        let jobs = try #require(result.configuration?.workflows.first?.jobs)
        #expect(jobs.map(\.name) == ["build", "lint"])
        #expect(jobs[0].spec?.executor == ExecutorLabel(kind: "docker", image: "busybox:2"))
        #expect(jobs[1].spec?.executor == ExecutorLabel(kind: "docker", image: "alpine"))
        let commands = jobs.map { job in
            (job.spec?.steps ?? []).compactMap { step -> String? in
                if case .run(let action) = step.action { return action.command }
                return nil
            }
        }
        #expect(commands == [["inline-hi", "fmt src", "base-setup"], ["fmt all", "base-setup"]])
    }

    @Test func missingOrbIsAnErrorOrWithAllowMissingOrbsFailsWhenRun() throws {
        let source = ConfigSource(path: ".circleci/config.yml", text: Self.orbUser)
        let strict = ConfigCompiler.compile(source, values: testValues, parameters: [:], options: CompileOptions())
        #expect(
            strict.diagnostics.map(\.formatted) == [
                ".circleci/config.yml:3:10: error: orb 'acme/tools@1.2.3' is not available offline\n"
                    + "  hint: or pass --allow-missing-orbs to compile the rest; what uses the orb then fails when run"
            ])
        let lenient = ConfigCompiler.compile(
            source, values: testValues, parameters: [:], options: CompileOptions(allowMissingOrbs: true))
        #expect(lenient.diagnostics.allSatisfy { $0.severity == .warning })
        #expect(lenient.diagnostics.count == 3)
        let jobs = try #require(lenient.configuration?.workflows.first?.jobs)
        let message = "orb 'acme/tools@1.2.3' is not available offline"
        #expect(
            jobs[0].spec?.steps.last?.action == .unsupported(key: "tools/fmt", message: message, isFatal: true))
        #expect(
            jobs[1].spec?.steps == [
                StepPlan(name: "tools/lint", action: .unsupported(key: "tools/lint", message: message, isFatal: true))
            ])
    }

    @Test func builtinContinuationOrb() throws {
        let text = """
            version: 2.1
            setup: true
            orbs:
              continuation: circleci/continuation@1.0.0
            jobs:
              setup:
                docker: [{image: cimg/base:current}]
                steps:
                  - continuation/continue: {configuration_path: .circleci/next.yml, parameters: '{"x": 1}'}
            workflows:
              w: {jobs: [setup, continuation/continue]}
            """
        let result = compile(text)
        let configuration = try #require(result.configuration)
        #expect(result.diagnostics.isEmpty)
        #expect(configuration.isSetup)
        let setup = configuration.workflows.first?.jobs.first?.spec?.steps.first?.action
        #expect(
            setup
                == .run(
                    RunAction(
                        command: "circleci-agent continue --configuration-path \".circleci/next.yml\" "
                            + "--parameters '{\"x\": 1}'")))
        #expect(configuration.workflows.first?.jobs.last?.spec?.steps.count == 2)
    }

    @Test(arguments: [
        (["n": "7"], ""), (["n": "seven"], "pipeline parameter 'n' must be an integer, got 'seven'"),
        (["b": "Yes"], ""), (["b": "maybe"], "pipeline parameter 'b' must be a boolean (true or false), got 'maybe'"),
        (["e": "a"], ""), (["e": "z"], "pipeline parameter 'e' must be one of a, b, got 'z'"),
    ])
    func pipelineParametersAreConverted(_ given: [String: String], _ error: String) {
        let text = """
            version: 2.1
            parameters:
              n: {type: integer, default: 1}
              b: {type: boolean, default: false}
              e: {type: enum, enum: [a, b], default: b}
            jobs:
              build:
                parallelism: << pipeline.parameters.n >>
                steps: [{run: "<< pipeline.parameters.b >> << pipeline.parameters.e >>"}]
            workflows:
              w: {jobs: [build]}
            """
        let result = compile(text, parameters: given)
        #expect(result.diagnostics.map(\.message) == (error.isEmpty ? [] : [error]))
    }
}
