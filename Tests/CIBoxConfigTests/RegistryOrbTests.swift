// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel
import CIBoxTestSupport
import Testing

/// Registry orbs' executors, commands and jobs behave as inline orbs' do, `executor` and `steps` parameters
/// included.
@Suite struct RegistryOrbTests {
    /// An orb whose job takes an `executor` and a `steps` parameter.
    static let tools = """
        version: 2.1
        executors:
          default:
            parameters: {tag: {type: string, default: "1"}}
            docker: [{image: "tools:<< parameters.tag >>"}]
            environment: {FROM: executor}
        commands:
          greet:
            parameters: {who: {type: string}}
            steps: [{run: "greet << parameters.who >>"}]
        jobs:
          build:
            parameters:
              exec: {type: executor, default: default}
              before: {type: steps, default: []}
              after: {type: steps}
            executor: << parameters.exec >>
            steps:
              - steps: << parameters.before >>
              - greet: {who: orb}
              - steps: << parameters.after >>
        """

    /// The same orb written inline in the config, under the same alias.
    static func config(orb: String) -> String {
        """
        version: 2.1
        orbs:
          tools: \(orb)
        executors:
          mine: {docker: [{image: mine}]}
        commands:
          local: {steps: [{run: local-command}]}
        jobs:
          own:
            executor: {name: tools/default, tag: "2"}
            steps: [{tools/greet: {who: own}}]
        workflows:
          w:
            jobs:
              - own
              - tools/build:
                  name: default-executor
                  after: [{run: after}]
              - tools/build:
                  name: config-executor
                  exec: mine
                  before: [local, {tools/greet: {who: before}}]
                  after: [{run: after}]
              - tools/build:
                  name: orb-executor-with-arguments
                  exec: {name: tools/default, tag: "3"}
                  after: []
        """
    }

    /// Each job's executor label and run commands.
    static func summary(_ result: CompileResult) -> [String] {
        (result.configuration?.workflows.first?.jobs ?? []).map { job in
            let commands = (job.spec?.steps ?? []).compactMap { step -> String? in
                if case .run(let action) = step.action { return action.command }
                return nil
            }
            let image = job.spec?.executor.image ?? "-"
            let environment = job.spec?.environment.map { "\($0.name)=\($0.value)" } ?? []
            return "\(job.name) [\(image)] \(environment.joined(separator: ",")) \(commands.joined(separator: "; "))"
        }
    }

    @Test func executorAndStepsParametersWorkInRegistryOrbsAsInInlineOrbs() {
        let indented = Self.tools.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        let inline = compile(Self.config(orb: "\n" + indented))
        let registry = ConfigCompiler.compile(
            ConfigSource(path: ".circleci/config.yml", text: Self.config(orb: "acme/tools@1.0.0")),
            values: testValues, parameters: [:],
            options: CompileOptions(orbs: FakeOrbs(orbs: ["acme/tools@1.0.0": Self.tools])))
        #expect(inline.diagnostics.isEmpty, "\(inline.diagnostics.map(\.formatted))")
        #expect(registry.diagnostics.isEmpty, "\(registry.diagnostics.map(\.formatted))")
        let expected = [
            "own [tools:2] FROM=executor greet own",
            "default-executor [tools:1] FROM=executor greet orb; after",
            "config-executor [mine]  local-command; greet before; greet orb; after",
            "orb-executor-with-arguments [tools:3] FROM=executor greet orb",
        ]
        #expect(Self.summary(registry) == expected)
        #expect(Self.summary(inline) == expected)
    }

    @Test func aMissingStepsArgumentIsAnErrorAtTheUse() {
        let text = Self.config(orb: "acme/tools@1.0.0").replacing("\n          after: []", with: "")
        let result = ConfigCompiler.compile(
            ConfigSource(path: ".circleci/config.yml", text: text), values: testValues, parameters: [:],
            options: CompileOptions(orbs: FakeOrbs(orbs: ["acme/tools@1.0.0": Self.tools])))
        #expect(
            result.diagnostics.map(\.formatted) == [
                ".circleci/config.yml:24:9: error: missing required parameter 'after' for job 'tools/build'\n"
                    + "  hint: pass 'after: …' where job 'tools/build' is used, or give it a default"
            ])
    }

    @Test func aMissingExecutorArgumentIsOneErrorAtTheUse() {
        let orb =
            "version: 2.1\njobs:\n  j:\n    parameters: {e: {type: executor}}\n    executor: << parameters.e >>\n"
            + "    steps: [checkout]\n"
        let text = "version: 2.1\norbs:\n  o: acme/o@1.0.0\nworkflows:\n  w:\n    jobs: [o/j]\n"
        let result = ConfigCompiler.compile(
            ConfigSource(path: ".circleci/config.yml", text: text), values: testValues, parameters: [:],
            options: CompileOptions(orbs: FakeOrbs(orbs: ["acme/o@1.0.0": orb])))
        #expect(
            result.diagnostics.map(\.formatted) == [
                ".circleci/config.yml:6:12: error: missing required parameter 'e' for job 'o/j'\n"
                    + "  hint: pass 'e: …' where job 'o/j' is used, or give it a default"
            ])
    }
}
