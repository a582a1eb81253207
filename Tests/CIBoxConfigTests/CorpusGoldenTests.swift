// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel
import CIBoxTestSupport
import Foundation
import Testing
import Yams

/// What the compiler makes of every corpus config, pinned in `Golden/Corpus/`: the processed config text, the
/// configuration as sorted-key JSON, and the diagnostics (with and without `allowMissingOrbs`) with the defined jobs.
///
/// `Golden/ProcessedBeforeYams/` keeps the processed texts that cibox's own YAML writer made before Yams' emitter
/// replaced it; the texts of today must read back (`Yams.compose`: the same scalars with the same resolved tags, in
/// the same order) as the same data. The bytes differ only in lists under a mapping key (not indented by libyaml)
/// and in text with characters outside Unicode's Basic Multilingual Plane, such as emoji (double-quoted with
/// `\U` escapes by libyaml, which does not count them as printable); see CIBoxYAML's README.
/// It is the processed data cibox must write: `CIBOX_UPDATE_GOLDEN=1` does not touch it, so a change of that data
/// is made there by hand too (the files whose processed config gained docker entries' keys, checkout methods and
/// `docker_layer_caching`, and lost `when: always` on store steps, were copied from `Corpus/` when that changed).
///
/// Run with `CIBOX_UPDATE_GOLDEN=1` to write the current output as the new golden files, then review the diff: a
/// change here is a change of what cibox does with real configs.
@Suite struct CorpusGoldenTests {
    @Test(.enabled(if: Corpus.isAvailable, "the CircleCI corpus is not on this machine"), arguments: CorpusTests.files)
    func compilesAsPinned(_ path: String) throws {
        let name = CorpusGolden.name(of: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let source = ConfigSource(path: URL(fileURLWithPath: path).lastPathComponent, text: text)
        let lenient = ConfigCompiler.compile(
            source, values: testValues, parameters: [:], options: CompileOptions(allowMissingOrbs: true))
        let strict = ConfigCompiler.compile(source, values: testValues, parameters: [:], options: CompileOptions())
        try CorpusGolden.check(CorpusGolden.report(lenient: lenient, strict: strict), "\(name).diagnostics.txt")
        try CorpusGolden.check(CorpusGolden.json(lenient.configuration), "\(name).configuration.json")
        let processed = try lenient.configuration.map { try ProcessedConfig.render($0) } ?? ""
        try CorpusGolden.check(processed, "\(name).processed.yml")
        let before = try #require(CorpusGolden.expected("\(name).processed.yml", in: "ProcessedBeforeYams"))
        #expect(try Yams.compose(yaml: before) == Yams.compose(yaml: processed), "\(name): not the same data as before")
    }
}

/// Reading and writing the corpus golden files.
enum CorpusGolden {
    /// The golden files' folder in the sources (where `CIBOX_UPDATE_GOLDEN=1` writes).
    static var sourceFolder: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/Corpus").path
    }

    /// A folder of golden files among the test bundle's resources.
    static func bundledFolder(_ folder: String) -> URL? {
        Bundle.module.resourceURL?.appendingPathComponent("Golden/\(folder)")
    }

    /// The golden name of a corpus file: its name without `.yml`, continuations under `continuations/`.
    static func name(of path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let base = url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent().lastPathComponent == "continuations" ? "continuations/\(base)" : base
    }

    /// The diagnostics of both compilations and the defined jobs, one per line.
    static func report(lenient: CompileResult, strict: CompileResult) -> String {
        var lines = ["# allowMissingOrbs: true"] + lenient.diagnostics.map(\.formatted)
        lines += ["# allowMissingOrbs: false"] + strict.diagnostics.map(\.formatted)
        lines += ["# strict configuration: \(strict.configuration == nil ? "none" : "compiled")"]
        lines += ["# defined jobs"] + lenient.definedJobs
        return lines.joined(separator: "\n") + "\n"
    }

    /// `configuration` as pretty-printed JSON with sorted keys (`null` when there is none).
    static func json(_ configuration: Configuration?) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(configuration), as: UTF8.self) + "\n"
    }

    /// The text of golden file `name` in `folder`, if there is one.
    static func expected(_ name: String, in folder: String = "Corpus") -> String? {
        guard let url = bundledFolder(folder)?.appendingPathComponent(name) else { return nil }
        return try? String(contentsOf: url, encoding: .utf8)
    }

    /// Checks `actual` against golden file `name` (or writes it, with `CIBOX_UPDATE_GOLDEN=1`).
    static func check(_ actual: String, _ name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation)
        throws
    {
        if ProcessInfo.processInfo.environment["CIBOX_UPDATE_GOLDEN"] == "1" {
            let url = URL(fileURLWithPath: sourceFolder + "/" + name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: url)
            return
        }
        guard let expected = expected(name) else {
            Issue.record("no golden file \(name); run with CIBOX_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        guard expected != actual else { return }
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line = zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        let first = line ?? min(actualLines.count, expectedLines.count)
        let shown = { (lines: [Substring]) in first < lines.count ? String(lines[first]) : "<end>" }
        let message = "\(name) differs from its golden file at line \(first + 1): expected \(shown(expectedLines)), "
        Issue.record("\(message)got \(shown(actualLines))", sourceLocation: sourceLocation)
    }
}
