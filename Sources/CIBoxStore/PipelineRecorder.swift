// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation
import GRDB

/// Pipelines as they are recorded: a new pipeline with its workflows, job runs and steps, workflows added to a
/// continued setup pipeline, the stored plan, the next number; and (`PipelineRecorder+Status.swift`) the status
/// of pipelines and workflows as they run.
///
/// Lifecycle: a view of the open ``PipelineStore`` (`store.pipelines`) that holds only the shared writer.
/// Concurrency: safe from any task; a pipeline is written whole in one transaction on the shared writer, and
/// read back in a short read of its own.
/// Errors: ``StoreError`` `conflict` when a pipeline number is taken, `notFound` for a missing pipeline,
/// `database` when SQLite or the plan's JSON fails (the underlying error as its `cause`).
package struct PipelineRecorder: Sendable {
    /// The shared database.
    let database: StoreDatabase

    /// Writes a pipeline with its workflows, job runs (one per node of `parallelism`) and steps in one
    /// transaction. Jobs without requirements start `queued`, the others `blocked`. A pipeline with a
    /// ``NewPipeline/failure`` is recorded finished as `error`, with its message and diagnostics. The recording process owns
    /// the pipeline from that moment (it is the one that runs it), so a daemon starting meanwhile never takes
    /// it for the leftover of a crash.
    ///
    /// Numbering is part of that one (immediate) transaction: the number must not be below the project's next
    /// number, which then moves past it. Numbers only grow, so none is given twice, even after `cibox gc`
    /// deleted the pipelines that had them.
    /// - Returns: the recorded pipeline in full.
    /// - Throws: ``StoreError`` `conflict` when `number` is taken or below the project's next number (another
    ///   process recorded one meanwhile), `database` otherwise.
    package func record(_ new: NewPipeline) throws(StoreError) -> PipelineDetail {
        let planData: Data
        do {
            planData = try new.encodedPlan ?? JSONEncoder().encode(new.plan)
        } catch {
            throw StoreError(.database, "Cannot encode the plan of pipeline #\(new.number): \(error)", cause: error)
        }
        let what = new.takesNextNumber ? "record a pipeline" : "record pipeline #\(new.number)"
        let pipelineID: Int64 = try database.write(what) { db in
            let next = try Self.nextNumber(projectID: new.projectID, db: db)
            let number = new.takesNextNumber ? next : new.number
            if number < next, !new.numberIsReserved {
                throw StoreError(
                    .conflict, "Pipeline number \(number) is taken: the project's next number is \(next).")
            }
            try db.execute(
                sql: "UPDATE project SET nextPipelineNumber = ? WHERE id = ?",
                arguments: [max(next, number + 1), new.projectID])
            let now = Date()
            var pipeline = PipelineRecord(
                id: nil, projectId: new.projectID, number: number, uuid: new.uuid, revision: new.revision,
                treeID: new.treeID, branch: new.branch, tag: new.tag, trigger: new.trigger.rawValue,
                source: new.source.rawValue, status: PipelineStatus.queued.rawValue, configHash: new.configHash,
                plan: planData, errorMessage: nil, createdAt: now
            )
            if let failure = new.failure {
                pipeline.status = PipelineStatus.error.rawValue
                pipeline.errorMessage = failure.message
                pipeline.diagnostics = try JSONEncoder().encode(failure.diagnostics)
                pipeline.finishedAt = now
            }
            try pipeline.insert(db)
            let id = pipeline.id ?? 0
            if let owner = ProcessIdentity.current {
                try db.execute(
                    sql: "UPDATE pipeline SET ownerPid = ?, ownerStartTime = ? WHERE id = ?",
                    arguments: [owner.pid, owner.startTime, id])
            }
            if let seen = new.seenRef {
                try db.execute(
                    sql: """
                        INSERT INTO projectRef (projectId, ref, sha) VALUES (?, ?, ?)
                        ON CONFLICT (projectId, ref) DO UPDATE SET sha = excluded.sha
                        """,
                    arguments: [new.projectID, seen.ref, seen.sha]
                )
            }
            for (position, workflow) in new.plan.workflows.enumerated() {
                try insert(workflow, position: position, pipelineID: id, db: db)
            }
            return id
        }
        guard let detail = try HistoryStore(database: database).pipelineDetail(id: pipelineID) else {
            throw StoreError(.notFound, "Pipeline \(pipelineID) vanished right after it was recorded.")
        }
        return detail
    }

    private func insert(_ workflow: WorkflowPlan, position: Int, pipelineID: Int64, db: Database) throws {
        var record = WorkflowRecord(
            id: nil, pipelineId: pipelineID, name: workflow.name, position: position,
            status: PipelineStatus.queued.rawValue
        )
        try record.insert(db)
        for (jobPosition, job) in workflow.jobs.enumerated() {
            let parallelism = max(1, job.spec?.parallelism ?? 1)
            for node in 0..<parallelism {
                var jobRecord = JobRecord(
                    id: nil, workflowId: record.id ?? 0, pipelineId: pipelineID, name: job.name, position: jobPosition,
                    nodeIndex: node, parallelism: parallelism, attempt: 1,
                    status: (job.requires.isEmpty ? JobStatus.queued : .blocked).rawValue,
                    executor: job.spec?.executor.displayName ?? "approval", resourceClass: job.spec?.resourceClass
                )
                try jobRecord.insert(db)
                for (index, step) in (job.spec?.steps ?? []).enumerated() {
                    var stepRecord = StepRecord(
                        id: nil, jobId: jobRecord.id ?? 0, position: index, name: step.name,
                        status: StepStatus.queued.rawValue, logBytes: 0
                    )
                    try stepRecord.insert(db)
                }
            }
        }
    }

    /// Adds the workflows of `plan` to pipeline `pipelineID` (a continued setup pipeline), after its own, and
    /// stores the combined plan.
    /// - Returns: the pipeline with only the added workflows.
    /// - Throws: ``StoreError``.
    package func appendWorkflows(of plan: Plan, to pipelineID: Int64) throws(StoreError) -> PipelineDetail {
        var combined = try self.plan(pipelineID: pipelineID)
        combined.workflows += plan.workflows
        let planData: Data
        do {
            planData = try JSONEncoder().encode(combined)
        } catch {
            throw StoreError(.database, "Cannot encode the plan of pipeline \(pipelineID): \(error)", cause: error)
        }
        let firstPosition: Int = try database.write("continue pipeline \(pipelineID)") { db in
            let count = try WorkflowRecord.filter(Column("pipelineId") == pipelineID).fetchCount(db)
            for (offset, workflow) in plan.workflows.enumerated() {
                try insert(workflow, position: count + offset, pipelineID: pipelineID, db: db)
            }
            try db.execute(sql: "UPDATE pipeline SET plan = ? WHERE id = ?", arguments: [planData, pipelineID])
            return count
        }
        guard var detail = try HistoryStore(database: database).pipelineDetail(id: pipelineID) else {
            throw StoreError(.notFound, "Pipeline \(pipelineID) vanished while it was continued.")
        }
        detail.workflows = detail.workflows.filter { $0.workflow.position >= firstPosition }
        return detail
    }

    /// The plan stored with pipeline `id`.
    package func plan(pipelineID id: Int64) throws(StoreError) -> Plan {
        let data = try database.read("read the plan of pipeline \(id)") { db in
            try Data.fetchOne(db, sql: "SELECT plan FROM pipeline WHERE id = ?", arguments: [id])
        }
        guard let data else { throw StoreError(.notFound, "No pipeline with id \(id).") }
        do {
            return try JSONDecoder().decode(Plan.self, from: data)
        } catch {
            throw StoreError(.database, "The plan of pipeline \(id) cannot be read: \(error)", cause: error)
        }
    }

    /// Takes the project's next number for a pipeline that will be recorded with it (``NewPipeline/numberIsReserved``):
    /// for a config whose plan uses its number, compiled while other processes record pipelines of the project.
    /// A reserved number that is never recorded (the compile failed) is a gap; numbers still only grow.
    /// - Throws: ``StoreError`` `notFound` for an unknown project, `database` otherwise.
    package func reserveNumber(projectID: Int64) throws(StoreError) -> Int {
        try database.write("reserve a pipeline number") { db in
            let next = try Self.nextNumber(projectID: projectID, db: db)
            try db.execute(
                sql: "UPDATE project SET nextPipelineNumber = ? WHERE id = ?", arguments: [next + 1, projectID])
            return next
        }
    }

    /// The number the next pipeline of `projectID` will get (unless another process records one first).
    package func nextPipelineNumber(projectID: Int64) throws(StoreError) -> Int {
        try database.read("number the next pipeline") { db in try Self.nextNumber(projectID: projectID, db: db) }
    }

    /// The project's next number: its counter, or past its highest pipeline if a pipeline was recorded without
    /// moving the counter (by a cibox from before the counter).
    private static func nextNumber(projectID: Int64, db: Database) throws -> Int {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT project.nextPipelineNumber AS counter,
                    (SELECT MAX(number) FROM pipeline WHERE projectId = project.id) AS highest
                FROM project WHERE project.id = ?
                """,
            arguments: [projectID])
        guard let row else { throw StoreError(.notFound, "No project with id \(projectID).") }
        let counter: Int = row["counter"]
        let highest: Int? = row["highest"]
        return max(counter, (highest ?? 0) + 1)
    }
}
