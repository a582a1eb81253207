// cibox — CI in a box. MIT licence, see LICENSE.

/// What the daemon's server adds to a page that the static report has not: who is signed in, the page's buttons,
/// its own footer. The static report uses ``none``, and its pages stay as they were.
package struct PageExtras: Sendable {
    /// After the breadcrumbs, in the header: who is signed in (or a sign-in link).
    package var account: HTML
    /// Right after the page's title: its forms (approve, rerun, cancel, trigger).
    package var actions: HTML
    /// The footer's text.
    package var footer: String

    /// Extras with these parts.
    package init(account: HTML = .empty, actions: HTML = .empty, footer: String) {
        self.account = account
        self.actions = actions
        self.footer = footer
    }

    /// The static report's: nothing added.
    package static let none = PageExtras(footer: "cibox report · static HTML, readable without JavaScript")
}

/// The files every page uses, embedded in the binary, by the name the server serves them under (`/assets/NAME`).
package enum PageAssets {
    /// The style sheet's name.
    package static let styleSheet = "report.css"
    /// The name of the server's live-update script.
    package static let liveScript = "live.js"

    /// The asset called `name` (only these two; nothing else can be asked for) and its content type.
    package static func named(_ name: String) -> (bytes: [UInt8], contentType: String)? {
        switch name {
        case styleSheet: (PackageResources.report_css, "text/css; charset=utf-8")
        case liveScript: (PackageResources.live_js, "text/javascript; charset=utf-8")
        default: nil
        }
    }
}
