// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel

/// One step on a job page: a `<details>` with its status and its log (open when the step failed); the log part is
/// shared with the service containers' logs.
enum StepLog {
    /// The step's HTML.
    static func render(_ step: Step, excerpt: LogExcerpt?, links: PageLinks) -> HTML {
        let isOpen = step.status == .failed || step.status == .interrupted
        var summary: HTML = "<span class=\"name\">\(step.name)</span> \(PageShell.status(step.status.rawValue))"
        if let duration = Format.duration(from: step.startedAt, to: step.finishedAt) {
            summary += " <span class=\"muted\">\(duration)</span>"
        }
        if let exitCode = step.exitCode, exitCode != 0 { summary += " <span>exit \(exitCode)</span>" }
        summary += " <span class=\"muted\">\(Format.bytes(step.logBytes))</span>"
        return """
            <details class="step" id="step-\(step.index)"\(isOpen ? " open" : "")>
            <summary>\(summary)</summary>
            \(body(excerpt, links: links))</details>

            """
    }

    /// A log's excerpt as `<pre>` blocks (its head, and its tail with a link to the raw copy when it was cut), or
    /// "No output.".
    static func body(_ excerpt: LogExcerpt?, links: PageLinks) -> HTML {
        var log: HTML = ""
        if let excerpt, !excerpt.head.isEmpty || excerpt.tail != nil {
            log += "<pre class=\"log\"><code>\(ANSIRenderer.render(excerpt.head))</code></pre>\n"
            if let tail = excerpt.tail {
                let raw: HTML =
                    excerpt.rawLink.map { " <a href=\"\(links.url($0))\">Full raw log</a>." }
                    ?? ""
                log += """
                    <p class="cut">… \(Format.bytes(excerpt.omittedBytes)) left out here.\(raw)</p>
                    <pre class="log"><code>\(ANSIRenderer.render(tail))</code></pre>

                    """
            }
        } else {
            log += "<p class=\"cut\">No output.</p>\n"
        }
        return log
    }
}
