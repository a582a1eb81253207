// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel
import CIBoxPlanner
import Testing

/// Compiles `workflows` (YAML under `workflows:`) with jobs `a` … `e` defined.
func configuration(_ workflows: String) throws -> Configuration {
    let text = """
        version: 2.1
        jobs:
          a: {steps: [checkout]}
          b: {steps: [checkout]}
          c: {steps: [checkout]}
          d: {steps: [checkout]}
          e: {steps: [checkout]}
        workflows:
        \(workflows)
        """
    let values = PipelineValues(
        id: "p", number: 1, projectGitURL: "/repo", branch: "main", revision: String(repeating: "a", count: 40))
    let result = ConfigCompiler.compile(ConfigSource(path: "config.yml", text: text), values: values)
    return try #require(result.configuration, "\(result.diagnostics.map(\.formatted))")
}

@Suite struct PlannerFilterTests {
    static let filtered = """
          w:
            jobs:
              - a
              - b: {filters: {branches: {only: main}}}
              - c: {filters: {branches: {ignore: [main, /release\\/.*/]}}}
              - d: {filters: {branches: {only: /feat/}, tags: {only: '/v[0-9]+/'}}}
              - e: {filters: {tags: {ignore: /.*-rc/}}}
        """

    @Test(
        arguments: [
            ("main branch", "main", nil, ["a", "b", "e"]),
            ("release branch", "release/1", nil, ["a", "e"]),
            ("regex must match the whole name", "feature", nil, ["a", "c", "e"]),
            ("regex whole match", "feat", nil, ["a", "c", "d", "e"]),
            ("tag with tags filter", nil, "v12", ["d", "e"]),
            ("tag not matching only", nil, "v1-rc", []),
            ("tag ignored", nil, "beta-rc", []),
            ("tag, no filter", nil, "beta", ["e"]),
            ("no branch", nil, nil, ["a", "c", "e"]),
        ] as [(String, String?, String?, [String])])
    func runsJobsByFilters(_ name: String, _ branch: String?, _ tag: String?, _ expected: [String]) throws {
        let config = try configuration(Self.filtered)
        do {
            let plan = try Planner.plan(config, branch: branch, tag: tag, selection: WorkflowSelection())
            #expect(plan.workflows.first?.jobs.map(\.name) == expected)
        } catch {
            #expect(expected.isEmpty, "\(error)")
        }
    }

    @Test func dependentsOfFilteredJobsAreLeftOut() throws {
        let config = try configuration(
            """
              w:
                jobs:
                  - a: {filters: {branches: {only: main}}}
                  - b: {requires: [a]}
                  - c: {requires: [b]}
                  - d: {requires: [a, e]}
                  - e
            """)
        let onMain = try Planner.plan(config, branch: "main", tag: nil, selection: WorkflowSelection())
        #expect(onMain.workflows.first?.jobs.map(\.name) == ["a", "b", "c", "d", "e"])
        let onDev = try Planner.plan(config, branch: "dev", tag: nil, selection: WorkflowSelection())
        let jobs = try #require(onDev.workflows.first?.jobs)
        #expect(jobs.map(\.name) == ["d", "e"])
        #expect(jobs.first?.requires == [Requirement(job: "e")])
    }
}

@Suite struct PlannerSelectionTests {
    static let twoWorkflows = """
          one:
            jobs:
              - a
              - b: {requires: [a]}
          two:
            jobs:
              - b: {name: b-again}
              - c: {requires: [b-again]}
        """

    @Test(arguments: [
        ("all", WorkflowSelection(), ["one": ["a", "b"], "two": ["b-again", "c"]]),
        ("one workflow", WorkflowSelection(workflows: ["two"]), ["two": ["b-again", "c"]]),
        ("by definition name", WorkflowSelection(job: "b"), ["one": ["b"], "two": ["b-again"]]),
        ("by workflow name", WorkflowSelection(workflows: ["two"], job: "b-again"), ["two": ["b-again"]]),
    ])
    func selectsWorkflowsAndJobs(_ name: String, _ selection: WorkflowSelection, _ expected: [String: [String]]) throws
    {
        let plan = try Planner.plan(
            try configuration(Self.twoWorkflows), branch: "main", tag: nil, selection: selection)
        #expect(Dictionary(uniqueKeysWithValues: plan.workflows.map { ($0.name, $0.jobs.map(\.name)) }) == expected)
        if selection.jobs.count == 1 {
            #expect(plan.workflows.allSatisfy { $0.jobs.allSatisfy(\.requires.isEmpty) })
        }
    }

