// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel
import Testing

@Suite struct WorkflowCompilerTests {
    /// A config with jobs `a`, `b` and `c` and the workflow `w` with `jobs` (YAML at the list's indentation).
    func workflow(_ jobs: String) -> CompileResult {
        compile(
            """
            version: 2.1
            jobs:
              a: {steps: [checkout]}
              b: {steps: [checkout]}
              c: {steps: [checkout]}
            workflows:
              version: 2
              w:
                jobs:
            \(jobs)
            """)
    }

    func workflowJobs(_ yaml: String) -> [WorkflowJob]? {
        workflow(yaml).configuration?.workflows.first?.jobs
    }

    @Test(arguments: [
        ("names", "      - a\n      - b: {requires: [a]}", [Requirement(job: "a")]),
        (
            "status", "      - a\n      - b:\n          requires:\n            - a: failed",
            [Requirement(job: "a", statuses: [.failed])]
        ),
        (
            "status list", "      - a\n      - b:\n          requires:\n            - a: [success, canceled]",
            [Requirement(job: "a", statuses: [.success, .canceled])]
        ),
        (
            "terminal", "      - a\n      - b:\n          requires:\n            - a: terminal",
            [Requirement(job: "a", statuses: [.success, .failed, .canceled, .notRun])]
        ),
    ])
    func readsRequires(_ name: String, _ yaml: String, _ expected: [Requirement]) throws {
        let jobs = try #require(workflowJobs(yaml))
        #expect(jobs[1].requires == expected)
        #expect(jobs[1].requirementLocations.count == expected.count)
    }

    @Test func readsJobOptions() throws {
        let yaml = """
                  - a:
                      name: a-renamed
                      context: [org, aws]
                  - hold:
                      type: approval
                  - b:
                      context: single
                      requires: [a-renamed, hold]
            """
        let jobs = try #require(workflowJobs(yaml))
        #expect(jobs.map(\.name) == ["a-renamed", "hold", "b"])
        #expect(jobs[0].contexts == ["org", "aws"])
        #expect(jobs[0].spec?.definitionName == "a")
        #expect(jobs[1].kind == .approval)
        #expect(jobs[1].spec == nil)
        #expect(jobs[2].contexts == ["single"])
        #expect(jobs[0].location == SourceLocation(file: ".circleci/config.yml", line: 10, column: 9))
    }

    @Test(arguments: [
        (
            "branches only string", "branches: {only: main}",
            JobFilters(branches: RefFilter(only: [.exact("main")]))
        ),
        (
            "branches ignore list", "branches: {ignore: [main, /feature\\/.*/]}",
            JobFilters(branches: RefFilter(ignore: [.exact("main"), .regex("feature\\/.*")]))
        ),
        (
            "tags and branches", "{tags: {only: /^v.*/}, branches: {ignore: /.*/}}",
            JobFilters(branches: RefFilter(ignore: [.regex(".*")]), tags: RefFilter(only: [.regex("^v.*")]))
        ),
    ])
    func readsFilters(_ name: String, _ filters: String, _ expected: JobFilters) throws {
        let yaml = "      - a:\n          filters: \(filters.hasPrefix("{") ? filters : "{\(filters)}")"
        #expect(try #require(workflowJobs(yaml)).first?.filters == expected)
    }

    @Test(arguments: [
        (
            "undefined job", "      - nope",
            ".circleci/config.yml:10:9: error: workflow 'w' uses undefined job 'nope'\n"
                + "  hint: define 'nope' under 'jobs:' or fix the name"
        ),
        (
            "orb job", "      - node/test",
            ".circleci/config.yml:10:9: error: workflow 'w' uses undefined job 'node/test'\n"
                + "  hint: define 'node/test' under 'jobs:' or fix the name"
        ),
        (
            "bad status", "      - a\n      - b: {requires: [{a: maybe}]}",
            ".circleci/config.yml:11:28: error: unknown job status 'maybe' in 'workflows.w.jobs[1].b.requires[0].a'\n"
                + "  hint: statuses are success, failed, canceled, not_run and terminal"
        ),
        (
            "bad regex", "      - a: {filters: {branches: {only: /(/}}}",
            ".circleci/config.yml:10:40: error: invalid regular expression '/(/' in "
                + "'workflows.w.jobs[0].a.filters.branches.only': "
        ),
        (
            "matrix of a job without parameters", "      - a: {matrix: {parameters: {x: [1]}}}",
            ".circleci/config.yml:10:39: error: unknown parameter 'x' for job 'a'\n  hint: job 'a' has no parameters"
        ),
    ])
    func reportsWorkflowProblems(_ name: String, _ yaml: String, _ expected: String) {
        let diagnostics = workflow(yaml).diagnostics.map(\.formatted)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.hasPrefix(expected) == true, "\(diagnostics)")
    }

    @Test func scheduledWorkflowsAreRecordedAndWhenIsEvaluated() throws {
        let text = """
            version: 2.1
            parameters:
              x: {type: boolean, default: false}
            jobs:
              a: {steps: [checkout]}
            workflows:
              nightly:
                triggers: [{schedule: {cron: "0 0 * * *", filters: {branches: {only: main}}}}]
                jobs: [a]
              commit:
                when: << pipeline.parameters.x >>
                jobs: [a]
              other:
                unless: << pipeline.parameters.x >>
                jobs: [a]
            """
        let result = compile(text)
        let configuration = try #require(result.configuration)
        #expect(configuration.workflows.map(\.name) == ["other"])
        #expect(configuration.skippedWorkflows == ["commit"])
        #expect(configuration.scheduledWorkflows.map(\.name) == ["nightly"])
        #expect(
            configuration.scheduledWorkflows.first?.triggers == [
                ScheduleTrigger(cron: "0 0 * * *", filters: JobFilters(branches: RefFilter(only: [.exact("main")])))
            ])
        #expect(
            result.diagnostics.map(\.formatted) == [
                ".circleci/config.yml:8:5: warning: workflow 'nightly' runs on a schedule, which cibox does not do: "
                    + "it is recorded but not run for commits"
            ])
        #expect(compile(text, parameters: ["x": "TRUE"]).configuration?.workflows.map(\.name) == ["commit"])
    }
}
