// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import Foundation

/// `cibox-bench`: measures cibox against a baseline measured in the same run, and prints one table.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cibox-bench",
        abstract: "Measure cibox's performance scenarios against baselines measured in the same run.",
        discussion: "Build it in release: swift run -c release cibox-bench all"
    )

    @Argument(help: "Scenarios to run (\(Scenarios.names.joined(separator: ", ")), or all).")
    var scenarios: [String] = ["all"]

    @Option(help: "The CircleCI corpus folder (default: ../shared/corpus/circleci beside the project).")
    var corpus: String?

    @Option(help: "Repetitions per measurement (the median is reported).")
    var iterations = 20

    func validate() throws {
        for name in scenarios where name != "all" && !Scenarios.names.contains(name) {
            throw ValidationError("Unknown scenario '\(name)'. Known: \(Scenarios.names.joined(separator: ", ")), all.")
        }
    }

    func run() async throws {
        let context = BenchContext(corpus: corpus ?? BenchContext.defaultCorpus, iterations: iterations)
        let selected = scenarios.contains("all") ? Scenarios.names : scenarios
        var rows: [BenchRow] = []
        for name in selected {
            FileHandle.standardError.write(Data("cibox-bench: \(name)…\n".utf8))
            do {
                rows += try await Scenarios.run(name, context: context)
            } catch {
                // One scenario that cannot run must not cost the others' figures.
                FileHandle.standardError.write(Data("cibox-bench: \(name) failed: \(error)\n".utf8))
                rows.append(
                    BenchRow(
                        scenario: "\(name): could not run (\(error))", figure: 0, baseline: 0, unit: "ms",
                        baselineName: "—", goal: "—"))
            }
        }
        print(BenchRow.table(rows))
    }
}

/// What every scenario gets.
struct BenchContext {
    /// The corpus folder.
    var corpus: String
    /// Repetitions per measurement.
    var iterations: Int

    /// `../shared/corpus/circleci` beside the project.
    static var defaultCorpus: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent("../shared/corpus/circleci").standardizedFileURL.path
    }
}

/// One line of the results table.
struct BenchRow {
    var scenario: String
    var figure: Double
    var baseline: Double
    var unit: String
    var baselineName: String
    var goal: String

    /// The Markdown table of `rows`.
    static func table(_ rows: [BenchRow]) -> String {
        var text = "| scenario | cibox | baseline | ratio | goal |\n| --- | --- | --- | --- | --- |\n"
        for row in rows {
            let ratio = row.baseline > 0 ? String(format: "%.2f×", row.figure / row.baseline) : "—"
            text +=
                "| \(row.scenario) | \(format(row.figure)) \(row.unit) | \(format(row.baseline)) \(row.unit) (\(row.baselineName)) | \(ratio) | \(row.goal) |\n"
        }
        return text
    }

    private static func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.2f", value)
    }
}

/// Timing helpers.
enum Clock {
    /// Seconds taken by `body`.
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The median of `count` timings of `body`, in milliseconds.
    static func medianMilliseconds(_ count: Int, _ body: () throws -> Void) rethrows -> Double {
        var samples: [Double] = []
        for _ in 0..<max(1, count) { samples.append(try seconds(body) * 1000) }
        samples.sort()
        return samples[samples.count / 2]
    }
}
