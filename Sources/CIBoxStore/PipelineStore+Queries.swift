// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation
import GRDB

extension PipelineStore {
    /// Pipelines, newest first.
    /// - Parameters:
    ///   - projectID: only this project's, when given.
    ///   - limit: at most this many.
    package func pipelines(projectID: Int64? = nil, limit: Int = 50) throws(StoreError) -> [Pipeline] {
        try read("list pipelines") { db in
            var request = PipelineRecord.all()
            if let projectID { request = request.filter(Column("projectId") == projectID) }
            let records = try request.order(Column("id").desc).limit(limit).fetchAll(db)
            let names = try projectNames(db)
            return records.map { $0.model(projectName: names[$0.projectId] ?? "?") }
        }
    }

    /// Pipeline `id` with its workflows, job runs and steps, or nil when there is none.
    package func pipelineDetail(id: Int64) throws(StoreError) -> PipelineDetail? {
        try read("read pipeline \(id)") { db in
            guard let record = try PipelineRecord.fetchOne(db, key: id) else { return nil }
            let names = try projectNames(db)
            let workflows = try WorkflowRecord.filter(Column("pipelineId") == id).order(Column("position")).fetchAll(db)
            let jobs = try JobRecord.filter(Column("pipelineId") == id)
                .order(Column("position"), Column("nodeIndex"), Column("id")).fetchAll(db)
            let jobIDs = jobs.compactMap(\.id)
            let steps = try StepRecord.filter(jobIDs.contains(Column("jobId"))).order(Column("position")).fetchAll(db)
            let stepsByJob = Dictionary(grouping: steps.map(\.model), by: \.jobID)
            let tests = try Self.testCounts(jobIDs: jobIDs, db)
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

    /// The newest pipeline of `projectID` that passed on the commit source with tree `treeID` and config hash
    /// `configHash`, or nil: what verifies a push of the same tree without running it again.
    package func passedPipeline(projectID: Int64, treeID: String, configHash: String) throws(StoreError) -> Pipeline? {
        try read("look for a pipeline that passed on tree \(treeID)") { db in
            let record = try PipelineRecord.filter(
                Column("treeID") == treeID && Column("configHash") == configHash && Column("projectId") == projectID
                    && Column("status") == PipelineStatus.success.rawValue
                    && Column("source") == SourceKind.commit.rawValue
            ).order(Column("id").desc).fetchOne(db)
            guard let record else { return nil }
            return record.model(projectName: try projectNames(db)[record.projectId] ?? "?")
        }
    }

    /// Records that the compile inputs `key` gave `configHash` (see ``VerifiedTreeLookup``).
    package func rememberConfigHash(key: String, configHash: String) throws(StoreError) {
        try write("remember a compile") { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO compileMemo (key, configHash) VALUES (?, ?)",
                arguments: [key, configHash])
        }
    }

    /// Job run `id` with its steps, or nil.
    package func jobDetail(id: Int64) throws(StoreError) -> JobDetail? {
        try read("read job \(id)") { db in
            guard let job = try JobRecord.fetchOne(db, key: id) else { return nil }
            let steps = try StepRecord.filter(Column("jobId") == id).order(Column("position")).fetchAll(db)
            var detail = JobDetail(job: job.model, steps: steps.map(\.model))
            detail.tests = try Self.testCounts(jobIDs: [id], db)[id] ?? TestCounts()
            return detail
        }
    }

    private func projectNames(_ db: Database) throws -> [Int64: String] {
        var names: [Int64: String] = [:]
        for project in try ProjectRecord.fetchAll(db) { names[project.id ?? 0] = project.name }
        return names
    }
}
