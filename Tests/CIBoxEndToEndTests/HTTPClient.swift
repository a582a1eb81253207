// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation

/// One HTTP exchange made with curl, as a script would: the status, the response headers and the body's bytes.
struct HTTPReply {
    var status: Int
    /// Header names in lower case.
    var headers: [String: String]
    var body: Data

    /// The body as text.
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The `message` of a JSON error body.
    var message: String? {
        (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["message"] as? String
    }

    /// The body parsed as JSON.
    func json() throws -> Any { try JSONSerialization.jsonObject(with: body) }

    /// `METHOD url` (sent as written: `--path-as-is` keeps `..` in it), with the extra request headers and `body`
    /// (for `HEAD`, the reply's body holds the headers, as curl writes them).
    static func get(
        _ url: String, method: String = "GET", headers: [String] = [], body: Data? = nil
    ) async throws -> HTTPReply {
        let folder = try TemporaryDirectory(prefix: "cibox-http")
        defer { folder.remove() }
        let (bodyFile, headerFile) = (folder.appending("body"), folder.appending("headers"))
        var sent: [String] = []
        if let body {
            try body.write(to: URL(fileURLWithPath: folder.appending("request")))
            sent = ["--data-binary", "@" + folder.appending("request")]
        }
        let output = try await ProcessRunner.run(
            "/usr/bin/curl",
            ["-sS", "--path-as-is"] + (method == "HEAD" ? ["--head"] : ["-X", method])
                + ["-o", bodyFile, "-D", headerFile, "-w", "%{http_code}"]
                + headers.flatMap { ["-H", $0] } + sent + [url])
        guard output.status == 0, let status = Int(output.stdout) else {
            throw FixtureError("curl \(url) failed: \(output.stderr)")
        }
        var fields: [String: String] = [:]
        let head = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
        for line in head.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = FileManager.default.contents(atPath: bodyFile) ?? Data()
        return HTTPReply(status: status, headers: fields, body: body)
    }
}
