// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxModel
import CIBoxStore
import CIBoxTestResults
import Foundation

/// The options `circleci tests split` and `circleci tests run` share, and the split they compute.
struct TestSplitOptions: ParsableArguments {
    @Option(help: "How to split: name, filesize or timings.")
    var splitBy = "name"

    @Option(help: "What the items are, for timings: filename, classname, testname or autodetect.")
    var timingsType = "autodetect"

    @Option(help: "This node's index (default: $CIRCLE_NODE_INDEX, else 0).")
    var index: Int?

    @Option(help: "The number of nodes (default: $CIRCLE_NODE_TOTAL, else 1).")
    var total: Int?

    @Option(help: "Seconds for tests without stored timings (default: the average of the others, else 10).")
    var timeDefault: String?

    /// This node's share of `items`, with notes for standard error.
    /// - Throws: `ValidationError` for a bad option.
    func share(of items: [String], environment: [String: String]) throws -> [String] {
        let total = self.total ?? environment["CIRCLE_NODE_TOTAL"].flatMap { Int($0) } ?? 1
        let index = self.index ?? environment["CIRCLE_NODE_INDEX"].flatMap { Int($0) } ?? 0
        guard total >= 1, (0..<total).contains(index) else {
            throw ValidationError("--index \(index) is not a node of --total \(total); use 0 to \(max(0, total - 1)).")
        }
        guard let strategy = SplitStrategy(rawValue: splitBy) else {
            throw ValidationError("Unknown --split-by '\(splitBy)'; use name, filesize or timings.")
        }
        switch strategy {
        case .name:
            return TestSplitter.byName(items, index: index, total: total)
        case .filesize:
            let weights = fileSizes(items)
            return TestSplitter.byWeight(items, weights: weights, defaultWeight: 0, index: index, total: total)
        case .timings:
            return try timingsShare(of: items, index: index, total: total, environment: environment)
        }
    }

    private func timingsShare(of items: [String], index: Int, total: Int, environment: [String: String]) throws
        -> [String]
    {
        // PARALLELISM's flag table calls them name, classname and file; SPLIT-CLI testname and filename.
        let synonyms = ["name": "testname", "file": "filename"]
        guard let type = TimingsType(rawValue: synonyms[timingsType] ?? timingsType) else {
            throw ValidationError(
                "Unknown --timings-type '\(timingsType)'; use filename, classname, testname or autodetect.")
        }
        let timings = Self.storedTimings(environment: environment)
        let (used, weights) = type.weights(of: items, in: timings)
        guard used != nil, !weights.isEmpty else {
            Terminal.error(
                "cibox: no stored timings of job '\(environment["CIRCLE_JOB"] ?? "?")' match these tests "
                    + "(store_test_results in an earlier pipeline records them); splitting by name instead.\n")
            return TestSplitter.byName(items, index: index, total: total)
        }
        let fallback = try defaultSeconds(known: Array(weights.values))
        let missing = Set(items).subtracting(weights.keys).count
        if missing > 0 {
            Terminal.error(
                "cibox: \(missing) of \(Set(items).count) tests have no stored timings; counting \(String(format: "%.2f", fallback)) s for each.\n"
            )
        }
        return TestSplitter.byWeight(items, weights: weights, defaultWeight: fallback, index: index, total: total)
    }

    /// `--time-default` (`10`, `10s`, `2m`), else the average of the known timings.
    private func defaultSeconds(known: [Double]) throws -> Double {
        if let text = timeDefault {
            let unit: Double = text.hasSuffix("m") ? 60 : 1
            guard let value = Double(text.trimmingCharacters(in: CharacterSet(charactersIn: "sm"))), value >= 0 else {
                throw ValidationError("--time-default '\(text)' is not a duration; write e.g. 10s or 2m.")
            }
            return value * unit
        }
        return known.isEmpty ? 10 : known.reduce(0, +) / Double(known.count)
    }

    /// The job's timings from earlier pipelines of its project: the file cibox wrote for the job when there is one
    /// (`$CIBOX_TIMINGS_FILE`, in an image), else read-only through `$CIBOX_HOME`; empty when there are none or the
    /// store cannot be read (said on standard error).
    static func storedTimings(environment: [String: String]) -> TestTimings {
        if let file = environment[TestTimings.fileVariable], let data = FileManager.default.contents(atPath: file),
            let timings = try? JSONDecoder().decode(TestTimings.self, from: data)
        {
            return timings
        }
        guard let home = environment["CIBOX_HOME"], let project = environment["CIBOX_PROJECT_ID"].flatMap(Int64.init),
            let job = environment["CIRCLE_JOB"]
        else {
            Terminal.error("cibox: CIBOX_HOME, CIBOX_PROJECT_ID or CIRCLE_JOB is not set; no stored timings.\n")
            return TestTimings()
        }
        do {
            let store = try PipelineStore(readingHome: home)
            let pipeline = environment["CIBOX_PIPELINE_ID"].flatMap(Int64.init)
            return try store.testCases.testTimings(projectID: project, jobName: job, excludingPipeline: pipeline)
        } catch {
            Terminal.error("cibox: cannot read stored timings: \(error.message)\n")
            return TestTimings()
        }
    }

    /// Each item's size in bytes, relative to the current folder; items that are not files weigh nothing.
    private func fileSizes(_ items: [String]) -> [String: Double] {
        var sizes: [String: Double] = [:]
        for item in items {
            let size = (try? FileManager.default.attributesOfItem(atPath: item)[.size] as? NSNumber)?.doubleValue
            sizes[item] = size ?? 0
        }
        return sizes
    }

    /// The items in `text`: separated by whitespace or new lines, as CircleCI reads them.
    static func items(in text: String) -> [String] {
        text.split(whereSeparator: { $0.isWhitespace }).map(String.init)
    }
}
