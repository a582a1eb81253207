// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxConfig
import CIBoxModel
import CIBoxYAML
import Foundation

/// The benchmark scenarios, each measured against a baseline in the same run.
enum Scenarios {
    /// Every scenario's name, in the order `all` runs them.
    static let names = [
        "compile", "trivial-jobs", "one-job", "phases", "push-latency", "daemon-memory", "cache", "report-incremental",
        "prepush-verified", "prepush-fresh", "start-time", "log-throughput", "checkout", "images",
        "docker-engine", "api",
    ]

    /// Runs scenario `name`.
    static func run(_ name: String, context: BenchContext) async throws -> [BenchRow] {
        switch name {
        case "compile": try compile(context)
        case "trivial-jobs": try await trivialJobs(context)
        case "one-job": try oneJob(context)
        case "phases": try phases(context)
        case "push-latency": try pushLatency(context)
        case "daemon-memory": try daemonMemory(context)
        case "cache": try cache(context)
        case "prepush-verified": try prePushVerified(context)
        case "prepush-fresh": try prePushFresh(context)
        case "start-time": try startTime(context)
        case "report-incremental": try reportIncremental(context)
        case "log-throughput": try logThroughput(context)
        case "checkout": try checkout(context)
        case "images": try images(context)
        case "docker-engine": try dockerEngine(context)
        case "api": try api(context)
        default: []
        }
    }

    /// The median of `values` (0 when there are none).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    /// The config compiler on the largest corpus file against parsing the same text into YAML nodes only.
    static func compile(_ context: BenchContext) throws -> [BenchRow] {
        let path = context.corpus + "/configs/ethereum__solidity.yml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let values = PipelineValues(
            id: "bench", number: 1, projectGitURL: "/bench", branch: "main", revision: String(repeating: "0", count: 40)
        )
        let source = ConfigSource(path: "ethereum__solidity.yml", text: text)
        let compiled = Clock.medianMilliseconds(context.iterations) {
            _ = ConfigCompiler.compile(source, values: values)
        }
        let parsed = Clock.medianMilliseconds(context.iterations) {
            _ = YAMLReader.parse(text, file: "ethereum__solidity.yml")
        }
        return [
            BenchRow(
                scenario: "compile (1,992-line corpus config)", figure: compiled, baseline: parsed, unit: "ms",
                baselineName: "YAML parse only", goal: "≤ 100 ms"
            )
        ]
    }
}
