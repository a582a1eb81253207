// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import Foundation
import Hummingbird

/// Who may do what: a request's `Authorization: Bearer TOKEN` is checked against the home's tokens (only their
/// SHA-256 is stored). Reads need a viewer's token unless they are open (the API listens on loopback only, or
/// `http: { public_read: true }`); a token that is not valid is refused even where none is needed. No token where
/// one is needed, or a wrong one: 401; a token whose role does not allow the request: 403. Either way the request
/// does nothing. `/healthz` needs none.
struct AccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokens: TokenStore
    /// Whether reads need no token.
    let openReads: Bool

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.uri.path != "/healthz" else { return try await next(request, context) }
        let needed = Self.role(for: request.method, path: request.uri.path)
        guard let header = request.headers[.authorization] else {
            if needed == .viewer, openReads { return try await next(request, context) }
            throw Self.unauthorized(
                "This API needs a token: send `Authorization: Bearer TOKEN` (`cibox token create NAME --role "
                    + "\(needed.rawValue)` makes one).")
        }
        guard let token = Self.bearer(header) else {
            throw Self.unauthorized("The Authorization header must be `Bearer TOKEN`.")
        }
        let tokens = self.tokens
        guard let found = try await Blocking.run({ try tokens.authenticate(token) }) else {
            throw Self.unauthorized("This token is not valid: it was revoked, or never made on this server.")
        }
        guard found.role.allows(needed) else {
            throw APIError(
                .forbidden,
                "The token '\(found.name)' is \(Self.article(found.role)) \(found.role.rawValue)'s; this needs "
                    + "\(Self.article(needed)) \(needed.rawValue)'s or more.")
        }
        return try await next(request, context)
    }

    /// What a request with `method` on `path` needs: reading; acting on pipelines; or managing projects (adding
    /// and removing them).
    static func role(for method: HTTPRequest.Method, path: String) -> AccessRole {
        if [.get, .head, .options].contains(method) { return .viewer }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let managesProjects = parts.starts(with: ["api", "v1", "projects"]) && parts.count <= 4
        return managesProjects ? .admin : .operator
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
