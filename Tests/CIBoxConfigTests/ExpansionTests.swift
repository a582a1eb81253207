// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel
import Testing

/// 2.1 expansion, with expectations written from CircleCI's configuration reference and reusing-config pages.
@Suite struct ExpansionTests {
    /// The run commands of job `build` in workflow `w` (or the first job).
    func commands(_ result: CompileResult, job: String? = nil) -> [String] {
        let jobs = result.configuration?.workflows.first?.jobs ?? []
        let spec = (job.flatMap { name in jobs.first { $0.name == name } } ?? jobs.first)?.spec
        return (spec?.steps ?? []).compactMap { step in
            if case .run(let action) = step.action { return action.command }
            return nil
        }
    }

    @Test func matrixNamesFollowAlphabeticalParameterOrder() throws {
        // CONFIG-REF §matrix: version [0.1, 0.2] × platform [macos, linux] gives build-macos-0.1, …
        let text = """
            version: 2.1
            jobs:
              build:
                parameters:
                  version: {type: string}
                  platform: {type: string}
                steps: [{run: "echo << parameters.platform >> << parameters.version >>"}]
              deploy: {steps: [checkout]}
            workflows:
              w:
                jobs:
                  - build:
                      matrix:
                        parameters:
                          version: ["0.1", "0.2"]
                          platform: [macos, linux]
                        exclude:
                          - {platform: linux, version: "0.2"}
                  - deploy: {requires: [build]}
                  - deploy:
                      name: after-one
                      requires: [build-macos-0.2]
            """
        let result = compile(text)
        let jobs = try #require(result.configuration?.workflows.first?.jobs)
        #expect(result.diagnostics.isEmpty)
        #expect(jobs.map(\.name) == ["build-macos-0.1", "build-macos-0.2", "build-linux-0.1", "deploy", "after-one"])
        #expect(jobs[3].requires.map(\.job) == ["build-macos-0.1", "build-macos-0.2", "build-linux-0.1"])
        #expect(jobs[4].requires.map(\.job) == ["build-macos-0.2"])
        #expect(commands(result, job: "build-linux-0.1") == ["echo linux 0.1"])
    }

    @Test func matrixAliasAndMatrixValuesInNameAndRequires() throws {
        let text = """
            version: 2.1
            jobs:
              test:
                parameters: {v: {type: integer}}
                steps: [{run: "test << parameters.v >>"}]
              pack:
                parameters: {v: {type: integer}}
                steps: [{run: "pack << parameters.v >>"}]
            workflows:
              w:
                jobs:
                  - test: {matrix: {alias: all-tests, parameters: {v: [1, 2]}}, name: "t<< matrix.v >>"}
                  - pack:
                      matrix: {parameters: {v: [1, 2]}}
                      name: pack-<< matrix.v >>
                      requires: [t<< matrix.v >>]
                  - test: {name: last, v: 3, requires: [all-tests]}
            """
        let jobs = try #require(compile(text).configuration?.workflows.first?.jobs)
        #expect(jobs.map(\.name) == ["t1", "t2", "pack-1", "pack-2", "last"])
        #expect(jobs[3].requires.map(\.job) == ["t2"])
        #expect(jobs[4].requires.map(\.job) == ["t1", "t2"])
    }

    @Test(arguments: [
        // REUSE-REF §boolean: YAML 1.1 booleans in any of these forms; rendered as true/false inside strings.
        ("yes", "echo flag=true"), ("on", "echo flag=true"), ("True", "echo flag=true"),
        ("no", "echo flag=false"), ("off", "echo flag=false"), ("false", "echo flag=false"),
    ])
    func booleansRenderAsTrueAndFalse(_ value: String, _ expected: String) {
        let text = """
            version: 2.1
            jobs:
              build:
                parameters: {flag: {type: boolean}}
                steps: [{run: "echo flag=<< parameters.flag >>"}]
            workflows:
              w: {jobs: [{build: {flag: \(value)}}]}
            """
        #expect(commands(compile(text)) == [expected])
    }

