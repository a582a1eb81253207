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

    static func add(
        to router: Router<ServerContext>, tokens: TokenStore, sessions: BrowserSessions, secureCookies: Bool
    ) {
        router.get(RouterPath(signIn)) { _, context in
            PageResponse.html(ServerPages.signIn(error: nil, extras: PageChrome.extras(context.session?.session)))
        }
        router.post(RouterPath(signIn)) { request, _ in
            var request = request
            let token = try await FormFields.of(&request)["token"]?.trimmingCharacters(in: .whitespaces) ?? ""
            guard let found = try await Blocking.run({ try tokens.authenticate(token) }) else {
                return PageResponse.html(
                    ServerPages.signIn(
                        error: "This token is not valid: it was revoked, or never made on this server.",
                        extras: PageChrome.extras(nil)),
                    status: .unauthorized)
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

    /// The `Set-Cookie` value for session `id`: only sent back to this server, never to scripts, never from another
    /// site's page, only over TLS when `secure`; a browser-session cookie (`expired`: one that removes it).
    static func cookie(_ id: String, secure: Bool, expired: Bool = false) -> String {
        "\(cookieName)=\(id); Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
            + (expired ? "; Max-Age=0" : "")
    }
}
