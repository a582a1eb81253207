// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation
import Hummingbird

/// The pages' buttons: `POST /projects/NAME/trigger` (field `branch`, blank for the repository's HEAD),
/// `POST /pipelines/ID/rerun` (`failed=true` for only what did not pass), `…/cancel` and `…/approve` (field `job`).
/// ``AccessMiddleware`` lets only an operator's session with the form's CSRF token through. Each does what the API's
/// action does, then sends the browser (303) to the resulting pipeline's page; a refusal is a page saying why.
enum FormRoutes {
    static func add(to router: Router<ServerContext>, actions: PipelineActions) {
        router.post("/projects/:name/trigger") { request, context in
            let name = try PageRoutes.parameter("name", context)
            var request = request
            let branch = try await FormFields.of(&request)["branch"]?.trimmingCharacters(in: .whitespaces) ?? ""
            return try await redirect { () async throws(APIError) in
                try await actions.trigger(
                    project: name, branch: branch.isEmpty ? nil : branch, revision: nil, parameters: [:])
            }
        }
        router.post("/pipelines/:id/rerun") { request, context in
            let id = try PageRoutes.identifier(context, kind: "pipeline")
            var request = request
            let failed = try await FormFields.of(&request)["failed"] == "true"
            return try await redirect { () async throws(APIError) in
                try await actions.rerun(pipelineID: id, failedOnly: failed)
            }
        }
        router.post("/pipelines/:id/cancel") { _, context in
            let id = try PageRoutes.identifier(context, kind: "pipeline")
            return try await redirect { () async throws(APIError) in try await actions.cancel(pipelineID: id) }
        }
        router.post("/pipelines/:id/approve") { request, context in
            let id = try PageRoutes.identifier(context, kind: "pipeline")
            var request = request
            let job = try await FormFields.of(&request)["job"] ?? ""
            return try await redirect { () async throws(APIError) in try await actions.approve(pipelineID: id, job: job)
            }
        }
    }

    /// A 303 to the page of the pipeline `action` returns; its refusal as a page.
    private static func redirect(_ action: () async throws(APIError) -> JSONValue) async throws -> Response {
        let pipeline: JSONValue
        do {
            pipeline = try await action()
        } catch {
            throw PageError(status: error.status, message: error.message)
        }
        guard case .object(let fields) = pipeline, case .int(let id) = fields.first(where: { $0.0 == "id" })?.1
        else { return PageResponse.seeOther("/") }
        return PageResponse.seeOther("/pipelines/\(id)")
    }
}
