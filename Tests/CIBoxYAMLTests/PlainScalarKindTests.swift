// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import CIBoxYAML
import Foundation
import Testing
import Yams

/// ``PlainScalarKind`` gives what Yams' default resolver (its regular expressions) gives, for YAML 1.1's edge cases
/// and for every plain scalar of the corpus configs.
@Suite struct PlainScalarKindTests {
    /// What Yams' default resolver makes of `text` as a plain scalar.
    static func yamsKind(_ text: String) -> String {
        Resolver.default.resolveTag(of: Node(text)).rawValue
    }

    @Test(
        arguments: [
            ("0x1F", .int), ("0o17", .int), ("0b101", .int), ("1_000", .int), ("+12", .int), ("-0", .int),
            ("017", .int), ("0", .int), ("190:20:30", .int), ("-1:20", .int),
            (".inf", .float), ("-.Inf", .float), ("+.INF", .float), (".NaN", .float), ("1e3", .float), ("1.", .float),
            ("08", .float), ("1.5e-3", .float), ("._", .float), (".5e+3", .float), ("190:20:30.15", .float),
            ("Yes", .bool), ("off", .bool), ("TRUE", .bool), ("False", .bool), ("On", .bool),
            ("~", .null), ("null", .null), ("NULL", .null), ("Null", .null), ("", .null),
            ("2001-12-14t21:59:43.10-05:00", .timestamp), ("2002-12-14", .timestamp),
            ("2001-12-14 21:59:43.10 -5", .timestamp), ("2001-1-1T1:00:00Z", .timestamp),
            ("<<", .merge), ("=", .value),
            ("y", .str), ("N", .str), ("yES", .str), ("nULL", .str), (".5e3", .str), ("1:60", .str), ("0o", .str),
            ("0b2", .str), ("0x", .str), ("1e", .str), ("+", .str), ("-.nan", .str), ("2001-12-14 21:59:43 ", .str),
            ("1.2.3", .str), ("2.1", .float), ("version", .str), ("<< x >>", .str), ("=x", .str), ("１", .str),
            // The regular expressions' `$` also matches before one line terminator at the end.
            ("1\n", .int), ("true\r\n", .bool), ("~\u{2028}", .null), ("1\u{0B}", .int), ("1\n\n", .str),
        ] as [(String, PlainScalarKind)])
    func edgeCasesAgreeWithYams(_ text: String, _ kind: PlainScalarKind) {
        #expect(PlainScalarKind(of: text) == kind)
        #expect(PlainScalarKind(of: text).tagName == Self.yamsKind(text))
    }

    /// The texts of the unquoted scalars and of the keys of every corpus config (keys are mostly plain; the
    /// classifier must agree with Yams on any text anyway).
    static let corpusPlainTexts: [String] = {
        guard Corpus.isAvailable else { return [] }
        var texts: Set<String> = []
        for folder in [Corpus.configs, Corpus.continuations] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for name in names where name.hasSuffix(".yml") {
                guard let text = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8),
                    let root = YAMLReader.parse(text, file: name).root
                else { continue }
                collectPlainTexts(root, into: &texts)
            }
        }
        return texts.sorted()
    }()

    static func collectPlainTexts(_ node: ConfigNode, into texts: inout Set<String>) {
        switch node.value {
        case .scalar(let scalar): if !scalar.isQuoted { texts.insert(scalar.text) }
        case .sequence(let elements): for element in elements { collectPlainTexts(element, into: &texts) }
        case .mapping(let entries):
            for entry in entries {
                texts.insert(entry.key)
                collectPlainTexts(entry.value, into: &texts)
            }
        }
    }

    @Test(.enabled(if: Corpus.isAvailable, "the CircleCI corpus is not on this machine"))
    func everyCorpusPlainScalarAgreesWithYams() {
        let texts = Self.corpusPlainTexts
        // Thousands of distinct texts, numbers and booleans among them (merge keys are applied and empty values are
        // rare by then: the edge cases above cover them).
        #expect(texts.count > 4000)
        let kinds = Set(texts.map { PlainScalarKind(of: $0) })
        #expect(kinds.isSuperset(of: [.str, .int, .float, .bool]))
        let disagreements = texts.filter { PlainScalarKind(of: $0).tagName != Self.yamsKind($0) }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }
}
