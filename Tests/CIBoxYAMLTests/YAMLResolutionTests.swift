// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxTestSupport
import CIBoxYAML
import Foundation
import Testing

/// Reading with Yams' rule-less resolver gives what reading with its default one gave: the same nodes, quoting and
/// errors, word for word; the default one is used only where the rule-less one could differ.
@Suite struct YAMLResolutionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var yaml: String
        /// The resolver that reads it.
        var resolution: YAMLResolution
        /// The text and quoting of `v`, when there is no error.
        var value: (text: String, isQuoted: Bool)?
        /// The diagnostics, formatted.
        var diagnostics: [String] = []
    }

    static let hint = "\n  hint: check the indentation, quoting and ':' near this place; a YAML linter shows more"

    static let cases: [Case] = [
        Case(testDescription: "plain", yaml: "v: true\n", resolution: .ruleLess, value: ("true", false)),
        Case(testDescription: "!!str tag", yaml: "v: !!str true\n", resolution: .ruleLess, value: ("true", true)),
        Case(
            testDescription: "verbatim str tag", yaml: "v: !<tag:yaml.org,2002:str> 1\n", resolution: .ruleLess,
            value: ("1", true)),
        Case(
            testDescription: "!!int on a quoted text", yaml: "v: !!int \"1\"\n", resolution: .ruleLess,
            value: ("1", true)),
        Case(
            testDescription: "!!int on a plain text", yaml: "v: !!int 1\n", resolution: .ruleLess, value: ("1", false)),
        // The non-specific tag `!` is not resolved on a value: cibox reads it as plain, as it always did.
        Case(testDescription: "non-specific tag", yaml: "v: ! true\n", resolution: .ruleLess, value: ("true", false)),
        // An anchored key is resolved by Yams' duplicate check; its aliases share what it resolved to.
        Case(
            testDescription: "aliased key that reads as a string", yaml: "&k name: 1\nv: *k\n", resolution: .ruleLess,
            value: ("name", true)),
        Case(
            testDescription: "aliased key that reads as a boolean", yaml: "&k true: 1\nv: *k\n",
            resolution: .yamsDefault, value: ("true", false)),
        Case(
            testDescription: "aliased non-specific key", yaml: "! &k true: 1\nv: *k\n", resolution: .yamsDefault,
            value: ("true", true)),
        // Plain `1` and quoted `"1"` are different keys for Yams' default resolver (an int and a string).
        Case(
            testDescription: "plain and quoted key", yaml: "1: a\n\"1\": b\nv: c\n", resolution: .yamsDefault,
            value: ("c", false)),
        Case(
            testDescription: "plain and !!int key", yaml: "1: a\n!!int 1: b\n", resolution: .yamsDefault,
            diagnostics: [".circleci/config.yml:1:1: error: invalid YAML: duplicate key '1' in a mapping" + hint]),
        Case(
            testDescription: "quoted and !!str key", yaml: "\"a\": 1\n!!str a: 2\n", resolution: .yamsDefault,
            diagnostics: [".circleci/config.yml:1:1: error: invalid YAML: duplicate key 'a' in a mapping" + hint]),
        Case(
            testDescription: "plain keys", yaml: "a: 1\nb: 2\na: 3\n", resolution: .yamsDefault,
            diagnostics: [".circleci/config.yml:1:1: error: invalid YAML: duplicate key 'a' in a mapping" + hint]),
        Case(
            testDescription: "repeated merge keys", yaml: "a: &a {x: 1}\nb:\n  <<: *a\n  <<: {y: 2}\nv: 1\n",
            resolution: .ruleLess, value: ("1", false)),
        Case(
            testDescription: "repeated merge keys and a quoted one",
            yaml: "a: &a {x: 1}\nb:\n  <<: *a\n  <<: {y: 2}\n  '<<': 3\nv: 1\n", resolution: .yamsDefault,
            value: ("1", false)),
        Case(
            testDescription: "a merge key and a quoted one", yaml: "a: &a {x: 1}\nb:\n  <<: 5\n  \"<<\": 3\n",
            resolution: .yamsDefault,
            diagnostics: [
                ".circleci/config.yml:3:7: error: the merge key '<<' needs a mapping or a list of mappings\n"
                    + "  hint: write '<<: *anchor' where '&anchor' names a mapping"
            ]),
        Case(
            testDescription: "explicit merge tag", yaml: "a: &a {x: 1}\nb:\n  !!merge <<: *a\n",
            resolution: .yamsDefault),
        Case(
            testDescription: "mapping as a key", yaml: "? {a: 1}\n: x\n", resolution: .yamsDefault,
            diagnostics: [".circleci/config.yml:1:3: error: a mapping key must be a plain value, not a list or mapping"]
        ),
        Case(
            testDescription: "syntax error", yaml: "v: \"oops\n", resolution: .yamsDefault,
            diagnostics: [
                ".circleci/config.yml:2:1: error: invalid YAML: found unexpected end of stream "
                    + "(while scanning a quoted scalar at line 1, column 4)" + hint
            ]),
    ]

    @Test(arguments: cases)
    func readsAsYamsDefaultResolverDid(_ example: Case) throws {
        let file = ".circleci/config.yml"
        let read = YAMLReader.parseReportingResolution(example.yaml, file: file)
        let before = YAMLReader.parseReportingResolution(example.yaml, file: file, forceDefaultResolver: true)
        #expect(read.resolution == example.resolution)
        #expect(before.resolution == .yamsDefault)
        #expect(read.root == before.root)
        #expect(read.diagnostics.map(\.formatted) == before.diagnostics.map(\.formatted))
        #expect(read.diagnostics.map(\.formatted) == example.diagnostics)
        if let (text, isQuoted) = example.value {
            let scalar = try #require(read.root?["v"]?.scalar)
            #expect(scalar.text == text)
            #expect(scalar.isQuoted == isQuoted)
        }
    }

    @Test func plainAndQuotedKeysAreBothKept() throws {
        let root = try #require(YAMLReader.parse("1: a\n\"1\": b\n", file: "c.yml").root)
        #expect(root.entries?.map(\.key) == ["1", "1"])
        #expect(root.entries?.map { $0.value.scalar?.text } == ["a", "b"])
    }

    /// The corpus files, configs and continuations.
    static let corpusFiles: [String] = {
        guard Corpus.isAvailable else { return [] }
        return [Corpus.configs, Corpus.continuations].flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".yml") }
                .sorted().map { folder + "/" + $0 }
        }
    }()

    @Test(.enabled(if: Corpus.isAvailable, "the CircleCI corpus is not on this machine"), arguments: corpusFiles)
    func corpusConfigsReadWithoutTheDefaultResolver(_ path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let read = YAMLReader.parseReportingResolution(text, file: "config.yml")
        let before = YAMLReader.parseReportingResolution(text, file: "config.yml", forceDefaultResolver: true)
        #expect(read.resolution == .ruleLess)
        #expect(read.root != nil)
        #expect(read.root == before.root)
        #expect(read.diagnostics.map(\.formatted) == before.diagnostics.map(\.formatted))
    }
}
