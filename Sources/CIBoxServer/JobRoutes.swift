// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import CIBoxModel
import CIBoxPresentation
import CIBoxStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// `GET /api/v1/jobs/ID`, `GET /api/v1/jobs/ID/log` (with `Range`) and `GET /api/v1/jobs/ID/artifacts/PATH`.
enum JobRoutes {
    static func add(to router: Router<some RequestContext>, sources: APISources) {
        router.get("/api/v1/jobs/:id") { _, context in
            let id = try PipelineRoutes.identifier(context, kind: "job")
            let detail = try await job(id, sources)
            let artifacts = ArtifactStore(home: sources.storageDirectory)
            return JSONResponse.make(
                PipelineJSON.job(detail, artifacts: try await Blocking.run { artifacts.list(jobID: id) }))
        }
        router.get("/api/v1/jobs/:id/log") { request, context in
            let id = try PipelineRoutes.identifier(context, kind: "job")
            let detail = try await job(id, sources)
            let log = try await Blocking.run { JobLog.text(detail, store: sources.store) }
            return try logResponse(log, range: request.headers[.range])
        }
        router.get("/api/v1/jobs/:id/log/stream") { request, context in
            let id = try PipelineRoutes.identifier(context, kind: "job")
            _ = try await job(id, sources)
            let resumeAt = lastEventID.flatMap { request.headers[$0] }.flatMap { Int($0) } ?? 0
            let events = LogEvents(store: sources.store, jobID: id, resumeAt: max(0, resumeAt))
            return Response(
                status: .ok,
                headers: noSniff([.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"]),
                // Ends at the daemon's graceful shutdown too: an endless stream would hold the server open.
                body: ResponseBody(asyncSequence: events.cancelOnGracefulShutdown()))
        }
        router.get("/api/v1/jobs/:id/artifacts/**") { _, context in
            let id = try PipelineRoutes.identifier(context, kind: "job")
            _ = try await job(id, sources)
            // Each part as the client sent it, percent-decoded here: `%2e%2e` is `..`, and refused as such.
            let parts = context.parameters.getCatchAll().map { $0.removingPercentEncoding ?? String($0) }
            let path = parts.joined(separator: "/")
            let artifacts = ArtifactStore(home: sources.storageDirectory)
            guard let file = try await Blocking.run({ artifacts.file(jobID: id, path: path) }) else {
                throw APIError(.notFound, "Job \(id) has no artifact '\(path)'.")
            }
            let body = try await FileIO().loadFile(path: file, context: context)
            let name = (parts.last ?? "artifact").addingPercentEncoding(withAllowedCharacters: fileNameCharacters) ?? ""
            return Response(
                status: .ok,
                headers: noSniff([
                    .contentType: "application/octet-stream",
                    .contentDisposition: "attachment; filename*=UTF-8''\(name)",
                ]), body: body)
        }
    }

    /// The header an SSE client sends when it reconnects: the `id` of the last event it got.
    private static let lastEventID = HTTPField.Name("Last-Event-ID")

    /// What a file name keeps unencoded in `Content-Disposition`'s `filename*` (RFC 8187): ASCII letters, digits and
    /// `-._~`; the rest (quotes, line breaks, non-ASCII) is percent-encoded UTF-8.
    private static let fileNameCharacters = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// `headers` with `X-Content-Type-Options: nosniff`: a browser shows a job's output or file as the type given,
    /// never as the HTML it may look like.
    private static func noSniff(_ headers: HTTPFields) -> HTTPFields {
        var headers = headers
        if let name = HTTPField.Name("X-Content-Type-Options") { headers[name] = "nosniff" }
        return headers
    }

    /// Job run `id`, or a 404.
    private static func job(_ id: Int64, _ sources: APISources) async throws -> JobDetail {
        guard let detail = try await Blocking.run({ try sources.store.history.jobDetail(id: id) }) else {
            throw APIError(.notFound, "No job with id \(id).")
        }
        return detail
    }

    /// `log`, or the part of it `range` (a `Range` header) asks for: 206 with `Content-Range`, or 416.
    static func logResponse(_ log: Data, range: String?) throws -> Response {
        var headers = noSniff([.contentType: "text/plain; charset=utf-8", .acceptRanges: "bytes"])
        switch ByteRange.resolve(range, length: log.count) {
        case .whole:
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: log)))
        case .part(let part):
            headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound)/\(log.count)"
            return Response(
                status: .partialContent, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: log[part])))
        case .unsatisfiable:
            var response = APIError(
                .rangeNotSatisfiable, "The log has \(log.count) bytes; the range '\(range ?? "")' starts past its end."
            ).response()
            response.headers[.contentRange] = "bytes */\(log.count)"
            return response
        }
    }
}
