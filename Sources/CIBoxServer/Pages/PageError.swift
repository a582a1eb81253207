// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxReport
import Hummingbird
import NIOCore

/// An error a browser sees as a page (the API's errors stay JSON): its status, and its message in the pages' frame.
struct PageError: HTTPResponseError, Sendable {
    let status: HTTPResponse.Status
    let message: String
    /// Headers the answer also has.
    var headers: HTTPFields = [:]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = PageResponse.html(
            ServerPages.message(title: status.reasonPhrase, message: message, extras: PageChrome.plain), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}

/// HTML responses.
enum PageResponse {
    /// `html` as the body of a response with `status`.
    static func html(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html.description)))
    }

    /// A 303 to `location` (after a form, and to the sign-in page).
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}
