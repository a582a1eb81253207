// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxBasics
package import CIBoxExecutor
package import CIBoxModel
import Foundation

/// The `--json` shapes of pipelines, workflows, job runs and steps, shared by the CLI and the HTTP API. Fields are
/// only ever added, never renamed.
package enum PipelineJSON {
    /// A pipeline without its workflows (`cibox pipelines --json`).
    package static func summary(_ pipeline: Pipeline) -> JSONValue {
        .object(summaryMembers(pipeline))
    }

    /// A pipeline with its workflows, job runs and steps (`cibox run --json`, `cibox show --json`).
    /// - Parameters:
    ///   - detail: the pipeline.
    ///   - artifacts: the stored artifacts of a job run (`ArtifactStore(home:).list`); none by default.
    package static func detail(
        _ detail: PipelineDetail, artifacts: (Int64) -> [ArtifactFile] = { _ in [] }
    ) -> JSONValue {
        let workflows = detail.workflows.map { workflow($0, artifacts: artifacts) }
        return .object(summaryMembers(detail.pipeline) + [("workflows", .array(workflows))])
    }

    /// A project as `cibox project list --json` prints it: its refs are the branches and tags it has seen.
    package static func project(_ project: Project, refs: Int) -> JSONValue {
        .object([
            ("id", .int(Int(project.id))),
            ("name", .string(project.name)),
            ("path", .string(project.path)),
            ("refs", .int(refs)),
            ("created_at", .string(project.createdAt.iso8601)),
        ])
    }

    /// Pipeline `detail` as `cibox show --json` prints it: with the artifacts stored under `storageDirectory`.
    package static func shown(_ detail: PipelineDetail, storageDirectory: String) -> JSONValue {
        self.detail(detail, artifacts: ArtifactStore(home: storageDirectory).list)
    }

    /// One stored artifact: `{path, size}`.
    package static func artifact(_ file: ArtifactFile) -> JSONValue {
        .object([("path", .string(file.path)), ("size", .int(file.size))])
    }

    private static func summaryMembers(_ pipeline: Pipeline) -> [(String, JSONValue)] {
        [
            ("id", .int(pipeline.id)),
            ("project", .string(pipeline.projectName)),
            ("number", .int(Int64(pipeline.number))),
            ("revision", .string(pipeline.revision)),
            ("source", .string(pipeline.source.rawValue)),
            ("source_text", .string(pipeline.sourceText())),
            ("branch", .string(pipeline.branch)),
            ("trigger", .string(pipeline.trigger.rawValue)),
            ("status", .string(pipeline.status.rawValue)),
            ("error_message", .string(pipeline.errorMessage)),
            ("diagnostics", .array(pipeline.diagnostics.map(diagnostic))),
            ("created_at", .string(pipeline.createdAt.iso8601)),
            ("started_at", .string(pipeline.startedAt?.iso8601)),
            ("finished_at", .string(pipeline.finishedAt?.iso8601)),
        ]
    }

    /// One diagnostic of an invalid config: `{file, line, column, severity, message, hint}`.
    private static func diagnostic(_ diagnostic: Diagnostic) -> JSONValue {
        .object([
            ("file", .string(diagnostic.location.file)),
            ("line", .int(Int64(diagnostic.location.line))),
            ("column", .int(Int64(diagnostic.location.column))),
            ("severity", .string(diagnostic.severity.rawValue)),
            ("message", .string(diagnostic.message)),
            ("hint", .string(diagnostic.hint)),
        ])
    }

    private static func workflow(_ detail: WorkflowDetail, artifacts: (Int64) -> [ArtifactFile]) -> JSONValue {
        .object([
            ("id", .int(detail.workflow.id)),
            ("name", .string(detail.workflow.name)),
            ("status", .string(detail.workflow.status.rawValue)),
            ("jobs", .array(detail.jobs.map { job($0, artifacts: artifacts($0.job.id)) })),
        ])
    }

    /// One job run with its steps, tests and artifacts, as in a pipeline's `workflows[].jobs[]`.
    package static func job(_ detail: JobDetail, artifacts: [ArtifactFile]) -> JSONValue {
        let job = detail.job
        return .object([
            ("id", .int(job.id)),
            ("name", .string(job.name)),
            ("status", .string(job.status.rawValue)),
            ("node_index", .int(Int64(job.nodeIndex))),
            ("parallelism", .int(Int64(job.parallelism))),
            ("attempt", .int(Int64(job.attempt))),
            ("started_at", .string(job.startedAt?.iso8601)),
            ("finished_at", .string(job.finishedAt?.iso8601)),
            ("exit_code", .int(job.exitCode)),
            ("failure_reason", .string(job.failureReason?.rawValue)),
            ("failure_message", .string(job.failureMessage)),
            ("resource_class", .string(job.resourceClass)),
            ("isolation", .string(job.resources.isolation)),
            ("image", job.image.map(image) ?? .null),
            ("cpu_seconds", job.resources.cpuSeconds.map { .double(($0 * 1000).rounded() / 1000) } ?? .null),
            ("peak_memory_bytes", .int(job.resources.peakMemoryBytes)),
            ("oom_kills", .int(job.resources.oomKills)),
            ("pids_limit_hits", .int(job.resources.pidsLimitHits)),
            ("limit_events", .array(job.resources.limitEvents.map { .string($0) })),
            ("tests", tests(detail.tests)),
            ("artifacts", .array(artifacts.map(artifact))),
            ("steps", .array(detail.steps.map(step))),
        ])
    }

    /// The image a job run ran in: `{reference, digest}`.
    private static func image(_ image: JobImage) -> JSONValue {
        .object([("reference", .string(image.reference)), ("digest", .string(image.digest))])
    }

    /// `{total, failed, skipped}`; `failed` counts failures and errors.
    private static func tests(_ counts: TestCounts) -> JSONValue {
        .object([
            ("total", .int(Int64(counts.total))),
            ("failed", .int(Int64(counts.failed))),
            ("skipped", .int(Int64(counts.skipped))),
        ])
    }

    private static func step(_ step: Step) -> JSONValue {
        .object([
            ("index", .int(Int64(step.index))),
            ("name", .string(step.name)),
            ("status", .string(step.status.rawValue)),
            ("exit_code", .int(step.exitCode)),
            ("log_bytes", .int(step.logBytes)),
        ])
    }
}
