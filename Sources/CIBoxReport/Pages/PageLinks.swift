// cibox — CI in a box. MIT licence, see LICENSE.

/// What a page links to, whichever way the pages are served.
package enum PageTarget: Sendable, Equatable {
    /// The front page.
    case index
    /// A project's front page (`page` nil) or one of its list pages.
    case project(id: Int64, name: String, page: Int?)
    /// A project's tests page.
    case tests(projectID: Int64, name: String)
    /// The status badge of a project's branch.
    case badge(projectID: Int64, name: String, branch: String)
    /// A pipeline's page.
    case pipeline(id: Int64)
    /// A job run's page.
    case job(pipelineID: Int64, jobID: Int64)
    /// A file the static report copied in (a long log's or an artifact's copy), relative to its root.
    case reportFile(String)
    /// The whole log of a job run, as the server's API gives it.
    case jobLog(jobID: Int64)
    /// An artifact of a job run, as the server's API gives it (a download).
    case artifact(jobID: Int64, path: String)
    /// The style sheet.
    case styleSheet
    /// The script of pages that show something running (the static report's reload, the server's live update).
    case script
}

/// How pages link: the static report links its files relative to the page (so that it opens from disk or any
/// folder of a web server); the daemon's server links its own absolute paths (`/pipelines/12`, `/jobs/40`).
package struct PageLinks: Sendable {
    /// The two ways of linking.
    package enum Style: Sendable {
        /// Relative links between the static report's files.
        case files
        /// Absolute paths of the daemon's server.
        case server
    }

    /// How this page links.
    let style: Style
    /// The page the links are on (the static report's links are relative to it).
    let page: PageTarget

    /// The URL of `target` from this page.
    func url(_ target: PageTarget) -> String {
        switch style {
        case .files: ReportLayout.link(from: Self.file(page), to: Self.file(target))
        case .server: Self.serverPath(target)
        }
    }

    /// The file of `target` in the static report, relative to its root (the server's API targets have none; they
    /// are never on a static page).
    static func file(_ target: PageTarget) -> String {
        switch target {
        case .index: ReportLayout.indexPage
        case .project(let id, _, nil): ReportLayout.projectPage(projectID: id)
        case .project(let id, _, let page?): ReportLayout.projectListPage(projectID: id, page: page)
        case .tests(let id, _): ReportLayout.testsPage(projectID: id)
        case .badge(let id, _, let branch): ReportLayout.badge(projectID: id, branch: branch)
        case .pipeline(let id): ReportLayout.pipelinePage(pipelineID: id)
        case .job(let pipelineID, let jobID): ReportLayout.jobPage(pipelineID: pipelineID, jobID: jobID)
        case .reportFile(let path): path
        case .jobLog, .artifact: ReportLayout.indexPage
        case .styleSheet: ReportLayout.styleSheet
        case .script: ReportLayout.refreshScript
        }
    }

    /// The server's absolute path of `target`: names and paths percent-encoded, a project's list page as `?page=N`.
    package static func serverPath(_ target: PageTarget) -> String {
        switch target {
        case .index: "/"
        case .project(_, let name, nil): "/projects/" + segment(name)
        case .project(_, let name, let page?): "/projects/" + segment(name) + "?page=\(page)"
        case .tests(_, let name): "/projects/" + segment(name) + "/tests"
        case .badge(_, let name, let branch): "/projects/" + segment(name) + "/badge.svg?branch=" + segment(branch)
        case .pipeline(let id): "/pipelines/\(id)"
        case .job(_, let jobID): "/jobs/\(jobID)"
        case .reportFile(let path): "/" + path.split(separator: "/").map { segment(String($0)) }.joined(separator: "/")
        case .jobLog(let jobID): "/api/v1/jobs/\(jobID)/log"
        case .artifact(let jobID, let path):
            "/api/v1/jobs/\(jobID)/artifacts/"
                + path.split(separator: "/").map { segment(String($0)) }.joined(separator: "/")
        case .styleSheet: "/assets/" + PageAssets.styleSheet
        case .script: "/assets/" + PageAssets.liveScript
        }
    }

    /// `text` as one path segment or query value: every byte but ASCII letters, digits and `-._~` as `%XX` (and the
    /// dots of `.` and `..`, which a browser would otherwise resolve).
    static func segment(_ text: String) -> String {
        if text == "." || text == ".." { return String(repeating: "%2E", count: text.count) }
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: encoded.append(Character(.init(byte)))
            default:
                encoded +=
                    "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return encoded
    }
}
