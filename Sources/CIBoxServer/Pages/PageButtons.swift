// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxReport

/// The forms each page offers (shown to an operator's session; see ``PageChrome/actions(_:_:)``): trigger on a
/// project's pages; cancel and approve while a pipeline has not ended, rerun and rerun failed once it has; approve
/// on a held job's page.
enum PageButtons {
    /// A project's: trigger a pipeline of a branch (blank: its repository's HEAD).
    static func project(_ name: String, csrf: HTML) -> [HTML] {
        [
            PageChrome.form(
                PageLinks.serverPath(.project(id: 0, name: name, page: nil)) + "/trigger", label: "Trigger",
                csrf: csrf,
                fields: """
                    <label for="branch">Branch</label> <input id="branch" name="branch" placeholder="default: HEAD">
                    """)
        ]
    }

    /// A pipeline's.
    static func pipeline(_ detail: PipelineDetail, csrf: HTML) -> [HTML] {
        let pipeline = detail.pipeline
        let path = "/pipelines/\(pipeline.id)"
        guard pipeline.status.isFinal else {
            let held = detail.workflows.flatMap(\.jobs).map(\.job).filter { $0.status == .onHold }
            return held.map { approve($0, csrf: csrf) } + [
                PageChrome.form(path + "/cancel", label: "Cancel", csrf: csrf)
            ]
        }
        var forms = [PageChrome.form(path + "/rerun", label: "Rerun", csrf: csrf)]
        if pipeline.status != .success {
            forms.append(
                PageChrome.form(
                    path + "/rerun", label: "Rerun failed", csrf: csrf,
                    fields: "<input type=\"hidden\" name=\"failed\" value=\"true\">"))
        }
        return forms
    }

    /// A job run's: approve it while it is held.
    static func job(_ job: Job, csrf: HTML) -> [HTML] {
        job.status == .onHold ? [approve(job, csrf: csrf)] : []
    }

    /// The form approving held job `job`.
    private static func approve(_ job: Job, csrf: HTML) -> HTML {
        PageChrome.form(
            "/pipelines/\(job.pipelineID)/approve", label: "Approve \(job.name)", csrf: csrf,
            fields: "<input type=\"hidden\" name=\"job\" value=\"\(job.name)\">")
    }
}
