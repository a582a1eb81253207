// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel
import Testing

/// What a config's shape may and may not be: names without control characters, workflows with jobs, top-level keys
/// that only hold anchors.
@Suite struct ConfigShapeTests {
    static let nameHint = "  hint: names are shown in terminals, logs and reports; use printable characters only"

    @Test(arguments: [
        (
            "version: 2.1\njobs:\n  \"a\\0b\": {docker: [{image: x}], steps: [checkout]}\nworkflows:\n  w: {jobs: [\"a\\0b\"]}\n",
            ".circleci/config.yml:3:3: error: the job name 'a\\x00b' contains the control character \\x00"
        ),
        (
            "version: 2.1\njobs:\n  b: {docker: [{image: x}], steps: [checkout]}\nworkflows:\n  \"w\\e[2J\": {jobs: [b]}\n",
            ".circleci/config.yml:5:3: error: the workflow name 'w\\x1b[2J' contains the control character \\x1b"
        ),
        (
            "version: 2.1\njobs:\n  b: {docker: [{image: x}], steps: [{run: {name: \"ok\\nFAILED\", command: x}}]}\n"
                + "workflows:\n  w: {jobs: [b]}\n",
            ".circleci/config.yml:3:50: error: the step name 'ok\\x0aFAILED' contains the control character \\x0a"
        ),
        (
            "version: 2.1\njobs:\n  b: {docker: [{image: x}], steps: [checkout]}\n"
                + "workflows:\n  w: {jobs: [{b: {name: \"b\\rx\"}}]}\n",
            ".circleci/config.yml:5:25: error: the job name 'b\\x0dx' contains the control character \\x0d"
        ),
        (
            "version: 2.1\njobs:\n  b:\n    parameters: {\"p\\x7f\": {type: string, default: x}}\n"
                + "    docker: [{image: x}]\n    steps: [checkout]\nworkflows:\n  w: {jobs: [b]}\n",
            ".circleci/config.yml:4:18: error: the parameter name 'p\\x7f' contains the control character \\x7f"
        ),
    ])
    func controlCharactersInNamesAreErrorsAtTheirLine(_ text: String, _ expected: String) {
        let result = compile(text)
        #expect(result.configuration == nil)
        #expect(result.diagnostics.map(\.formatted) == [expected + "\n" + Self.nameHint])
    }

    @Test func aWorkflowWithAnEmptyJobsListIsAnError() {
        #expect(
            diagnostics(
                "version: 2.1\njobs:\n  b: {docker: [{image: x}], steps: [checkout]}\nworkflows:\n  w: {jobs: []}\n")
                == [
                    ".circleci/config.yml:5:13: error: workflow 'w' has an empty 'jobs' list\n"
                        + "  hint: list at least one job under 'jobs:'"
                ])
    }

    @Test func topLevelKeysThatOnlyHoldAnchorsAreAcceptedSilently() {
        let text = """
            version: 2.1
            defaults: &defaults
              docker: [{image: a}]
            aliases:
              - &restore {restore_cache: {key: k}}
              - &save {save_cache: {key: k, paths: [x]}}
            references:
              steps:
                test: &test {run: make test}
            extra: {plain: 1}
            jobs:
              build:
                <<: *defaults
                steps: [checkout, *restore, *test, *save]
            workflows:
              w: {jobs: [build]}
            """
        #expect(
            diagnostics(text) == [
                ".circleci/config.yml:10:1: warning: unknown top-level key 'extra' is ignored\n"
                    + "  hint: the top-level keys are commands, executors, jobs, orbs, parameters, setup, version, "
                    + "workflows; a key that only holds YAML anchors is fine"
            ])
    }

    @Test func topLevelNotifyNamesTheSettingThatNotifies() {
        let text = config() + "\nnotify:\n  webhooks:\n    - url: https://example.com/hook\n"
        #expect(
            diagnostics(text) == [
                ".circleci/config.yml:10:1: warning: top-level 'notify' (CircleCI 2.0's webhooks) is not supported "
                    + "and is ignored\n  hint: to run a program when a pipeline finishes, set 'notify: { command: "
                    + "PATH }' in cibox's settings.yml"
            ])
    }
}
