// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel
import CIBoxOrbs
import CIBoxTestSupport
import CIBoxYAML
import Testing

/// `cibox orb pack`: CircleCI's orb source layout into one orb YAML.
@Suite struct OrbPackerTests {
    /// A small orb source folder, by path relative to `src/`.
    static let source: [String: String] = [
        "@orb.yml": """
        version: 2.1
        description: Greets people.
        display:
          source_url: https://example.com/greet
        """,
        "commands/say.yml": """
        description: Say something.
        parameters:
          text: {type: string}
          loud: {type: boolean, default: no}
        steps:
          - run:
              name: Say
              environment: {TEXT: << parameters.text >>}
              command: <<include(scripts/say.sh)>>
        """,
        "jobs/hello.yml": """
        executor: default
        steps:
          - say: {text: hello}
        """,
        "executors/default.yml": """
        docker:
          - image: "busybox:1.36"
        """,
        "examples/basic.yml": """
        description: Say hello.
        usage:
          version: 2.1
          orbs: {greet: acme/greet@1}
          workflows: {main: {jobs: [greet/hello]}}
        """,
        "scripts/say.sh": "#!/bin/bash\nif [ -n \"$TEXT\" ]; then\n\tcat <<EOF\n$TEXT\nEOF\nfi\n",
        "scripts/README.md": "not part of the orb",
    ]

    static func pack(_ files: [String: String]) -> OrbPackResult {
        OrbPacker.pack(files: Array(files.keys), folder: "src") { files[$0] }
    }

