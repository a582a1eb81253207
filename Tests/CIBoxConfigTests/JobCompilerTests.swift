// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel
import Testing

@Suite struct JobCompilerTests {
    @Test(arguments: [
        ("no executor", "", ExecutorLabel(kind: "shell")),
        (
            "docker", "    docker:\n      - image: cimg/base:2024.01\n",
            ExecutorLabel(kind: "docker", image: "cimg/base:2024.01")
        ),
        ("machine true", "    machine: true\n", ExecutorLabel(kind: "machine")),
        (
            "machine image", "    machine:\n      image: ubuntu-2204:current\n",
            ExecutorLabel(kind: "machine", image: "ubuntu-2204:current")
        ),
        ("macos", "    macos:\n      xcode: 15.4.0\n", ExecutorLabel(kind: "macos", image: "15.4.0")),
        (
            "windows", "    windows:\n      image: windows-server-2022-gui:current\n",
            ExecutorLabel(kind: "windows", image: "windows-server-2022-gui:current")
        ),
    ])
    func readsTheExecutorAsALabel(_ name: String, _ job: String, _ expected: ExecutorLabel) throws {
        let result = compile(config(job: job))
        #expect(result.diagnostics.allSatisfy { $0.severity == .warning })
        #expect(try #require(buildSpec(result)).executor == expected)
    }

    @Test func serviceContainersAreRecordedWithoutAWarning() throws {
        let job = "    docker:\n      - image: cimg/ruby:3.2\n      - image: postgres:14\n      - image: redis\n"
        let result = compile(config(job: job))
        #expect(
            try #require(buildSpec(result)).executor
                == ExecutorLabel(kind: "docker", image: "cimg/ruby:3.2", serviceImages: ["postgres:14", "redis"]))
        #expect(result.diagnostics.isEmpty)
    }

    @Test func readsJobSettings() throws {
        let job = """
                resource_class: large
                parallelism: 4
                working_directory: /tmp/app
                shell: /bin/sh -eu
                environment:
                  A: text
                  B: true
                  C: 1.10
                  D: "yes"
                  E: ~

            """
        let result = compile(config(job: job))
        #expect(result.diagnostics.isEmpty)
        let spec = try #require(buildSpec(result))
        #expect(spec.resourceClass == "large")
        #expect(spec.parallelism == 4)
        #expect(spec.workingDirectory == "/tmp/app")
        #expect(spec.shell == "/bin/sh -eu")
        #expect(
            spec.environment == [
                EnvironmentVariable(name: "A", value: "text"), EnvironmentVariable(name: "B", value: "true"),
                EnvironmentVariable(name: "C", value: "1.10"), EnvironmentVariable(name: "D", value: "yes"),
                EnvironmentVariable(name: "E", value: ""),
            ])
    }

    @Test func defaultsMatchCircleCI() throws {
        let spec = try #require(buildSpec(compile(config())))
        #expect(spec.definitionName == "build")
        #expect(spec.parallelism == 1)
        #expect(spec.workingDirectory == "~/project")
        #expect(spec.shell == nil)
        #expect(spec.resourceClass == nil)
    }

    @Test func environmentAsAListOfEntries() throws {
        let job = "    environment:\n      - A: 1\n      - B: false\n      - A: 2\n"
        let spec = try #require(buildSpec(compile(config(job: job))))
        #expect(
            spec.environment == [
                EnvironmentVariable(name: "A", value: "2"), EnvironmentVariable(name: "B", value: "false"),
            ])
    }

    @Test(arguments: [
        (
            "parallelism zero", "    parallelism: 0\n",
            ".circleci/config.yml:4:18: error: 'jobs.build.parallelism' must be a positive integer, got '0'"
        ),
        (
            "two executors", "    docker:\n      - image: a\n    machine: true\n",
            ".circleci/config.yml:6:5: error: 'jobs.build' has more than one executor: docker, machine\n"
                + "  hint: keep one of docker, machine, macos (an 'executor:' brings its own)"
        ),
        (
            "docker without image", "    docker:\n      - name: x\n",
            ".circleci/config.yml:5:9: error: 'jobs.build.docker[0]' needs 'image'"
        ),
        (
            "environment list", "    environment: [1]\n",
            ".circleci/config.yml:4:19: error: 'jobs.build.environment[0]' must be a single 'NAME: value' entry or "
                + "a 'NAME=value' string\n"
                + "  hint: write 'NAME: value' entries under it, a 'NAME=value' string, or a list of either"
        ),
        (
            "unknown executor", "    executor: default\n",
            ".circleci/config.yml:4:15: error: unknown executor 'default'\n"
                + "  hint: define it under the top-level 'executors:' key"
        ),
        (
            "unknown key", "    colour: blue\n",
            ".circleci/config.yml:4:5: warning: unknown key 'colour' in 'jobs.build' is ignored\n"
                + "  hint: known keys: branches, circleci_ip_ranges, description, docker, environment, "
                + "machine, macos, parallelism, plan_name, resource_class, retention, shell, steps, "
                + "type, validation, windows, working_directory"
        ),
    ])
    func reportsJobProblems(_ name: String, _ job: String, _ expected: String) {
        #expect(diagnostics(config(job: job)) == [expected])
    }

    @Test func missingStepsIsAnError() {
        let text = "version: 2.1\njobs:\n  build:\n    docker: [{image: a}]\nworkflows:\n  w:\n    jobs: [build]\n"
        #expect(
            diagnostics(text) == [
                ".circleci/config.yml:4:5: error: job 'build' has no 'steps'\n"
                    + "  hint: add 'steps:' with at least '- checkout' or '- run'"
            ])
    }
}
