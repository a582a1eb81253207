// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxEngine
import CIBoxModel
import CIBoxPresentation
import CIBoxStore
import Hummingbird

/// `GET /api/v1/projects`, and the admins' `POST /api/v1/projects` and `DELETE /api/v1/projects/NAME`, done as
/// `cibox project list --json`, `project add` and `project remove` do them. The daemon starts or stops watching a
/// project within a second of its being added or removed.
enum ProjectRoutes {
    static func add(to router: Router<some RequestContext>, sources: APISources) {
        let store = sources.store
        router.get("/api/v1/projects") { _, _ in
            let listed = try await Blocking.run {
                let counts = try store.projects.refCounts()
                return try store.projects.projects().map { PipelineJSON.project($0, refs: counts[$0.id] ?? 0) }
            }
            return JSONResponse.make(.object([("projects", .array(listed))]))
        }
        router.post("/api/v1/projects") { request, _ in
            let body = try await ActionRoutes.object(request, fields: ["path", "name"])
            guard let path = try ActionRoutes.text(body["path"], field: "path") else {
                throw APIError(.badRequest, "'path' is needed: the repository's path on the server.")
            }
            let name = try ActionRoutes.text(body["name"], field: "name")
            if let name, name.contains("/") { throw APIError(.badRequest, "'name' must not contain '/'.") }
            let outcome = try await Blocking.run { () throws -> (JSONValue, Bool) in
                let outcome: ProjectRegistration.Outcome
                do throws(EngineError) {
                    outcome = try ProjectRegistration.add(path: path, name: name, store: store)
                } catch {
                    throw error.code == .usage ? APIError(.conflict, error.message) : PipelineActions.apiError(error)
                }
                switch outcome {
                case .added(let project, let refs): return (PipelineJSON.project(project, refs: refs), true)
                case .existing(let project):
                    // Only a project that was there already needs its refs counted.
                    let refs = try store.projects.refCounts()[project.id] ?? 0
                    return (PipelineJSON.project(project, refs: refs), false)
                }
            }
            return JSONResponse.make(outcome.0, status: outcome.1 ? .created : .ok)
        }
        router.delete("/api/v1/projects/:name") { _, context in
            let name = context.parameters.get("name") ?? ""
            try await Blocking.run { () throws in
                do throws(StoreError) {
                    _ = try store.projects.removeProject(named: name)
                } catch {
                    guard error.code == .notFound else { throw error }
                    throw APIError(.notFound, "No project named '\(name)'.")
                }
            }
            return Response(status: .noContent)
        }
    }
}
