// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// The frame every page shares: doctype, head, breadcrumbs, main, footer.
enum PageShell {
    /// One breadcrumb: a label and the page it links to (nil for the current page).
    struct Crumb {
        /// What the breadcrumb says.
        var label: String
        /// The page it links to; nil for the current page.
        var page: PageTarget?
    }

    /// The whole document of a page.
    /// - Parameters:
    ///   - title: the page's title (also its `h1`).
    ///   - links: how the page links (it names the page itself).
    ///   - crumbs: the breadcrumbs after the front page.
    ///   - isRunning: whether the page shows something still running (the optional script updates it).
    ///   - extras: what the server adds (nothing for the static report).
    ///   - body: the content of `main` after the title.
    static func page(
        title: String, links: PageLinks, crumbs: [Crumb], isRunning: Bool = false, extras: PageExtras = .none,
        body: HTML
    ) -> HTML {
        let css = links.url(.styleSheet)
        let script = links.url(.script)
        var trail: [HTML] = ["<li><a href=\"\(links.url(.index))\">cibox</a></li>"]
        for crumb in crumbs {
            if let page = crumb.page {
                trail.append("<li><a href=\"\(links.url(page))\">\(crumb.label)</a></li>")
            } else {
                trail.append("<li aria-current=\"page\">\(crumb.label)</li>")
            }
        }
        let running: HTML = isRunning ? " data-running=\"true\"" : ""
        let refresh: HTML = isRunning ? "\n<script src=\"\(script)\" defer></script>" : ""
        return """
            <!DOCTYPE html>
            <html lang="en"\(running)>
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <title>\(title) · cibox</title>
            <link rel="icon" href="data:,">
            <link rel="stylesheet" href="\(css)">\(refresh)
            </head>
            <body>
            <header><nav aria-label="Breadcrumb"><ol>\(trail)</ol></nav>\(extras.account)</header>
            <main>
            <h1>\(title)</h1>
            \(extras.actions)\(body)</main>
            <footer><p>\(extras.footer)</p></footer>
            </body>
            </html>

            """
    }

    /// A status as a word with its class (`<span class="status status-failed">failed</span>`), with a symbol
    /// so that it does not rely on colour alone.
    static func status(_ raw: String) -> HTML {
        "<span class=\"status status-\(raw)\">\(symbol(raw)) \(Format.words(raw))</span>"
    }

    /// A symbol for a status.
    static func symbol(_ raw: String) -> String {
        switch raw {
        case "success": "✓"
        case "failed", "error": "✗"
        case "running": "●"
        case "canceled", "not_run": "⊘"
        case "on_hold": "⏸"
        case "interrupted": "!"
        default: "○"
        }
    }
}
