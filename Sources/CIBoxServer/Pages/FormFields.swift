// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation
import Hummingbird

/// The fields of an HTML form as a browser posts it (`application/x-www-form-urlencoded`).
struct FormFields: Sendable, Equatable {
    /// Each field's value (the first when a name repeats).
    var values: [String: String]

    /// The value of field `name`.
    subscript(name: String) -> String? { values[name] }

    /// The fields of `body` (`a=1&b=x+y`): `+` is a space, `%XX` a byte; a part that cannot be decoded is skipped.
    init(body: String) {
        var values: [String: String] = [:]
        for part in body.split(separator: "&") {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(pair[0]), let value = Self.decode(pair.count > 1 ? pair[1] : "") else {
                continue
            }
            if values[name] == nil { values[name] = value }
        }
        self.values = values
    }

    /// The fields of `request`'s body when it is a form (none otherwise); the body stays readable after.
    static func of(_ request: inout Request) async throws -> FormFields {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
        else { return FormFields(body: "") }
        let body = try await request.collectBody(upTo: APIServer.maximumBody)
        return FormFields(body: String(decoding: body.readableBytesView, as: UTF8.self))
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
