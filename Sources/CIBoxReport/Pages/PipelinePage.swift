// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel

/// A pipeline: its commit, branch and trigger, and each workflow as a DAG of its jobs plus a table of them.
enum PipelinePage {
    /// The page of `detail`, whose requirements come from `plan` (nil when it cannot be read).
    static func render(
        _ detail: PipelineDetail, plan: Plan?, style: PageLinks.Style = .files, extras: PageExtras = .none
    ) -> HTML {
        let pipeline = detail.pipeline
        let links = PageLinks(style: style, page: .pipeline(id: pipeline.id))
        var facts: HTML = """
            <dt>Status</dt><dd>\(PageShell.status(pipeline.status.rawValue))</dd>
            <dt>Commit</dt><dd class="mono">\(pipeline.sourceText())</dd>

            """
        if let branch = pipeline.branch { facts += "<dt>Branch</dt><dd>\(branch)</dd>\n" }
        if let tag = pipeline.tag { facts += "<dt>Tag</dt><dd>\(tag)</dd>\n" }
        facts += """
            <dt>Trigger</dt><dd>\(pipeline.trigger.rawValue)</dd>
            <dt>Created</dt><dd>\(Format.date(pipeline.createdAt))</dd>
            <dt>Duration</dt><dd>\(Format.duration(from: pipeline.startedAt, to: pipeline.finishedAt) ?? "—")</dd>
            <dt>Pipeline id</dt><dd class="mono">\(pipeline.uuid)</dd>

            """
        var body: HTML = "<dl class=\"facts\">\n\(facts)</dl>\n"
        if let message = pipeline.errorMessage {
            var text = message
            for diagnostic in pipeline.diagnostics { text += "\n" + diagnostic.formatted }
            body += "<div class=\"advice warning\" role=\"alert\"><pre>\(text)</pre></div>\n"
        }
        if detail.workflows.isEmpty { body += "<p>No workflow ran.</p>\n" }
        for workflow in detail.workflows {
            let workflowPlan = plan?.workflows.first { $0.name == workflow.workflow.name }
            body += """
                <section aria-labelledby="workflow-\(workflow.workflow.id)">
                <h2 id="workflow-\(workflow.workflow.id)">Workflow \(workflow.workflow.name) \(PageShell.status(workflow.workflow.status.rawValue))</h2>
                <figure>
                \(WorkflowGraph.svg(workflow, plan: workflowPlan, links: links))<figcaption>\(Format.duration(from: workflow.workflow.startedAt, to: workflow.workflow.finishedAt).map { "Took " + $0 + "." } ?? "")</figcaption>
                </figure>
                \(jobTable(workflow, plan: workflowPlan, links: links))</section>

                """
        }
        let isRunning = !pipeline.status.isFinal
        return PageShell.page(
            title: "\(pipeline.projectName) #\(pipeline.number)", links: links,
            crumbs: [
                PageShell.Crumb(
                    label: pipeline.projectName,
                    page: .project(id: pipeline.projectID, name: pipeline.projectName, page: nil)),
                PageShell.Crumb(label: "#\(pipeline.number)", page: nil),
            ], isRunning: isRunning, extras: extras, body: body)
    }

    /// The jobs of `workflow` as a table (the DAG's content, readable without the picture).
    private static func jobTable(_ workflow: WorkflowDetail, plan: WorkflowPlan?, links: PageLinks) -> HTML {
        let rows = workflow.jobs.map { detail -> HTML in
            let job = detail.job
            let link = links.url(.job(pipelineID: job.pipelineID, jobID: job.id))
            let node: HTML =
                job.parallelism > 1 ? " <span class=\"muted\">(\(job.nodeIndex + 1)/\(job.parallelism))</span>" : ""
            let requires = plan?.jobs.first { $0.name == job.name }?.requires.map(\.job).joined(separator: ", ") ?? ""
            var tests = ""
            if detail.tests.total > 0 { tests = "\(detail.tests.total) tests, \(detail.tests.failed) failed" }
            return """
                <tr><td><a href="\(link)">\(job.name)</a>\(node)</td><td>\(PageShell.status(job.status.rawValue))</td><td class="number">\(Format.duration(from: job.startedAt, to: job.finishedAt) ?? "—")</td><td>\(requires)</td><td>\(tests)</td></tr>
                """
        }
        return """
            <table>
            <thead><tr><th scope="col">Job</th><th scope="col">Status</th><th scope="col" class="number">Duration</th><th scope="col">Requires</th><th scope="col">Tests</th></tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>

            """
    }
}