    @Test func severalJobsKeepTheRequirementsBetweenThem() throws {
        let plan = try Planner.plan(
            try configuration(Self.twoWorkflows), branch: "main", tag: nil,
            selection: WorkflowSelection(jobs: ["a", "b", "c"]))
        let requires = plan.workflows.map { ($0.name, $0.jobs.map { "\($0.name)<-\($0.requires.map(\.job))" }) }
        #expect(requires.map(\.0) == ["one", "two"])
        #expect(requires.map(\.1) == [["a<-[]", "b<-[\"a\"]"], ["b-again<-[]", "c<-[\"b-again\"]"]])
    }

    @Test(arguments: [
        (WorkflowSelection(workflows: ["three"]), "unknown workflow 'three'; the config defines: one, two"),
        (
            WorkflowSelection(job: "zzz"),
            "nothing to run: no job named 'zzz' in workflows 'one', 'two' runs for branch 'main'; "
                + "check the job name and its filters"
        ),
    ])
    func selectionErrorsNameWhatExists(_ selection: WorkflowSelection, _ message: String) throws {
        let config = try configuration(Self.twoWorkflows)
        #expect(throws: PlanningError(message)) {
            try Planner.plan(config, branch: "main", tag: nil, selection: selection)
        }
    }

    @Test func nothingToRunForATagWithoutTagFilters() throws {
        let config = try configuration(Self.twoWorkflows)
        #expect(
            throws: PlanningError(
                "nothing to run for tag 'v1': the filters of every job in workflows 'one', 'two' leave it out "
                    + "(jobs run for tags only with a 'tags' filter)")
        ) {
            try Planner.plan(config, branch: nil, tag: "v1", selection: WorkflowSelection())
        }
    }

    @Test func planCarriesJobDetails() throws {
        let config = try configuration(
            "  w:\n    jobs:\n      - hold: {type: approval}\n      - a: {requires: [hold], context: org}\n")
        let plan = try Planner.plan(config, branch: "main", tag: nil, selection: WorkflowSelection())
        #expect(plan.version == "2.1")
        #expect(
            plan.workflows.first?.jobs == [
                JobPlan(name: "hold", kind: .approval, spec: nil),
                JobPlan(
                    name: "a", requires: [Requirement(job: "hold")], contexts: ["org"],
                    spec: config.workflows.first?.jobs.last?.spec),
            ])
    }
}

@Suite struct PlannerValidationTests {
    @Test(arguments: [
        (
            "unknown requirement", "  w:\n    jobs:\n      - a: {requires: [nope]}\n",
            [
                "config.yml:11:24: error: job 'a' in workflow 'w' requires unknown job 'nope'\n"
                    + "  hint: 'requires' names jobs of the same workflow (by their 'name:' when renamed)"
            ]
        ),
        (
            "duplicate name", "  w:\n    jobs:\n      - a\n      - b: {name: a}\n",
            [
                "config.yml:12:9: error: duplicate job name 'a' in workflow 'w'\n"
                    + "  hint: give one of them another name with 'name:'"
            ]
        ),
        (
            "cycle",
            "  w:\n    jobs:\n      - a: {requires: [c]}\n      - b: {requires: [a]}\n      - c: {requires: [b]}\n"
                + "      - d: {requires: [d]}\n",
            [
                "config.yml:11:9: error: cycle in requires: a -> c -> b -> a\n  hint: remove one of these requirements",
                "config.yml:14:9: error: cycle in requires: d -> d\n  hint: remove one of these requirements",
            ]
        ),
        ("sound", "  w:\n    jobs:\n      - a\n      - b: {requires: [a]}\n", []),
    ])
    func reportsStructuralErrors(_ name: String, _ workflows: String, _ expected: [String]) throws {
        let config = try configuration(workflows)
        #expect(Planner.validate(config).map(\.formatted) == expected)
        if !expected.isEmpty {
            #expect(throws: PlanningError(expected.joined(separator: "\n"))) {
                _ = try Planner.plan(config, branch: "main", tag: nil, selection: WorkflowSelection(workflows: ["x"]))
            }
        }
    }
}
