// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxStore
import Hummingbird

/// Gives every error the API's shape, `{"message": "..."}` with its status: Hummingbird's own (404 for an unknown
/// path or method) and the store's (500), as well as ``APIError``s. The router's first middleware, so that it
/// wraps every route and the not-found responder.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as PageError {
            throw error
        } catch let error as HTTPError {
            throw APIError(error.status, error.body ?? Self.message(error.status))
        } catch let error as StoreError {
            throw APIError(.internalServerError, error.message)
        } catch {
            throw APIError(.internalServerError, "The request failed: \(error)")
        }
    }

    /// The message of an error Hummingbird made without one.
    static func message(_ status: HTTPResponse.Status) -> String {
        status == .notFound ? "Nothing is at this path; the API is under /api/v1/." : status.reasonPhrase
    }
}
