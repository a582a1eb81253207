// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import Foundation

/// The project page's trends as inline SVG: durations of the newest pipelines, and the success rate per ten
/// pipelines. Each chart has a text summary, so it reads without the picture.
enum TrendCharts {
    /// Bars of the durations of `pipelines` (newest first), oldest on the left, coloured by status.
    static func durations(_ pipelines: [Pipeline]) -> HTML {
        let finished = pipelines.reversed().compactMap { pipeline -> (Pipeline, Double)? in
            guard let start = pipeline.startedAt, let end = pipeline.finishedAt else { return nil }
            return (pipeline, max(0, end.timeIntervalSince(start)))
        }
        guard !finished.isEmpty else { return "<p>No finished pipeline yet.</p>\n" }
        let longest = max(finished.map(\.1).max() ?? 1, 0.001)
        let sorted = finished.map(\.1).sorted()
        let median = sorted[sorted.count / 2]
        let (width, height, bar) = (600, 120, 600 / max(finished.count, 12))
        var bars: [HTML] = []
        for (index, (pipeline, seconds)) in finished.enumerated() {
            let barHeight = max(2, Int((seconds / longest * Double(height - 20)).rounded()))
            bars.append(
                """
                <rect class="status-\(pipeline.status.rawValue)" fill="currentColor" x="\(index * bar + 1)" y="\(height - barHeight)" width="\(max(1, bar - 2))" height="\(barHeight)"><title>#\(pipeline.number) \(pipeline.status.rawValue): \(Format.seconds(seconds))</title></rect>
                """)
        }
        return """
            <figure>
            <svg class="trend" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" role="img" aria-label="Durations of the last \(finished.count) finished pipelines">
            <line class="axis" x1="0" y1="\(height)" x2="\(width)" y2="\(height)" stroke="#888"/>
            <text class="label" x="2" y="12">\(Format.seconds(longest))</text>
            \(bars.joined(separator: "\n"))
            </svg>
            <figcaption>Duration of the last \(finished.count) finished pipelines (oldest left): median \(Format.seconds(median)), longest \(Format.seconds(longest)).</figcaption>
            </figure>

            """
    }

    /// A line of the success rate per ten pipelines among `pipelines` (newest first), oldest on the left.
    static func successRate(_ pipelines: [Pipeline]) -> HTML {
        let finished = pipelines.reversed().filter(\.status.isFinal)
        guard !finished.isEmpty else { return "" }
        var rates: [(first: Int, last: Int, rate: Double)] = []
        var start = 0
        while start < finished.count {
            let group = finished[start..<min(start + 10, finished.count)]
            let passed = group.count(where: { $0.status == .success })
            rates.append((group.first?.number ?? 0, group.last?.number ?? 0, Double(passed) / Double(group.count)))
            start += 10
        }
        let overall = Double(finished.count(where: { $0.status == .success })) / Double(finished.count)
        let (width, height) = (600, 120)
        let step = rates.count > 1 ? Double(width - 20) / Double(rates.count - 1) : 0
        var points: [String] = []
        var marks: [HTML] = []
        for (index, entry) in rates.enumerated() {
            let x = 10 + Int((Double(index) * step).rounded())
            let y = 10 + Int(((1 - entry.rate) * Double(height - 20)).rounded())
            points.append("\(x),\(y)")
            let percent = Int((entry.rate * 100).rounded())
            marks.append(
                """
                <circle cx="\(x)" cy="\(y)" r="3" fill="#2e7d32"><title>#\(entry.first)–#\(entry.last): \(percent)% passed</title></circle>
                """)
        }
        return """
            <figure>
            <svg class="trend" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" role="img" aria-label="Success rate per ten pipelines">
            <line class="axis" x1="0" y1="10" x2="\(width)" y2="10" stroke="#888" stroke-dasharray="4 4"/>
            <line class="axis" x1="0" y1="\(height - 10)" x2="\(width)" y2="\(height - 10)" stroke="#888"/>
            <text class="label" x="2" y="22">100%</text>
            <text class="label" x="2" y="\(height - 14)">0%</text>
            <polyline class="rate" stroke="#2e7d32" fill="none" points="\(points.joined(separator: " "))"/>
            \(marks.joined(separator: "\n"))
            </svg>
            <figcaption>Success rate per ten pipelines over the last \(finished.count) finished ones (oldest left): \(Int((overall * 100).rounded()))% overall.</figcaption>
            </figure>

            """
    }
}