    @Test func packsCommandsJobsExecutorsExamplesAndIncludes() throws {
        let result = Self.pack(Self.source)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.formatted))")
        let expected = """
            version: 2.1
            description: Greets people.
            display:
              source_url: https://example.com/greet
            commands:
              say:
                description: Say something.
                parameters:
                  loud:
                    default: no
                    type: boolean
                  text:
                    type: string
                steps:
                - run:
                    command: "#!/bin/bash\\nif [ -n \\"$TEXT\\" ]; then\\n\\tcat \\\\<<EOF\\n$TEXT\\nEOF\\nfi\\n"
                    environment:
                      TEXT: << parameters.text >>
                    name: Say
            executors:
              default:
                docker:
                - image: busybox:1.36
            jobs:
              hello:
                executor: default
                steps:
                - say:
                    text: hello
            examples:
              basic:
                description: Say hello.
                usage:
                  orbs:
                    greet: acme/greet@1
                  version: 2.1
                  workflows:
                    main:
                      jobs:
                      - greet/hello

            """
        #expect(result.text == expected)
    }

    @Test func packedOrbCompilesAndRunsTheIncludedScriptVerbatim() throws {
        let packed = try #require(Self.pack(Self.source).text)
        let config = """
            version: 2.1
            orbs:
              greet: acme/greet@1.0.0
            workflows:
              w: {jobs: [greet/hello]}
            """
        let result = ConfigCompiler.compile(
            ConfigSource(path: ".circleci/config.yml", text: config),
            values: PipelineValues(
                id: "00000000-0000-0000-0000-000000000001", number: 1, projectGitURL: "/repo", branch: "main",
                revision: String(repeating: "a", count: 40)),
            parameters: [:],
            options: CompileOptions(orbs: FakeOrbs(orbs: ["acme/greet@1.0.0": packed])))
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.formatted))")
        let job = try #require(result.configuration?.workflows.first?.jobs.first?.spec)
        #expect(job.executor == ExecutorLabel(kind: "docker", image: "busybox:1.36"))
        guard case .run(let run) = job.steps.first?.action else {
            Issue.record("expected a run step, got \(String(describing: job.steps.first))")
            return
        }
        #expect(run.command == Self.source["scripts/say.sh"])
    }

    @Test func packingIsDeterministic() {
        let once = Self.pack(Self.source).text
        let reordered = Self.source.merging(["@orb.yml": "description: Greets people.\nversion: 2.1\n"]) { $1 }
        #expect(Self.pack(reordered).text?.hasPrefix("version: 2.1\ndescription: Greets people.\n") == true)
        #expect(Self.pack(Self.source).text == once)
    }

    @Test func scalarsKeepTheirTypes() throws {
        let packed = try #require(
            Self.pack([
                "@orb.yml": "version: 2.1",
                "commands/c.yml": """
                parameters:
                  a: {type: string, default: "true"}
                  b: {type: boolean, default: true}
                  c: {type: integer, default: 3}
                  d: {type: string, default: "3"}
                  e: {type: string, default: ""}
                  f: {type: string, default: ~}
                  g: {type: string, default: 'it''s: "x"'}
                steps: [{run: "echo << parameters.a >>"}]
                """,
            ]).text)
        #expect(
            packed == """
                version: 2.1
                commands:
                  c:
                    parameters:
                      a:
                        default: "true"
                        type: string
                      b:
                        default: true
                        type: boolean
                      c:
                        default: 3
                        type: integer
                      d:
                        default: "3"
                        type: string
                      e:
                        default: ""
                        type: string
                      f:
                        default: null
                        type: string
                      g:
                        default: "it's: \\"x\\""
                        type: string
                    steps:
                    - run: echo << parameters.a >>

                """)
    }

    @Test(arguments: [
        "a\n", "a", "a\n\n", "a\n\n\n", "\ta\n\tb \n", " leading space\n", "x: y\n# not a comment\n", "crlf\r\n",
        "<<EOF\n<< parameters.x >>\n", "",
    ])
    func includedTextReadsBackByteForByte(_ script: String) throws {
        let packed = try #require(
            Self.pack([
                "@orb.yml": "version: 2.1", "commands/c.yml": "steps: [{run: <<include(s.sh)>>}]", "s.sh": script,
            ]).text)
        let root = try #require(YAMLReader.parse(packed, file: "orb.yml").root)
        let command = root["commands"]?["c"]?["steps"]?.elements?.first?["run"]?.scalar?.text
        #expect(command == script.replacing("<<", with: "\\<<"), "\(packed)")
    }

    @Test func elementsFromAnAtFileAndFromTheRootMerge() {
        let result = Self.pack([
            "@orb.yml": "version: 2.1\ncommands:\n  a: {steps: [checkout]}\n",
            "commands/@more.yml": "b: {steps: [checkout]}\nc: {steps: [checkout]}\n",
            "commands/d.yaml": "steps: [checkout]\n",
        ])
        #expect(result.diagnostics.isEmpty)
        #expect(result.text?.contains("commands:\n  a:\n    steps:\n    - checkout\n  b:") == true)
        #expect(result.text?.contains("  d:\n    steps:\n    - checkout\n") == true)
    }

    @Test(arguments: [
        (
            ["commands/x.yml": "steps: [{run: <<include(scripts/none.sh)>>}]"],
            "src/commands/x.yml:1:15: error: cannot include 'scripts/none.sh': 'src/scripts/none.sh' does not exist "
                + "or is not UTF-8 text\n  hint: include paths are relative to the orb's source folder 'src'"
        ),
        (
            ["commands/x.yml": "steps:\n  - run: 'echo <<include(scripts/a.sh)>>'"],
            "src/commands/x.yml:2:10: error: '<<include(scripts/a.sh)>>' must be the whole value\n"
                + "  hint: move the text around it into the included file"
        ),
        (
            ["jobs/x.yml": "steps:\n  - run: <<include(a.sh)>><<include(b.sh)>>"],
            "src/jobs/x.yml:2:10: error: a value holds 2 include directives; it may hold one\n"
                + "  hint: include one file, and put the rest of the text in it"
        ),
        (
            ["executors/x.yml": "docker:\n  - image: <<include(../secret)>>"],
            "src/executors/x.yml:2:12: error: cannot include '../secret': it is outside the orb's source folder\n"
                + "  hint: give a path relative to 'src', such as scripts/NAME.sh"
        ),
        (
            ["jobs/x.yml": "- not a mapping"],
            "src/jobs/x.yml:1:1: error: 'src/jobs/x.yml' must hold a mapping, got a list"
        ),
        (
            ["jobs/x.yml": ""],
            "src/jobs/x.yml:1:1: error: 'src/jobs/x.yml' is empty\n  hint: an orb file holds a mapping"
        ),
        (
            ["jobs/build.yml": "steps: [checkout]", "@orb.yml": "version: 2.1\njobs:\n  build: {steps: [checkout]}"],
            "src/jobs/build.yml:1:1: error: 'jobs.build' is defined twice\n"
                + "  hint: first at src/@orb.yml:3:3; keep one of them"
        ),
    ])
    func errorsNameTheFileAndLine(_ files: [String: String], _ expected: String) {
        let result = Self.pack(["@orb.yml": "version: 2.1"].merging(files) { $1 })
        #expect(result.text == nil)
        #expect(result.diagnostics.map(\.formatted) == [expected])
    }

    @Test func yamlErrorsPointIntoTheFile() {
        let result = Self.pack(["@orb.yml": "version: 2.1", "commands/x.yml": "steps:\n  - run: [unclosed\n"])
        #expect(result.text == nil)
        #expect(result.diagnostics.first?.location.file == "src/commands/x.yml")
        #expect(result.diagnostics.first?.severity == .error)
    }

    @Test func aFolderWithoutTheRootFileIsRefused() {
        let result = Self.pack(["commands/x.yml": "steps: [checkout]"])
        #expect(
            result.diagnostics.map(\.formatted) == [
                "src/@orb.yml:1:1: error: the orb source folder has no @orb.yml\n  hint: pass the folder that holds "
                    + "@orb.yml, commands/, jobs/ and executors/ (an orb repository's src/)"
            ])
    }

    @Test func keysThatAreNotOrbKeysAndStrayFilesAreWarnings() {
        let result = Self.pack([
            "@orb.yml": "version: 2.1\nfoo: bar\n", "commands/notes.txt": "x", "commands/.hidden.yml": "x: 1",
        ])
        #expect(result.text == "version: 2.1\n")
        #expect(
            result.diagnostics.map(\.formatted) == [
                "src/@orb.yml:2:1: warning: 'foo' is not an orb key and is left out\n  hint: an orb's keys are "
                    + "version, description, display, orbs, commands, executors, jobs, examples",
                "src/commands/notes.txt:1:1: warning: 'commands/notes.txt' is not a YAML file of 'commands/' and is "
                    + "left out\n  hint: each element is one file 'commands/NAME.yml'",
            ])
    }

    @Test func examplesAreNotSearchedForIncludes() {
        let result = Self.pack([
            "@orb.yml": "version: 2.1", "examples/x.yml": "description: <<include(none.txt)>>",
        ])
        #expect(result.diagnostics.isEmpty)
        #expect(result.text?.contains("description: <<include(none.txt)>>") == true)
    }
}
