// cibox — CI in a box. MIT licence, see LICENSE.

/// The status badge of a branch, in the shape of CircleCI's (and shields.io's): `cibox | passing`.
package enum Badge {
    /// The SVG document of a badge for a pipeline status (`success`, `failed`, …).
    package static func svg(status: String) -> String {
        let (word, color): (String, String) =
            switch status {
            case "success": ("passing", "#2e7d32")
            case "failed", "error": ("failing", "#c62828")
            case "running": ("running", "#1565c0")
            case "queued": ("queued", "#616161")
            case "on_hold": ("on hold", "#6a1b9a")
            case "canceled": ("canceled", "#616161")
            default: ("unknown", "#616161")
            }
        let label = "cibox"
        let labelWidth = textWidth(label) + 12
        let valueWidth = textWidth(word) + 12
        let width = labelWidth + valueWidth
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="20" role="img" aria-label="\(label): \(word)">
            <title>\(label): \(word)</title>
            <clipPath id="r"><rect width="\(width)" height="20" rx="3" fill="#fff"/></clipPath>
            <g clip-path="url(#r)">
            <rect width="\(labelWidth)" height="20" fill="#555"/>
            <rect x="\(labelWidth)" width="\(valueWidth)" height="20" fill="\(color)"/>
            </g>
            <g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
            <text x="\(labelWidth / 2)" y="14">\(label)</text>
            <text x="\(labelWidth + valueWidth / 2)" y="14">\(word)</text>
            </g>
            </svg>

            """
    }

    /// An estimate of the width of `text` at 11 px Verdana.
    private static func textWidth(_ text: String) -> Int {
        text.count * 7
    }
}
