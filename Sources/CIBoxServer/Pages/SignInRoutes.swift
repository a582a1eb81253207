// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxReport
import CIBoxStore
import Foundation
import Hummingbird

/// `GET /sign-in` (the form), `POST /sign-in` (a token for a session cookie) and `POST /sign-out`.
enum SignInRoutes {
    static let signIn = "/sign-in"
    static let signOut = "/sign-out"
    /// The session cookie's name.
    static let cookieName = "cibox_session"
    /// The cookie the sign-in page sets and its form repeats: a `SameSite=Strict` cookie is never sent with another
    /// site's form, so a page elsewhere cannot sign a browser in (with its author's token) behind the user's back.
    static let checkCookieName = "cibox_sign_in"

    static func add(
        to router: Router<ServerContext>, tokens: TokenStore, sessions: BrowserSessions, secureCookies: Bool
    ) {
        router.get(RouterPath(signIn)) { _, context in
            form(error: nil, status: .ok, extras: PageChrome.extras(context.session?.session), secure: secureCookies)
        }
        router.post(RouterPath(signIn)) { request, _ in
            var request = request
            let fields = try await FormFields.of(&request)
            let check = request.cookies[checkCookieName]?.value ?? ""
            guard !check.isEmpty, BrowserSessions.matches(fields["check"] ?? "", check) else {
                return form(
                    error: "Sign in from this server's own sign-in page (this form was not sent from it).",
                    status: .forbidden, extras: PageChrome.extras(nil), secure: secureCookies)
            }
            let token = fields["token"]?.trimmingCharacters(in: .whitespaces) ?? ""
            guard let found = try await Blocking.run({ try tokens.authenticate(token) }) else {
                return form(
                    error: "This token is not valid: it was revoked, or never made on this server.",
                    status: .unauthorized, extras: PageChrome.extras(nil), secure: secureCookies)
            }
            let id = sessions.start(
                BrowserSession(
                    name: found.name, role: found.role, tokenCreatedAt: found.createdAt,
                    csrf: BrowserSessions.newCSRF()))
            var response = PageResponse.seeOther("/")
            response.headers[.setCookie] = cookie(id, secure: secureCookies)
            return response
        }
        router.post(RouterPath(signOut)) { _, context in
            if let id = context.session?.id { sessions.end(id) }
            var response = PageResponse.seeOther("/")
            response.headers[.setCookie] = cookie("", secure: secureCookies, expired: true)
            return response
        }
    }

    /// The sign-in page with a new check value, in its form and in the cookie it sets.
    static func form(error: String?, status: HTTPResponse.Status, extras: PageExtras, secure: Bool) -> Response {
        let check = BrowserSessions.newCSRF()
        var response = PageResponse.html(ServerPages.signIn(error: error, check: check, extras: extras), status: status)
        response.headers[.setCookie] =
            "\(checkCookieName)=\(check); Path=\(signIn); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
        return response
    }

    /// The `Set-Cookie` value for session `id`: only sent back to this server, never to scripts, never from another
    /// site's page, only over TLS when `secure`; a browser-session cookie (`expired`: one that removes it).
    static func cookie(_ id: String, secure: Bool, expired: Bool = false) -> String {
        "\(cookieName)=\(id); Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
            + (expired ? "; Max-Age=0" : "")
    }
}