    @Test func wholeValueSubstitutionKeepsTheType() throws {
        let text = """
            version: 2.1
            jobs:
              build:
                parameters:
                  p: {type: integer, default: 3}
                  cond: {type: enum, enum: [always, on_fail, on_success], default: always}
                  more: {type: steps, default: [{run: extra}]}
                  flag: {type: boolean, default: true}
                parallelism: << parameters.p >>
                steps:
                  - run: {command: first, when: << parameters.cond >>}
                  - steps: << parameters.more >>
                  - when:
                      condition: << parameters.flag >>
                      steps: [{run: flagged}]
            workflows:
              w: {jobs: [build]}
            """
        let result = compile(text)
        let spec = try #require(buildSpec(result))
        #expect(result.diagnostics.isEmpty)
        #expect(spec.parallelism == 3)
        #expect(spec.steps.first?.condition == .always)
        #expect(commands(result) == ["first", "extra", "flagged"])
    }

    @Test(arguments: [
        ("true", "make <<# parameters.v >>-v<</ parameters.v >><<^ parameters.v >>-q<</ parameters.v >>", "make -v"),
        ("false", "make <<# parameters.v >>-v<</ parameters.v >><<^ parameters.v >>-q<</ parameters.v >>", "make -q"),
        ("true", "make <<#parameters.v>>a << parameters.v >><</parameters.v>>", "make a true"),
        ("false", "x \\\\<< parameters.v >> y", "x << parameters.v >> y"),
        ("false", "cat <<EOF >> out", "cat <<EOF >> out"),
    ])
    func mustacheSectionsAndEscapes(_ value: String, _ command: String, _ expected: String) {
        let text = """
            version: 2.1
            jobs:
              build:
                parameters: {v: {type: boolean}}
                steps: [{run: "\(command)"}]
            workflows:
              w: {jobs: [{build: {v: \(value)}}]}
            """
        #expect(commands(compile(text)) == [expected])
    }

    @Test(arguments: [
        ("true", true), ("false", false), ("0", false), ("''", false), ("x", true), ("null", false),
        ("{and: [true, x]}", true), ("{and: [true, false]}", false), ("{or: [false, 1]}", true),
        ("{not: false}", true), ("{not: {equal: [a, a]}}", false), ("{equal: [main, << pipeline.git.branch >>]}", true),
        ("{equal: [1, 1, 2]}", false), ("{matches: {pattern: '^ma.*$', value: << pipeline.git.branch >>}}", true),
        ("{matches: {pattern: '/0\\.[0-9]+/', value: '0.72'}}", true),
        ("{matches: {pattern: 'ma', value: main}}", false),
        ("<< pipeline.git.tag >>", false),
    ])
    func logicStatements(_ condition: String, _ expected: Bool) {
        let text = """
            version: 2.1
            jobs:
              build:
                steps:
                  - when: {condition: \(condition), steps: [{run: yes}]}
                  - run: always
            workflows:
              w: {jobs: [build]}
            """
        let result = compile(text)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.formatted))")
        #expect(commands(result) == (expected ? ["yes", "always"] : ["always"]))
    }

    @Test func preAndPostStepsExecutorMergeAndCommands() throws {
        let text = """
            version: 2.1
            executors:
              node:
                parameters: {tag: {type: string, default: "20.0"}}
                docker: [{image: "cimg/node:<< parameters.tag >>"}]
                resource_class: large
                working_directory: /exec
                environment: {A: exec, B: exec}
            commands:
              greet:
                parameters: {who: {type: string, default: world}}
                steps: [{run: "echo hello << parameters.who >>"}, twice]
              twice:
                steps: [{run: one}, {run: two}]
            jobs:
              build:
                executor: {name: node, tag: "22.1"}
                working_directory: /job
                environment: {B: job, C: job}
                steps: [{greet: {who: you}}]
            workflows:
              w:
                jobs:
                  - build: {pre-steps: [{run: pre}], post-steps: [greet]}
            """
        let result = compile(text)
        let spec = try #require(buildSpec(result))
        #expect(result.diagnostics.isEmpty)
        #expect(spec.executor == ExecutorLabel(kind: "docker", image: "cimg/node:22.1"))
        #expect(spec.resourceClass == "large")
        #expect(spec.workingDirectory == "/job")
        #expect(spec.environment.map { "\($0.name)=\($0.value)" } == ["A=exec", "B=job", "C=job"])
        #expect(commands(result) == ["pre", "echo hello you", "one", "two", "echo hello world", "one", "two"])
    }
}
