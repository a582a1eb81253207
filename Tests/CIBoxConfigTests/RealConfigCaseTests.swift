// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel
import Testing

/// What real configs tripped on, each compiled as CircleCI compiles it.
@Suite struct RealConfigCaseTests {
    /// The commands of a job's `run` steps, in order.
    static func runCommands(_ spec: JobSpec) -> [String] {
        spec.steps.compactMap { step in
            if case .run(let action) = step.action { return action.command }
            return nil
        }
    }

    @Test func environmentTakesEveryFormAtJobStepAndImageLevel() throws {
        let text = """
            version: 2.1
            executors:
              e:
                docker:
                  - image: x
                    environment: IMAGE=1
                environment: [EXECUTOR=a=b]
            jobs:
              build:
                executor: e
                environment: [JOB=1, {OTHER: two}]
                steps:
                  - run: {command: env, environment: STEP=s p}
            workflows:
              w: {jobs: [build]}
            """
        let result = compile(text)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.formatted))")
        let spec = try #require(buildSpec(result))
        #expect(
            spec.environment == [
                EnvironmentVariable(name: "EXECUTOR", value: "a=b"), EnvironmentVariable(name: "JOB", value: "1"),
                EnvironmentVariable(name: "OTHER", value: "two"),
            ])
        #expect(spec.dockerImages?.first?.environment == [EnvironmentVariable(name: "IMAGE", value: "1")])
        guard case .run(let action) = spec.steps.first?.action else {
            Issue.record("not a run step")
            return
        }
        #expect(action.environment == [EnvironmentVariable(name: "STEP", value: "s p")])
    }

    @Test func environmentWithoutANameIsAnError() {
        #expect(
            diagnostics(config(job: "    environment: =x\n")) == [
                ".circleci/config.yml:4:18: error: 'jobs.build.environment' must be 'NAME=value', got '=x'\n"
                    + "  hint: write 'NAME: value' entries under it, a 'NAME=value' string, or a list of either"
            ])
    }

    @Test func processedConfigKeepsEveryKeyCiboxUnderstands() throws {
        let text = """
            version: 2.1
            jobs:
              build:
                docker:
                  - image: app
                    name: primary
                    entrypoint: /bin/sh
                    command: [-c, sleep 1]
                    user: circleci
                    environment: {MODE: test}
                    auth: {username: me, password: $PASS}
                steps:
                  - checkout: {method: blobless}
                  - store_artifacts: {path: out}
                  - store_test_results: {path: results}
                  - run: {command: make, when: always}
              vm:
                machine: {image: ubuntu-2204:current, docker_layer_caching: true}
                steps: [checkout]
            workflows:
              w: {jobs: [build, vm]}
            """
        let result = compile(text)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.formatted))")
        let processed = try ProcessedConfig.render(try #require(result.configuration))
        #expect(
            processed == """
                version: "2.1"
                jobs:
                  build:
                    docker:
                    - image: app
                      name: primary
                      entrypoint:
                      - /bin/sh
                      command:
                      - "-c"
                      - sleep 1
                      user: circleci
                      environment:
                        MODE: test
                      auth:
                        password: $PASS
                        username: me
                    working_directory: ~/project
                    steps:
                    - checkout:
                        name: Checkout code
                        method: blobless
                    - store_artifacts:
                        name: Uploading artifacts
                        path: out
                    - store_test_results:
                        name: Uploading test results
                        path: results
                    - run:
                        name: make
                        command: make
                        when: always
                  vm:
                    machine:
                      image: ubuntu-2204:current
                      docker_layer_caching: true
                    working_directory: ~/project
                    steps:
                    - checkout:
                        name: Checkout code
                workflows:
                  w:
                    jobs:
                    - build
                    - vm

                """)
        // The processed config compiles again to the same jobs, without a warning.
        let again = compile(processed)
        #expect(again.diagnostics.isEmpty, "\(again.diagnostics.map(\.formatted))")
        let specs = { (result: CompileResult) in result.configuration?.workflows.first?.jobs.map(\.spec) }
        #expect(specs(again) == specs(result))
    }

    @Test func stepsReadingAVariableOnlyThePrimaryImageSetsAreWarnedAbout() {
        let text = """
            version: 2.1
            jobs:
              build:
                docker:
                  - image: x
                    environment: {ONLY_IMAGE: 1, BOTH: 2}
                environment: {BOTH: 3}
                steps:
                  - run: echo $BOTH ${ONLY_IMAGE_NOT}
                  - run: {name: reads it, command: 'echo "${ONLY_IMAGE}"'}
                  - run: {command: echo $ONLY_IMAGE, environment: {ONLY_IMAGE: step}}
            workflows:
              w: {jobs: [build]}
            """
        #expect(
            diagnostics(text) == [
                ".circleci/config.yml:6:22: warning: step 'reads it' reads $ONLY_IMAGE, which only the primary "
                    + "image's 'environment' sets: it reaches the container's entrypoint and command, not the steps\n"
                    + "  hint: to give it to the steps, set it under the job's 'environment:'"
            ])
    }

    /// apollographql/router's form: an executor parameter compared with an executor's anchor.
    @Test(arguments: [("macos_build", ["echo both", "echo mac"]), ("linux_build", ["echo both", "echo linux"])])
    func executorParametersCompareByValue(_ platform: String, _ commands: [String]) throws {
        let text = """
            version: 2.1
            executors:
              linux_build: &linux_build_executor
                docker: [{image: cimg/base:stable}]
                resource_class: xlarge
              macos_build: &macos_build_executor
                macos: {xcode: "15.0"}
            commands:
              prepare:
                parameters: {platform: {type: executor}}
                steps:
                  - run: echo both
                  - when:
                      condition: {equal: [*macos_build_executor, << parameters.platform >>]}
                      steps: [{run: echo mac}]
                  - when:
                      condition: {equal: [*linux_build_executor, << parameters.platform >>]}
                      steps: [{run: echo linux}]
            jobs:
              build:
                parameters: {platform: {type: executor}}
                executor: << parameters.platform >>
                steps: [{prepare: {platform: << parameters.platform >>}}]
            workflows:
              w: {jobs: [{build: {platform: \(platform)}}]}
            """
        #expect(Self.runCommands(try #require(buildSpec(compile(text)))) == commands)
    }

    /// algorand/go-algorand and ethereum-optimism/optimism: pipeline values and parameters in parameter defaults.
    @Test func parameterDefaultsSeePipelineValuesAndParameters() throws {
        let text = """
            version: 2.1
            parameters:
              dir: {type: string, default: src/app}
            orbs:
              tools:
                commands:
                  tag:
                    parameters: {rev: {type: string, default: "v-<< pipeline.git.revision >>"}}
                    steps: [{run: echo << parameters.rev >>}]
            commands:
              show:
                parameters: {id: {type: string, default: << pipeline.id >>}}
                steps: [{run: echo << parameters.id >>}]
            jobs:
              build:
                parameters:
                  dir: {type: string, default: << pipeline.parameters.dir >>}
                  number: {type: integer, default: << pipeline.number >>}
                steps:
                  - run: cd << parameters.dir >> && echo << parameters.number >>
                  - show
                  - tools/tag
            workflows:
              w: {jobs: [build]}
            """
        let result = compile(text, parameters: ["dir": "lib"])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.formatted))")
        #expect(
            Self.runCommands(try #require(buildSpec(result))) == [
                "cd lib && echo 1", "echo 00000000-0000-0000-0000-000000000001",
                "echo v-" + String(repeating: "a", count: 40),
            ])
    }

    /// ipfs/kubo's form: the continuation orb's default executor, its finish command, and workspace_path.
    @Test func builtInContinuationOrbHasWhatItsPublishedVersionsHave() throws {
        let text = """
            version: 2.1
            orbs: {cont: circleci/continuation@0.3.1}
            setup: true
            jobs:
              decide:
                executor: cont/default
                steps: [checkout, cont/finish]
            workflows:
              setup:
                jobs:
                  - decide
                  - cont/continue:
                      configuration_path: .circleci/next.yml
                      workspace_path: /tmp/ws
                      checkout: false
            """
        let result = compile(text)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.formatted))")
        let jobs = try #require(result.configuration?.workflows.first?.jobs.map(\.spec))
        let decide = try #require(jobs.first ?? nil)
        #expect(decide.executor == ExecutorLabel(kind: "docker", image: "cimg/base:stable"))
        #expect(Self.runCommands(decide) == ["circleci-agent finish"])
        let continued = try #require(jobs.last ?? nil)
        #expect(continued.executor == ExecutorLabel(kind: "docker", image: "cimg/base:stable"))
        #expect(continued.steps.map(\.action).first == .attachWorkspace(at: "/tmp/ws"))
        #expect(
            Self.runCommands(continued) == [
                "circleci-agent continue --configuration-path \".circleci/next.yml\" --parameters '{}'"
            ])
    }
}
