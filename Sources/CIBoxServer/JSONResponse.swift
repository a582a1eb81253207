// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxBasics
package import Hummingbird
import NIOCore

/// JSON responses, rendered as the CLI's `--json` prints them (pretty, keys in order, a final newline).
package enum JSONResponse {
    /// `value` as the body of a response with `status`.
    package static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: value.rendered() + "\n")))
    }
}
