// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxReport
import Foundation
import Hummingbird
import NIOCore

/// The pages, the static report's renderers served live: `/` (projects and recent pipelines), `/projects/NAME`
/// (`?page=N` for a list page, `/tests`, `/badge.svg?branch=`), `/pipelines/ID`, `/jobs/ID`, and their style sheet
/// and script under `/assets/`. Every store read runs on the thread pool; an unknown id or name is a 404 page.
enum PageRoutes {
    /// Where the pages' style sheet and script are served.
    static let assetsPrefix = "/assets/"
    /// How many pipelines the front page lists.
    static let recentCount = 20

    /// Whether `path` is a page (a browser's: refused requests get pages, not JSON, and go to sign in).
    static func isPage(_ path: String) -> Bool {
        path == "/" || path == SignInRoutes.signOut
            || ["/projects/", "/pipelines/", "/jobs/"].contains { path.hasPrefix($0) }
    }

    static func add(to router: Router<ServerContext>, sources: APISources) {
        let pages = ReportPages(store: sources.store, artifactsRoot: sources.storageDirectory + "/artifacts")
        router.get(RouterPath(assetsPrefix + ":name")) { _, context in
            // Only the named assets exist: no path is ever opened, so none can leave its folder.
            guard let asset = PageAssets.named(context.parameters.get("name") ?? "") else {
                throw PageError(status: .notFound, message: "No such file.")
            }
            return Response(
                status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "max-age=300"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
        }
        router.get("/") { _, context in
            let session = context.session?.session
            return PageResponse.html(
                try await Blocking.run { try pages.index(recent: recentCount, extras: PageChrome.extras(session)) })
        }
        router.get("/projects/:name") { request, context in
            let name = try parameter("name", context)
            let page = try request.uri.queryParameters["page"].map { text in
                guard let page = Int(text) else { throw notFound("Project '\(name)' has no page '\(text)'.") }
                return page
            }
            let session = context.session?.session
            guard
                let html = try await Blocking.run({
                    try pages.project(
                        named: name, page: page,
                        extras: PageChrome.extras(
                            session,
                            actions: PageChrome.actions(session) { PageButtons.project(name, csrf: $0) }))
                })
            else { throw notFound(page == nil ? "No project named '\(name)'." : "Project '\(name)' has no such page.") }
            return PageResponse.html(html)
        }
        router.get("/projects/:name/tests") { _, context in
            let name = try parameter("name", context)
            let session = context.session?.session
            guard
                let html = try await Blocking.run({
                    try pages.tests(projectNamed: name, extras: PageChrome.extras(session))
                })
            else { throw notFound("No project named '\(name)'.") }
            return PageResponse.html(html)
        }
        router.get("/projects/:name/badge.svg") { request, context in
            let name = try parameter("name", context)
            let branch = request.uri.queryParameters["branch"].map(String.init) ?? ""
            guard let svg = try await Blocking.run({ try pages.badge(projectNamed: name, branch: branch) }) else {
                throw notFound("Project '\(name)' has no pipeline on branch '\(branch)'.")
            }
            return Response(
                status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "no-cache"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: svg)))
        }
        router.get("/pipelines/:id") { _, context in
            let id = try identifier(context, kind: "pipeline")
            let session = context.session?.session
            guard
                let html = try await Blocking.run({
                    try pages.pipeline(id: id) { detail in
                        PageChrome.extras(
                            session, actions: PageChrome.actions(session) { PageButtons.pipeline(detail, csrf: $0) })
                    }
                })
            else { throw notFound("No pipeline with id \(id).") }
            return PageResponse.html(html)
        }
        router.get("/jobs/:id") { _, context in
            let id = try identifier(context, kind: "job")
            let session = context.session?.session
            guard
                let html = try await Blocking.run({
                    try pages.job(id: id) { _, detail in
                        PageChrome.extras(
                            session, actions: PageChrome.actions(session) { PageButtons.job(detail.job, csrf: $0) })
                    }
                })
            else { throw notFound("No job with id \(id).") }
            return PageResponse.html(html)
        }
    }

    /// A 404 page saying `message`.
    static func notFound(_ message: String) -> PageError {
        PageError(status: .notFound, message: message)
    }

    /// Path parameter `name`, percent-decoded.
    static func parameter(_ name: String, _ context: ServerContext) throws -> String {
        let raw = context.parameters.get(name) ?? ""
        guard let decoded = raw.removingPercentEncoding else { throw notFound("Nothing is at this path.") }
        return decoded
    }

    /// The `:id` of a page's path (a 404 page when it is no id).
    static func identifier(_ context: ServerContext, kind: String) throws -> Int64 {
        let text = try parameter("id", context)
        guard let id = Int64(text), id > 0 else { throw notFound("No \(kind) with id '\(text)'.") }
        return id
    }
}
