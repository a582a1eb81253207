// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel

/// Pipeline values for tests.
let testValues = PipelineValues(
    id: "00000000-0000-0000-0000-000000000001", number: 1, projectGitURL: "/repo", branch: "main",
    revision: String(repeating: "a", count: 40))

/// Compiles `text` as `.circleci/config.yml`.
func compile(_ text: String, parameters: [String: String] = [:]) -> CompileResult {
    ConfigCompiler.compile(
        ConfigSource(path: ".circleci/config.yml", text: text), values: testValues, parameters: parameters)
}

/// The formatted diagnostics of compiling `text`.
func diagnostics(_ text: String) -> [String] {
    compile(text).diagnostics.map(\.formatted)
}

/// A 2.1 config with one job `build` running `steps` (YAML lines at the steps' indentation).
func config(job: String = "", steps: String = "      - checkout") -> String {
    """
    version: 2.1
    jobs:
      build:
    \(job)    steps:
    \(steps)
    workflows:
      main:
        jobs:
          - build
    """
}

/// The spec of job `build` of a compiled config, if it compiled.
func buildSpec(_ result: CompileResult) -> JobSpec? {
    result.configuration?.workflows.first?.jobs.first?.spec
}
