// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel
import CIBoxTestSupport
import Foundation
import Testing

@Suite struct ConfigCompilerTests {
    @Test(arguments: ["2", "2.0", "2.1"])
    func acceptsSupportedVersions(_ version: String) throws {
        let text = "version: \(version)\njobs:\n  a: {steps: [checkout]}\nworkflows:\n  w: {jobs: [a]}\n"
        let result = compile(text)
        #expect(result.diagnostics.isEmpty)
        #expect(try #require(result.configuration).version == version)
    }

    @Test(arguments: [
        (
            "version: 3\njobs: {}\nworkflows: {}\n",
            ".circleci/config.yml:1:10: error: unsupported config version '3'\n"
                + "  hint: cibox supports version 2, 2.0 and 2.1"
        ),
        (
            "jobs: {}\nworkflows: {}\n",
            ".circleci/config.yml:1:1: error: the config has no 'version'\n"
                + "  hint: cibox supports version 2, 2.0 and 2.1"
        ),
        (
            "",
            ".circleci/config.yml:1:1: error: the config is empty\n"
                + "  hint: start the file with 'version: 2.1', then 'jobs:' and 'workflows:'"
        ),
        ("- a\n", ".circleci/config.yml:1:1: error: 'config' must be a mapping, got a list"),
    ])
    func reportsBadVersionsAndShapes(_ text: String, _ expected: String) {
        let result = compile(text)
        #expect(result.configuration == nil)
        #expect(result.diagnostics.map(\.formatted) == [expected])
    }

    @Test func implicitBuildWorkflowFor20() throws {
        let text = "version: 2\njobs:\n  build:\n    steps: [checkout]\n  other:\n    steps: [checkout]\n"
        let configuration = try #require(compile(text).configuration)
        #expect(configuration.workflows.map(\.name) == ["build"])
        #expect(configuration.workflows.first?.jobs.map(\.name) == ["build"])
        #expect(configuration.workflows.first?.jobs.first?.spec?.definitionName == "build")
    }

    @Test func implicitWorkflowNeedsABuildJob() {
        #expect(
            diagnostics("version: 2.0\njobs:\n  test:\n    steps: [checkout]\n") == [
                ".circleci/config.yml:2:1: error: a version 2.0 config without 'workflows' needs a job named 'build'\n"
                    + "  hint: rename the job to run to 'build', or add a 'workflows:' key"
            ])
    }

    @Test func topLevelKeyWarnings() throws {
        let text = """
            version: 2.1
            defaults: &defaults {docker: [{image: a}]}
            orbs:
              node: circleci/node@5
            jobs:
              build:
                <<: *defaults
                steps: [checkout]
            workflows:
              w: {jobs: [build]}
            """
        let result = ConfigCompiler.compile(
            ConfigSource(path: ".circleci/config.yml", text: text), values: testValues, parameters: [:],
            options: CompileOptions(allowMissingOrbs: true))
        #expect(result.configuration != nil)
        #expect(buildSpec(result)?.executor == ExecutorLabel(kind: "docker", image: "a"))
        #expect(
            result.diagnostics.map(\.formatted) == [
                ".circleci/config.yml:4:9: warning: orb 'circleci/node@5' is not available offline\n"
                    + "  hint: every use of 'node/…' fails when it runs"
            ])
    }

    @Test func reportsAllErrorsAtOnce() {
        let text = """
            version: 2.1
            jobs:
              a:
                parallelism: many
                steps:
                  - greet
                  - run: {when: later, command: x}
              b:
                steps: [checkout]
            workflows:
              w:
                jobs: [a, b, missing]
            """
        let result = compile(text)
        #expect(result.configuration == nil)
        #expect(result.diagnostics.filter { $0.severity == .error }.map(\.location.line).sorted() == [4, 6, 7, 12])
    }

    @Test func unknownPipelineParameterIsAnError() {
        let text = "version: 2.1\njobs:\n  a: {steps: [checkout]}\nworkflows:\n  w: {jobs: [a]}\n"
        let result = compile(text, parameters: ["deploy": "true"])
        #expect(result.configuration == nil)
        #expect(
            result.diagnostics.map(\.formatted) == [
                ".circleci/config.yml:1:1: error: unknown pipeline parameter 'deploy'\n"
                    + "  hint: declare it under the top-level 'parameters:' key, or do not pass it"
            ])
    }

    static let corpusFolder = Corpus.configs

    @Test(
        .enabled(if: FileManager.default.fileExists(atPath: corpusFolder), "the CircleCI corpus is not on this machine")
    )
    func compilesEveryCorpusConfigWithoutCrashing() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpusFolder)
            .filter { $0.hasSuffix(".yml") }.sorted()
        #expect(!names.isEmpty)
        for name in names {
            let text = try String(contentsOfFile: "\(Self.corpusFolder)/\(name)", encoding: .utf8)
            let result = ConfigCompiler.compile(ConfigSource(path: name, text: text), values: testValues)
            #expect((result.configuration != nil) != result.diagnostics.containsError, "\(name)")
            #expect(result.configuration != nil || !result.diagnostics.isEmpty, "\(name)")
        }
    }
}
