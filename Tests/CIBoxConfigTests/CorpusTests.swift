// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel
import CIBoxTestSupport
import CIBoxYAML
import Foundation
import Testing

/// Every corpus config compiles with `allowMissingOrbs`, and the orb-free ones give INDEX.md's counts.
@Suite struct CorpusTests {
    /// The corpus files: the 44 configs, then the continuation configs.
    static let files: [String] = {
        guard Corpus.isAvailable else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Corpus.configs)) ?? []
        let continuations = (try? FileManager.default.contentsOfDirectory(atPath: Corpus.continuations)) ?? []
        return names.filter { $0.hasSuffix(".yml") }.sorted().map { "\(Corpus.configs)/\($0)" }
            + continuations.filter { $0.hasSuffix(".yml") }.sorted().map { "\(Corpus.continuations)/\($0)" }
    }()

    /// INDEX.md's job and workflow counts by file name, parsed from its tables at test time (the `jobs` and
    /// `wf` columns; `0+5 inline-orb` counts 5, `0 (implicit)` counts the implicit workflow as 1).
    static let expectedCounts: [String: (jobs: Int, workflows: Int, orbs: Int)] = {
        guard let index = try? String(contentsOfFile: Corpus.folder + "/INDEX.md", encoding: .utf8) else { return [:] }
        var result: [String: (Int, Int, Int)] = [:]
        for line in index.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.count >= 10, cells[1].hasPrefix("`"), let jobs = firstNumberSum(cells[6]),
                let workflows = Int(cells[7].prefix { $0.isNumber }), let orbs = Int(cells[9])
            {
                result[cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = (
                    jobs, cells[7].contains("implicit") ? 1 : workflows, orbs
                )
            } else if cells.count >= 5, cells[0].hasPrefix("`continuations/"), let jobs = Int(cells[2]),
                let workflows = Int(cells[3])
            {
                let name = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
                result[String(name.dropFirst("continuations/".count))] = (jobs, workflows, -1)
            }
        }
        return result
    }()

    static func firstNumberSum(_ cell: String) -> Int? {
        let numbers = cell.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        return numbers.isEmpty ? nil : numbers.reduce(0, +)
    }

    @Test(.enabled(if: Corpus.isAvailable, "the CircleCI corpus is not on this machine"), arguments: files)
    func compilesWithoutErrors(_ path: String) throws {
        let name = URL(fileURLWithPath: path).lastPathComponent
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let result = ConfigCompiler.compile(
            ConfigSource(path: name, text: text), values: testValues, parameters: [:],
            options: CompileOptions(allowMissingOrbs: true))
        let errors = result.diagnostics.filter { $0.severity == .error }.map(\.formatted)
        #expect(errors.isEmpty, "\(errors.prefix(5).joined(separator: "\n"))")
        let configuration = try #require(result.configuration)
        let processed = try ProcessedConfig.render(configuration)
        #expect(YAMLReader.parse(processed, file: "processed").diagnostics.isEmpty, "processed form of \(name)")
        guard let expected = Self.expectedCounts[name] else {
            Issue.record("\(name) is not in INDEX.md")
            return
        }
        // Files with registry orbs (unknown here) are only checked for errors; inline orbs count.
        guard expected.orbs == 0 || name == "DataDog__dd-trace-rb.yml" else { return }
        let workflows = configuration.workflows + configuration.scheduledWorkflows
        let workflowCount = workflows.count + configuration.skippedWorkflows.count
        #expect(workflowCount == expected.workflows, "workflows of \(name)")
        #expect(result.definedJobs.count == expected.jobs, "jobs of \(name)")
    }
}
