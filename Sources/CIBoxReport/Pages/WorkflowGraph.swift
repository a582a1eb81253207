// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import Foundation

/// A workflow's jobs as an SVG DAG: one box per job (its parallel runs together), in columns by depth
/// (a job sits right of every job it requires), with status colours, durations and links to the job pages.
enum WorkflowGraph {
    /// One box.
    struct Node {
        /// The job's name in the workflow.
        var name: String
        /// Its runs (more than one with `parallelism`), in node order.
        var runs: [JobDetail]
        /// The jobs of the workflow it requires.
        var requires: [String]
        /// Its column: the length of the longest chain of requirements before it.
        var column = 0
        /// Its row within the column, in config order.
        var row = 0
    }

    private static let (boxWidth, boxHeight, columnGap, rowGap, margin) = (180, 48, 56, 18, 8)

    /// The SVG of `workflow`, whose jobs' requirements come from `plan` (nil: no edges are drawn).
    /// - Parameter links: how the page the SVG is on links.
    static func svg(_ workflow: WorkflowDetail, plan: WorkflowPlan?, links: PageLinks) -> HTML {
        let nodes = layout(workflow, plan: plan)
        guard !nodes.isEmpty else { return "<p>No job.</p>\n" }
        let columns = (nodes.map(\.column).max() ?? 0) + 1
        let rows = (nodes.map(\.row).max() ?? 0) + 1
        let width = margin * 2 + columns * boxWidth + (columns - 1) * columnGap
        let height = margin * 2 + rows * boxHeight + (rows - 1) * rowGap
        let position = Dictionary(nodes.map { ($0.name, ($0.column, $0.row)) }, uniquingKeysWith: { first, _ in first })
        var edges: [HTML] = []
        for node in nodes {
            for required in node.requires {
                guard let from = position[required] else { continue }
                let x1 = margin + from.0 * (boxWidth + columnGap) + boxWidth
                let y1 = margin + from.1 * (boxHeight + rowGap) + boxHeight / 2
                let x2 = margin + node.column * (boxWidth + columnGap)
                let y2 = margin + node.row * (boxHeight + rowGap) + boxHeight / 2
                let middle = (x1 + x2) / 2
                edges.append(
                    "<path class=\"edge\" stroke=\"#888\" fill=\"none\" d=\"M\(x1) \(y1) C\(middle) \(y1) \(middle) \(y2) \(x2) \(y2)\"/>"
                )
            }
        }
        let boxes = nodes.map { box($0, links: links) }
        return """
            <svg class="dag" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" role="img" aria-label="Jobs of workflow \(workflow.workflow.name) and what each requires">
            \(edges.joined(separator: "\n"))
            \(boxes.joined(separator: "\n"))
            </svg>

            """
    }

    /// The nodes of `workflow` with their columns (longest chain of requirements) and rows (config order).
    static func layout(_ workflow: WorkflowDetail, plan: WorkflowPlan?) -> [Node] {
        var order: [String] = []
        var runs: [String: [JobDetail]] = [:]
        for job in workflow.jobs.sorted(by: {
            ($0.job.position, $0.job.nodeIndex) < ($1.job.position, $1.job.nodeIndex)
        }) {
            if runs[job.job.name] == nil { order.append(job.job.name) }
            runs[job.job.name, default: []].append(job)
        }
        let requires = Dictionary(
            (plan?.jobs ?? []).map { ($0.name, $0.requires.map(\.job)) }, uniquingKeysWith: { first, _ in first })
        var depth: [String: Int] = [:]
        func column(of name: String, visiting: Set<String>) -> Int {
            if let known = depth[name] { return known }
            guard !visiting.contains(name) else { return 0 }
            let parents = (requires[name] ?? []).filter { runs[$0] != nil }
            let value = parents.map { column(of: $0, visiting: visiting.union([name])) + 1 }.max() ?? 0
            depth[name] = value
            return value
        }
        var nextRow: [Int: Int] = [:]
        return order.map { name in
            var node = Node(
                name: name, runs: runs[name] ?? [], requires: (requires[name] ?? []).filter { runs[$0] != nil })
            node.column = column(of: name, visiting: [])
            node.row = nextRow[node.column, default: 0]
            nextRow[node.column] = node.row + 1
            return node
        }
    }

    /// The status of a job's runs together: the worst of them.
    static func combinedStatus(_ runs: [JobDetail]) -> String {
        let ranking: [JobStatus] = [
            .failed, .interrupted, .running, .onHold, .canceled, .queued, .blocked, .notRun, .success,
        ]
        let statuses = Set(runs.map(\.job.status))
        return (ranking.first { statuses.contains($0) } ?? .queued).rawValue
    }

    private static func box(_ node: Node, links: PageLinks) -> HTML {
        let x = margin + node.column * (boxWidth + columnGap)
        let y = margin + node.row * (boxHeight + rowGap)
        let status = combinedStatus(node.runs)
        let color = colors[status] ?? "#6e7781"
        let first = node.runs.first?.job
        let link =
            first.map { links.url(.job(pipelineID: $0.pipelineID, jobID: $0.id)) } ?? "#"
        let durations = node.runs.compactMap { Format.duration(from: $0.job.startedAt, to: $0.job.finishedAt) }
        var detail = PageShell.symbol(status) + " " + Format.words(status)
        if let duration = durations.first { detail += " · " + duration }
        if node.runs.count > 1 { detail += " · ×\(node.runs.count)" }
        let shown = node.name.count > 22 ? String(node.name.prefix(21)) + "…" : node.name
        return """
            <a href="\(link)"><g><title>\(node.name): \(detail)</title><rect class="node-box" x="\(x)" y="\(y)" width="\(boxWidth)" height="\(boxHeight)" rx="6" fill="none" stroke="\(color)" stroke-width="2"/><text class="node-name" x="\(x + 10)" y="\(y + 20)">\(shown)</text><text class="node-detail status-\(status)" fill="\(color)" x="\(x + 10)" y="\(y + 38)">\(detail)</text></g></a>
            """
    }

    /// Status colours for the SVG's attributes (the style sheet may override them).
    private static let colors: [String: String] = [
        "success": "#1a7f37", "failed": "#cf222e", "running": "#0969da", "on_hold": "#8250df",
        "interrupted": "#bc4c00", "canceled": "#6e7781", "not_run": "#6e7781", "queued": "#6e7781",
        "blocked": "#6e7781",
    ]
}
