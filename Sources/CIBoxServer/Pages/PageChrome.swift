// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxReport

/// What the server adds to the report's pages: who is signed in (with the sign-out form), the footer, and the
/// pages' forms, each carrying the session's CSRF token.
enum PageChrome {
    /// The footer of the server's pages.
    static let footer = "cibox daemon · pages readable without JavaScript"

    /// Extras without account or actions (error pages).
    static let plain = PageExtras(footer: footer)

    /// The extras of a page seen in `session` (nil: not signed in), with `actions` when it may act.
    static func extras(_ session: BrowserSession?, actions: HTML = .empty) -> PageExtras {
        guard let session else {
            return PageExtras(
                account: "<p class=\"account\"><a href=\"/sign-in\">Sign in</a></p>", actions: actions, footer: footer)
        }
        return PageExtras(
            account: """
                <form class="account" method="post" action="/sign-out">\(csrfField(session))<span>Signed in as \(session.name) (\(session.role.rawValue))</span> <button type="submit">Sign out</button></form>
                """, actions: actions, footer: footer)
    }

    /// The page's buttons (`forms` makes them, given the CSRF field to put in each) when `session` may act (an
    /// operator's or more), else a link to sign in for it; nothing when there is nothing to do.
    static func actions(_ session: BrowserSession?, _ forms: (_ csrf: HTML) -> [HTML]) -> HTML {
        guard let session, session.role.allows(.operator) else {
            guard !forms(.empty).isEmpty else { return .empty }
            let why: HTML = session == nil ? "Sign in to act" : "Sign in with an operator's token to act"
            return "<p class=\"actions\"><a href=\"/sign-in\">\(why)</a></p>\n"
        }
        let built = forms(csrfField(session))
        return built.isEmpty ? .empty : "<div class=\"actions\">\(built)</div>\n"
    }

    /// A form posting to `action` with the CSRF field `csrf`, `fields` (inputs) and a button saying `label`.
    static func form(_ action: String, label: String, csrf: HTML, fields: HTML = .empty) -> HTML {
        "<form method=\"post\" action=\"\(action)\">\(csrf)\(fields)<button type=\"submit\">\(label)</button></form>"
    }

    /// The hidden field holding `session`'s CSRF token.
    static func csrfField(_ session: BrowserSession) -> HTML {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(session.csrf)\">"
    }
}
