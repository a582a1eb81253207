// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import Hummingbird

/// An API error: its status and `{"message": "..."}` as the body.
package struct APIError: HTTPResponseError, Sendable {
    package let status: HTTPResponse.Status
    package let message: String
    /// Headers the answer also has (`WWW-Authenticate` of a 401).
    package let headers: HTTPFields

    /// An error with `status` saying `message`.
    package init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    /// The response: the status, and the message as JSON.
    package func response() -> Response {
        var response = JSONResponse.make(.object([("message", .string(message))]), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}
