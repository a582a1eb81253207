// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import CIBoxPresentation
import CIBoxStore
import Hummingbird

/// `GET /api/v1/pipelines`, `GET /api/v1/pipelines/ID`, `GET /api/v1/status` and `GET /healthz`.
enum PipelineRoutes {
    /// The most pipelines one page holds, and how many it holds unless `limit` says.
    static let (maximumLimit, defaultLimit) = (100, 20)

    static func add(to router: Router<some RequestContext>, sources: APISources) {
        router.get("/healthz") { _, _ in JSONResponse.make(.object([("status", .string("ok"))])) }
        router.get("/api/v1/status") { _, _ in
            JSONResponse.make(try await Blocking.run { try sources.status() })
        }
        router.get("/api/v1/pipelines") { request, _ in
            let query = request.uri.queryParameters
            let filter = PipelineFilter(
                project: query["project"].map(String.init), branch: query["branch"].map(String.init),
                status: try query["status"].map(status))
            let before = try query["before"].map { text in
                guard let id = Int64(text), id > 0 else {
                    throw APIError(.badRequest, "'before' must be a pipeline id, not '\(text)'.")
                }
                return id
            }
            let limit =
                try query["limit"].map { text in
                    guard let limit = Int(text), (1...maximumLimit).contains(limit) else {
                        throw APIError(
                            .badRequest, "'limit' must be a whole number from 1 to \(maximumLimit), not '\(text)'.")
                    }
                    return limit
                } ?? defaultLimit
            let page = try await Blocking.run {
                try sources.store.history.pipelines(matching: filter, before: before, limit: limit)
            }
            let next: JSONValue = page.count == limit ? .int(page.last?.id) : .null
            return JSONResponse.make(
                .object([("pipelines", .array(page.map(PipelineJSON.summary))), ("next_before", next)]))
        }
        router.get("/api/v1/pipelines/:id") { _, context in
            let id = try identifier(context, kind: "pipeline")
            let shown = try await Blocking.run { () throws -> JSONValue? in
                try sources.store.history.pipelineDetail(id: id).map {
                    PipelineJSON.shown($0, storageDirectory: sources.storageDirectory)
                }
            }
            guard let shown else { throw APIError(.notFound, "No pipeline with id \(id).") }
            return JSONResponse.make(shown)
        }
    }

    /// The `:id` parameter of a path, a whole number above 0 (a 400 otherwise); `kind` names it in the message.
    static func identifier(_ context: some RequestContext, kind: String) throws -> Int64 {
        let text = context.parameters.get("id") ?? ""
        guard let id = Int64(text), id > 0 else {
            throw APIError(.badRequest, "'\(text)' is not a \(kind) id: ids are whole numbers from 1.")
        }
        return id
    }

    private static func status(_ text: Substring) throws -> PipelineStatus {
        guard let status = PipelineStatus(rawValue: String(text)) else {
            let names = PipelineStatus.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError(.badRequest, "'\(text)' is not a pipeline status; the statuses are \(names).")
        }
        return status
    }
}
