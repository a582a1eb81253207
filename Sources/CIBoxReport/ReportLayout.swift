// cibox — CI in a box. MIT licence, see LICENSE.

/// Where every page of the report lives, relative to the report's root folder, so that other commands (the
/// pre-push gate, `cibox run`) can print links to the page of a pipeline or a job.
///
/// ```
/// index.html                                   projects, latest status per branch, badges
/// projects/<project-id>/index.html             newest pipelines, trends
/// projects/<project-id>/page-<N>.html          pipelines numbered (N-1)*50+1 … N*50
/// projects/<project-id>/tests.html             slowest, most failing and flaky tests
/// projects/<project-id>/badges/<branch>.svg    status badge of a branch
/// pipelines/<pipeline-id>/index.html           workflows as DAGs, commit, branch, trigger
/// pipelines/<pipeline-id>/jobs/<job-id>.html   steps and logs, tests, artifacts, resources
/// pipelines/<pipeline-id>/raw/<job-id>-<step>.log   raw log of a step too long to show whole
/// pipelines/<pipeline-id>/raw/<job-id>-container-<name>.log   the same of a service container
/// pipelines/<pipeline-id>/artifacts/<job-id>/…      the job's artifacts
/// report.css, refresh.js
/// ```
package struct ReportLayout: Sendable, Equatable {
    /// The report's root folder, absolute.
    package var root: String

    /// A layout rooted at `root`.
    package init(root: String) {
        self.root = root
    }

    /// The default layout of the state folder `home`: `home/reports`.
    package init(home: String) {
        root = Self.defaultRoot(home: home)
    }

    /// The default report folder of the state folder `home` (`$CIBOX_HOME/reports`).
    package static func defaultRoot(home: String) -> String {
        home + "/reports"
    }

    /// The absolute path of `relative` (one of the static paths below).
    package func path(_ relative: String) -> String {
        root + "/" + relative
    }

    /// How many pipelines one list page holds.
    package static let pipelinesPerPage = 50

    /// The front page: every project and its branches.
    package static let indexPage = "index.html"

    /// The style sheet.
    package static let styleSheet = "report.css"

    /// The optional script that reloads pages of running pipelines.
    package static let refreshScript = "refresh.js"

    /// The folder of project `projectID`.
    package static func projectFolder(projectID: Int64) -> String {
        "projects/\(projectID)"
    }

    /// The project's front page (newest pipelines and trends).
    package static func projectPage(projectID: Int64) -> String {
        projectFolder(projectID: projectID) + "/index.html"
    }

    /// The list page holding the pipelines numbered `(page - 1) * 50 + 1` to `page * 50`.
    package static func projectListPage(projectID: Int64, page: Int) -> String {
        projectFolder(projectID: projectID) + "/page-\(page).html"
    }

    /// The list page that holds pipeline number `number`.
    package static func listPageNumber(pipelineNumber number: Int) -> Int {
        max(1, (number - 1) / pipelinesPerPage + 1)
    }

    /// The project's tests page.
    package static func testsPage(projectID: Int64) -> String {
        projectFolder(projectID: projectID) + "/tests.html"
    }

    /// The status badge of `branch` of project `projectID`.
    package static func badge(projectID: Int64, branch: String) -> String {
        projectFolder(projectID: projectID) + "/badges/" + fileSafe(branch) + ".svg"
    }

    /// The folder of pipeline `pipelineID`.
    package static func pipelineFolder(pipelineID: Int64) -> String {
        "pipelines/\(pipelineID)"
    }

    /// The pipeline's page.
    package static func pipelinePage(pipelineID: Int64) -> String {
        pipelineFolder(pipelineID: pipelineID) + "/index.html"
    }

    /// The page of job run `jobID` of pipeline `pipelineID`.
    package static func jobPage(pipelineID: Int64, jobID: Int64) -> String {
        pipelineFolder(pipelineID: pipelineID) + "/jobs/\(jobID).html"
    }

    /// The copy of step `index`'s raw log of job run `jobID`.
    package static func rawLog(pipelineID: Int64, jobID: Int64, step index: Int) -> String {
        pipelineFolder(pipelineID: pipelineID) + "/raw/\(jobID)-\(index).log"
    }

    /// The copy of service container `name`'s raw log of job run `jobID`.
    package static func rawContainerLog(pipelineID: Int64, jobID: Int64, name: String) -> String {
        pipelineFolder(pipelineID: pipelineID) + "/raw/\(jobID)-container-\(fileSafe(name)).log"
    }

    /// The folder of job run `jobID`'s artifacts in the report.
    package static func artifactFolder(pipelineID: Int64, jobID: Int64) -> String {
        pipelineFolder(pipelineID: pipelineID) + "/artifacts/\(jobID)"
    }

    /// `name` as one file name, reversibly: bytes other than ASCII letters, digits, `-` and `_` become `%XX`
    /// (`feature/login` → `feature%2Flogin`), and a leading `.` too, so no name is hidden or special.
    package static func fileSafe(_ name: String) -> String {
        let safe = percentEncoded(name) { byte, isFirst in
            isUnreserved(byte) && byte != 0x7E && !(isFirst && byte == 0x2E)
        }
        return safe.isEmpty ? "%" : safe
    }

    /// The relative URL from page `from` to file `to` (both relative to the root), percent-encoded so that
    /// file names with `%`, spaces or `#` (badges of branches, artifacts) are fetched as written.
    package static func link(from: String, to: String) -> String {
        let depth = from.split(separator: "/").count - 1
        return String(repeating: "../", count: depth)
            + percentEncoded(to) { byte, _ in isUnreserved(byte) || byte == 0x2F }
    }

    /// Whether `byte` is an unreserved URL character (letters, digits, `-`, `.`, `_`, `~`).
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: true
        default: false
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// `text` with each byte that `keeps` refuses written as `%XX` (`keeps` accepts ASCII bytes only).
    private static func percentEncoded(_ text: String, keeping keeps: (UInt8, Bool) -> Bool) -> String {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(text.utf8.count)
        for (index, byte) in text.utf8.enumerated() {
            if byte < 0x80, keeps(byte, index == 0) {
                encoded.append(byte)
            } else {
                encoded += [0x25, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}
