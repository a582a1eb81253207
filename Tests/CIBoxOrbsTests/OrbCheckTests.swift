// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel
import CIBoxOrbs
import CIBoxTestSupport
import Testing

/// `OrbCheck` checks an orb before it is stored: every element compiled with stand-ins for its parameters.
@Suite struct OrbCheckTests {
    static func check(_ text: String, store: [String: String] = [:]) -> [String] {
        OrbCheck.check(
            ConfigSource(path: "greet.yml", text: text),
            reference: OrbReference(namespace: "acme", name: "greet", version: "1.0.0"),
            options: CompileOptions(orbs: FakeOrbs(orbs: store))
        ).map(\.formatted)
    }

    /// An orb with parameters of every type, none with a default, `executor` and `steps` ones included.
    static let tools = """
        version: 2.1
        executors:
          default:
            parameters: {tag: {type: string}}
            docker: [{image: "tools:<< parameters.tag >>"}]
        commands:
          greet:
            parameters:
              who: {type: string}
              loud: {type: boolean}
              times: {type: integer}
              mode: {type: enum, enum: [quiet, loud]}
              variable: {type: env_var_name}
            steps: [{run: "greet << parameters.who >> << parameters.times >> $<< parameters.variable >>"}]
        jobs:
          build:
            parameters:
              exec: {type: executor}
              after: {type: steps}
            executor: << parameters.exec >>
            steps:
              - greet: {who: orb, loud: true, times: 2, mode: loud, variable: NAME}
              - steps: << parameters.after >>
        """

    @Test func aGoodOrbHasNoDiagnostics() {
        #expect(Self.check(Self.tools) == [])
    }

    @Test func everyElementIsCheckedEvenWhenNothingUsesIt() {
        let text = """
            version: 2.1
            commands:
              bad: {steps: [{nope: {}}]}
              typo:
                parameters: {n: {type: integer, default: many}}
                steps: [{run: "echo << parameters.n >>"}]
            jobs:
              lonely:
                parameters: {exec: {type: executor}}
                executor: << parameters.exec >>
                steps: [{run: {name: x}}]
            executors:
              twice: {docker: [{image: a}], machine: true}
            """
        #expect(
            Self.check(text) == [
                "greet.yml:3:18: error: unknown step or command 'nope'\n  hint: built-in steps are add_ssh_keys, "
                    + "attach_workspace, checkout, deploy, install_signing_bundle, persist_to_workspace, "
                    + "restore_cache, run, save_cache, setup_remote_docker, store_artifacts, store_test_results",
                "greet.yml:5:46: error: the default of parameter 'n' of command 'typo' must be an integer, got 'many'",
                "greet.yml:11:19: error: 'jobs.lonely.steps[0].run' needs 'command'\n"
                    + "  hint: add 'command:' with the script to run",
                "greet.yml:13:33: error: 'executors.twice' has more than one executor: docker, machine\n"
                    + "  hint: keep one of docker, machine, macos (an 'executor:' brings its own)",
            ])
    }

    @Test func importsMustBeInTheStore() {
        let text = "version: 2.1\norbs:\n  base: acme/base@1\ncommands:\n  c: {steps: [base/setup]}\n"
        #expect(
            Self.check(text) == [
                "greet.yml:3:9: error: orb 'acme/base@1' is missing: place it in orbs/acme/base@1.yml\n"
                    + "  hint: an orb's imports must be in the orb store before it: add them first"
            ])
        #expect(
            Self.check(text, store: ["acme/base@1": "version: 2.1\ncommands:\n  setup: {steps: [checkout]}\n"])
                == [])
    }

    @Test(arguments: [
        ("commands: {}", "greet.yml:1:1: error: the orb has no 'version'\n  hint: orbs start with 'version: 2.1'"),
        ("version: 2", "greet.yml:1:10: error: unsupported orb version '2'\n  hint: orbs use 'version: 2.1'"),
        (
            "version: 2.1\nworkflows: {}",
            "greet.yml:2:1: warning: unknown key 'workflows' in 'acme/greet@1.0.0' is ignored\n  hint: known keys: "
                + "commands, description, display, examples, executors, jobs, orbs, version"
        ),
        (
            "version: 2.1\nexamples:\n  x: {usage: 3}",
            "greet.yml:3:14: error: 'examples.x.usage' must be a mapping, got '3'"
        ),
        (
            "",
            "greet.yml:1:1: error: the orb is empty\n  hint: an orb starts with 'version: 2.1', then 'commands:', 'jobs:' or 'executors:'"
        ),
    ])
    func orbShapeProblems(_ text: String, _ expected: String) {
        #expect(Self.check(text) == [expected])
    }
}
