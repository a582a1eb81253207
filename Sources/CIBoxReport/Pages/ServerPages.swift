// cibox — CI in a box. MIT licence, see LICENSE.

/// The daemon's own pages, in the report's frame: a message (not found, refused) and the sign-in form.
package enum ServerPages {
    /// A page saying `message` under `title`.
    package static func message(title: String, message: String, extras: PageExtras) -> HTML {
        PageShell.page(
            title: title, links: PageLinks(style: .server, page: .index), crumbs: [], extras: extras,
            body: "<p class=\"advice warning\" role=\"alert\">\(message)</p>\n")
    }

    /// The sign-in form, saying `error` above it when the last try failed.
    package static func signIn(error: String?, check: String, extras: PageExtras) -> HTML {
        let alert: HTML = error.map { "<p class=\"advice warning\" role=\"alert\">\($0)</p>\n" } ?? ""
        return PageShell.page(
            title: "Sign in", links: PageLinks(style: .server, page: .index),
            crumbs: [PageShell.Crumb(label: "sign in", page: nil)], extras: extras,
            body: alert + """
                <p>Paste a token made with <code>cibox token create NAME --role viewer</code> (or <code>operator</code> to approve, rerun, cancel and trigger). This browser then stays signed in until you sign out or leave it unused for 12 hours.</p>
                <form class="sign-in" method="post" action="/sign-in">
                <input type="hidden" name="check" value="\(check)">
                <label for="token">Token</label>
                <input id="token" name="token" type="password" autocomplete="off" required>
                <button type="submit">Sign in</button>
                </form>

                """)
    }
}
