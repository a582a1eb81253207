// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation
import GRDB

/// A queued or running job run, with what `cibox status` shows beside it.
package struct ActiveJob: Sendable, Equatable {
    /// The job run.
    package var job: Job
    /// Its pipeline's number within the project.
    package var pipelineNumber: Int
    /// Its project's name.
    package var projectName: String
}

/// What the command line shows of the history: pipelines newest first, one pipeline or job run in full (with
/// its steps and test counts), and the job runs queued or running now.
///
/// Lifecycle: a view of the open ``PipelineStore`` (`store.history`) that holds only the shared writer.
/// Concurrency: safe from any task; each method is one short read transaction, so what it returns is one
/// consistent moment even while the daemon writes.
/// Errors: ``StoreError`` `database` when SQLite fails (the underlying error as its `cause`); a missing pipeline
/// or job run is nil, not an error.
package struct HistoryStore: Sendable {
    /// The shared database.
    let database: StoreDatabase

    /// Pipelines, newest first.
    /// - Parameters:
    ///   - projectID: only this project's, when given.
    ///   - limit: at most this many.
    package func pipelines(projectID: Int64? = nil, limit: Int = 50) throws(StoreError) -> [Pipeline] {
        try database.read("list pipelines") { db in
            var request = PipelineRecord.all()
            if let projectID { request = request.filter(Column("projectId") == projectID) }
            let records = try request.order(Column("id").desc).limit(limit).fetchAll(db)
            let names = try ProjectRecord.namesByID(db)
            return records.map { $0.model(projectName: names[$0.projectId] ?? "?") }
        }
    }

    /// The status of pipeline `id` (one small read, for a process that follows it), or nil when there is none.
    package func pipelineStatus(id: Int64) throws(StoreError) -> PipelineStatus? {
        try database.read("read the status of pipeline \(id)") { db in
            try String.fetchOne(db, sql: "SELECT status FROM pipeline WHERE id = ?", arguments: [id])
                .flatMap(PipelineStatus.init(rawValue:))
        }
    }

    /// Pipeline `id` with its workflows, job runs and steps, or nil when there is none.
    package func pipelineDetail(id: Int64) throws(StoreError) -> PipelineDetail? {
        try database.read("read pipeline \(id)") { db in
            guard let record = try PipelineRecord.fetchOne(db, key: id) else { return nil }
            let names = try ProjectRecord.namesByID(db)
            let workflows = try WorkflowRecord.filter(Column("pipelineId") == id).order(Column("position")).fetchAll(db)
            let jobs = try JobRecord.filter(Column("pipelineId") == id)
                .order(Column("position"), Column("nodeIndex"), Column("id")).fetchAll(db)
            let jobIDs = jobs.compactMap(\.id)
            let steps = try StepRecord.filter(jobIDs.contains(Column("jobId"))).order(Column("position")).fetchAll(db)
            let stepsByJob = Dictionary(grouping: steps.map(\.model), by: \.jobID)
            let tests = try TestCaseStore.testCounts(jobIDs: jobIDs, db)
            let details = workflows.map { workflow in
                WorkflowDetail(
                    workflow: workflow.model,
                    jobs: jobs.filter { $0.workflowId == workflow.id }.map { job in
                        var detail = JobDetail(job: job.model, steps: stepsByJob[job.id ?? 0] ?? [])
                        detail.tests = tests[job.id ?? 0] ?? TestCounts()
                        return detail
                    }
                )
            }
            return PipelineDetail(
                pipeline: record.model(projectName: names[record.projectId] ?? "?"), workflows: details)
        }
    }

    /// Job run `id` with its steps, or nil.
    package func jobDetail(id: Int64) throws(StoreError) -> JobDetail? {
        try database.read("read job \(id)") { db in
            guard let job = try JobRecord.fetchOne(db, key: id) else { return nil }
            let steps = try StepRecord.filter(Column("jobId") == id).order(Column("position")).fetchAll(db)
            var detail = JobDetail(job: job.model, steps: steps.map(\.model))
            detail.tests = try TestCaseStore.testCounts(jobIDs: [id], db)[id] ?? TestCounts()
            return detail
        }
    }

    /// Queued and running job runs, running first, then by id.
    package func activeJobs() throws(StoreError) -> [ActiveJob] {
        try database.read("list active jobs") { db in
            let jobs = try JobRecord.filter(
                [JobStatus.running.rawValue, JobStatus.queued.rawValue].contains(
                    Column("status"))
            ).order(Column("id")).fetchAll(db)
            var pipelines: [Int64: (Int, String)] = [:]
            for pipelineID in Set(jobs.map(\.pipelineId)) {
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT pipeline.number, project.name FROM pipeline JOIN project ON project.id = pipeline.projectId
                        WHERE pipeline.id = ?
                        """, arguments: [pipelineID])
                if let row { pipelines[pipelineID] = (row[0], row[1]) }
            }
            let active = jobs.map { record in
                ActiveJob(
                    job: record.model, pipelineNumber: pipelines[record.pipelineId]?.0 ?? 0,
                    projectName: pipelines[record.pipelineId]?.1 ?? "?")
            }
            return active.filter { $0.job.status == .running } + active.filter { $0.job.status != .running }
        }
    }
}
