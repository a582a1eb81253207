// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML
import Testing

@Suite struct YAMLReaderTests {
    func parse(_ text: String) -> ConfigNode? {
        YAMLReader.parse(text, file: "c.yml").root
    }

    @Test func keepsLocationsOfNodesAndKeys() throws {
        let root = try #require(parse("a: 1\nlist:\n  - x\n  - key: value\n"))
        let list = try #require(root.entry("list"))
        #expect(list.keyLocation == SourceLocation(file: "c.yml", line: 2, column: 1))
        let elements = try #require(list.value.elements)
        #expect(elements[0].location == SourceLocation(file: "c.yml", line: 3, column: 5))
        let entry = try #require(elements[1].entry("key"))
        #expect(entry.keyLocation == SourceLocation(file: "c.yml", line: 4, column: 5))
        #expect(entry.value.location == SourceLocation(file: "c.yml", line: 4, column: 10))
    }

    @Test func keepsMappingOrder() throws {
        let root = try #require(parse("z: 1\na: 2\nm: 3\n"))
        #expect(root.entries?.map(\.key) == ["z", "a", "m"])
    }

    @Test(arguments: [
        ("plain", "v: true", "true", false),
        ("double quoted", "v: \"true\"", "true", true),
        ("single quoted", "v: 'yes'", "yes", true),
        ("literal block", "v: |\n  x\n", "x\n", true),
        ("explicit str tag", "v: !!str 12", "12", true),
    ])
    func recordsWhetherScalarsAreQuoted(_ name: String, _ yaml: String, _ text: String, _ isQuoted: Bool) throws {
        let scalar = try #require(parse(yaml)?["v"]?.scalar)
        #expect(scalar.text == text)
        #expect(scalar.isQuoted == isQuoted)
    }

    @Test(
        arguments: [
            ("true", true), ("False", false), ("yes", true), ("off", false), ("\"true\"", nil), ("maybe", nil),
        ] as [(String, Bool?)])
    func readsYAML11Booleans(_ text: String, _ expected: Bool?) throws {
        #expect(try #require(parse("v: \(text)")?["v"]?.scalar).bool == expected)
    }

    struct MergeCase: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var yaml: String
        var expected: [String: String]
        var keys: [String]
    }

    static let mergeCases: [MergeCase] = [
        MergeCase(
            testDescription: "single merge", yaml: "a: &a {x: 1, y: 2}\nb:\n  <<: *a\n  z: 3\n",
            expected: ["x": "1", "y": "2", "z": "3"], keys: ["x", "y", "z"]),
        MergeCase(
            testDescription: "local keys win", yaml: "a: &a {x: 1, y: 2}\nb:\n  y: 9\n  <<: *a\n",
            expected: ["x": "1", "y": "9"], keys: ["y", "x"]),
        MergeCase(
            testDescription: "earlier list entries win",
            yaml: "a: &a {x: 1}\nc: &c {x: 2, w: 4}\nb:\n  <<: [*a, *c]\n",
            expected: ["x": "1", "w": "4"], keys: ["x", "w"]),
        MergeCase(
            testDescription: "nested merges apply",
            yaml: "a: &a {x: 1}\nc: &c\n  <<: *a\n  w: 4\nb:\n  <<: *c\n",
            expected: ["x": "1", "w": "4"], keys: ["x", "w"]),
        MergeCase(
            testDescription: "quoted << is a plain key", yaml: "b:\n  '<<': 5\n",
            expected: ["<<": "5"], keys: ["<<"]),
    ]

    @Test(arguments: mergeCases)
    func appliesMergeKeys(_ merge: MergeCase) throws {
        let (root, diagnostics) = YAMLReader.parse(merge.yaml, file: "c.yml")
        #expect(diagnostics.isEmpty)
        let b = try #require(root?["b"]?.entries)
        #expect(b.map(\.key) == merge.keys)
        #expect(Dictionary(uniqueKeysWithValues: b.map { ($0.key, $0.value.scalar?.text ?? "") }) == merge.expected)
    }

    @Test func repeatedMergeKeysActLikeAMergeList() throws {
        let yaml = "a: &a {x: 1}\nc: &c {x: 2, w: 4}\nb:\n  <<: *a\n  <<: *c\n  v: 5\n"
        let (root, diagnostics) = YAMLReader.parse(yaml, file: "c.yml")
        #expect(diagnostics.isEmpty)
        let b = try #require(root?["b"])
        #expect(b.entries?.map(\.key) == ["x", "w", "v"])
        #expect(b["x"]?.scalar?.text == "1")
    }

    @Test func mergeOfAScalarIsAnError() {
        let (_, diagnostics) = YAMLReader.parse("a: &a 1\nb:\n  <<: *a\n", file: "c.yml")
        #expect(
            diagnostics.map(\.formatted) == [
                "c.yml:1:4: error: the merge key '<<' needs a mapping or a list of mappings\n"
                    + "  hint: write '<<: *anchor' where '&anchor' names a mapping"
            ])
    }

    @Test func laterAnchorDefinitionWinsForLaterAliases() throws {
        let yaml = """
            first: &step {run: one}
            useFirst: *step
            second: &step {run: two}
            useSecond: *step
            """
        let root = try #require(parse(yaml))
        #expect(root["useFirst"]?["run"]?.scalar?.text == "one")
        #expect(root["useSecond"]?["run"]?.scalar?.text == "two")
    }

    @Test(arguments: [
        (
            "unclosed quote", "version: 2.1\njobs:\n  a: \"oops\n",
            ".circleci/config.yml:4:1: error: invalid YAML: found unexpected end of stream "
                + "(while scanning a quoted scalar at line 3, column 6)"
        ),
        (
            "bad indentation", "version: 2.1\njobs:\n  a: 1\n b: 2\n",
            ".circleci/config.yml:4:2: error: invalid YAML: did not find expected key "
                + "(while parsing a block mapping at line 1, column 1)"
        ),
        (
            "duplicate key", "version: 2.1\nversion: 2\n",
            ".circleci/config.yml:1:1: error: invalid YAML: duplicate key 'version' in a mapping"
        ),
    ])
    func invalidYAMLPointsAtTheProblem(_ name: String, _ yaml: String, _ expected: String) {
        let hint = "\n  hint: check the indentation, quoting and ':' near this place; a YAML linter shows more"
        #expect(YAMLReader.parse(yaml, file: ".circleci/config.yml").diagnostics.map(\.formatted) == [expected + hint])
    }
}
