// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import Foundation
import Hummingbird

/// Who may do what: a request's `Authorization: Bearer TOKEN` is checked against the home's tokens (only their
/// SHA-256 is stored), or, without one, a browser's session cookie (made at sign-in from such a token; same roles).
/// Reads need a viewer's token unless they are open (the API listens on loopback only, or
/// `http: { public_read: true }`); a token that is not valid is refused even where none is needed. No token where
/// one is needed, or a wrong one: 401 (a browser asking for a page is sent to the sign-in page instead); a token
/// whose role does not allow the request: 403. A session's request that changes something must carry the
/// session's CSRF token (the form field `csrf`), else 403. Either way the request does
/// nothing. `/healthz`, the sign-in page and the style sheet and script need none.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = ServerContext

    let tokens: TokenStore
    let sessions: BrowserSessions
    /// Whether reads need no token.
    let openReads: Bool

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        guard !Self.isOpen(path) else { return try await next(request, context) }
        let needed = Self.role(for: request.method, path: path)
        guard let header = request.headers[.authorization] else {
            return try await withoutToken(request, context: context, needed: needed, next: next)
        }
        guard let token = Self.bearer(header) else {
            throw Self.unauthorized("The Authorization header must be `Bearer TOKEN`.")
        }
        let tokens = self.tokens
        guard let found = try await Blocking.run({ try tokens.authenticate(token) }) else {
            throw Self.unauthorized("This token is not valid: it was revoked, or never made on this server.")
        }
        guard found.role.allows(needed) else {
            throw APIError(.forbidden, Self.tooLow(name: found.name, role: found.role, needed: needed))
        }
        return try await next(request, context)
    }

    /// A request without `Authorization`: its session's, or an anonymous one.
    private func withoutToken(
        _ request: Request, context: Context, needed: AccessRole, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        let isPage = PageRoutes.isPage(path)
        if let (id, session) = try await session(of: request) {
            guard session.role.allows(needed) || path == SignInRoutes.signOut else {
                let message = Self.tooLow(name: session.name, role: session.role, needed: needed)
                throw isPage
                    ? PageError(status: .forbidden, message: message) as any Error
                    : APIError(.forbidden, message)
            }
            var request = request
            if needed != .viewer {
                let given = try await FormFields.of(&request)["csrf"]
                guard BrowserSessions.matches(given ?? "", session.csrf) else {
                    let message =
                        "This form is out of date or not from this server (its CSRF token is wrong): "
                        + "reload the page and try again."
                    throw isPage
                        ? PageError(status: .forbidden, message: message) as any Error
                        : APIError(.forbidden, message)
                }
            }
            var context = context
            context.session = (id, session)
            return try await next(request, context)
        }
        if needed == .viewer, openReads { return try await next(request, context) }
        if isPage {
            if needed == .viewer { return PageResponse.seeOther(SignInRoutes.signIn) }
            throw PageError(status: .unauthorized, message: "Sign in first: this needs an operator's token.")
        }
        throw Self.unauthorized(
            "This API needs a token: send `Authorization: Bearer TOKEN` (`cibox token create NAME --role "
                + "\(needed.rawValue)` makes one).")
    }

    /// The live session `request`'s cookie names, if any: one whose token was revoked since ends here.
    private func session(of request: Request) async throws -> (String, BrowserSession)? {
        guard let id = request.cookies[SignInRoutes.cookieName]?.value, let session = sessions.find(id) else {
            return nil
        }
        let tokens = self.tokens
        let alive = try await Blocking.run {
            try tokens.list().contains { $0.name == session.name && $0.createdAt == session.tokenCreatedAt }
        }
        guard alive else {
            sessions.end(id)
            return nil
        }
        return (id, session)
    }

    /// Whether `path` needs no token: the health check, the sign-in page and the pages' style sheet and script.
    static func isOpen(_ path: String) -> Bool {
        path == "/healthz" || path == SignInRoutes.signIn || path.hasPrefix(PageRoutes.assetsPrefix)
    }

    /// What a request with `method` on `path` needs: reading; acting on pipelines; or managing projects (adding
    /// and removing them).
    static func role(for method: HTTPRequest.Method, path: String) -> AccessRole {
        if [.get, .head, .options].contains(method) { return .viewer }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let managesProjects = parts.starts(with: ["api", "v1", "projects"]) && parts.count <= 4
        return managesProjects ? .admin : .operator
    }

    /// Why the token `name` with `role` may not do what needs `needed`.
    static func tooLow(name: String, role: AccessRole, needed: AccessRole) -> String {
        "The token '\(name)' is \(article(role)) \(role.rawValue)'s; this needs \(article(needed)) \(needed.rawValue)'s or more."
    }

    /// "a" or "an", as the role's name needs.
    static func article(_ role: AccessRole) -> String {
        role == .viewer ? "a" : "an"
    }

    /// The token of `Bearer TOKEN` (the scheme in any case), or nil.
    static func bearer(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// A 401 saying `message`, with the scheme to use.
    static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, message, headers: [.wwwAuthenticate: "Bearer realm=\"cibox\""])
    }
}
