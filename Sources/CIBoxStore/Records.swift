// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import Foundation
import GRDB

// One Codable record per table; they map to CIBoxModel values at the store's boundary.

struct ProjectRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "project"
    var id: Int64?
    var name: String
    var path: String
    var createdAt: Date

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var model: Project { Project(id: id ?? 0, name: name, path: path, createdAt: createdAt) }

    /// Every project's name by its id (pipelines carry their project's name).
    static func namesByID(_ db: Database) throws -> [Int64: String] {
        var names: [Int64: String] = [:]
        for project in try fetchAll(db) { names[project.id ?? 0] = project.name }
        return names
    }
}

/// A branch or tag of a project as last seen by cibox (`projectRef` table).
struct ProjectRefRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "projectRef"
    var id: Int64?
    var projectId: Int64
    var ref: String
    var sha: String

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

struct PipelineRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "pipeline"
    var id: Int64?
    var projectId: Int64
    var number: Int
    var uuid: String
    var revision: String
    var treeID: String
    var branch: String?
    var tag: String?
    var trigger: String
    var source: String
    var status: String
    var configHash: String
    var plan: Data
    var errorMessage: String?
    /// ``Diagnostic``s as JSON, for a pipeline whose config is invalid.
    var diagnostics: Data?
    var createdAt: Date
    var startedAt: Date?
    var finishedAt: Date?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    func model(projectName: String) -> Pipeline {
        Pipeline(
            id: id ?? 0, projectID: projectId, projectName: projectName, number: number, uuid: uuid,
            revision: revision, treeID: treeID, branch: branch, tag: tag,
            trigger: TriggerKind(rawValue: trigger) ?? .manual, source: SourceKind(rawValue: source) ?? .commit,
            status: PipelineStatus(rawValue: status) ?? .error, configHash: configHash, errorMessage: errorMessage,
            diagnostics: diagnostics.flatMap { try? JSONDecoder().decode([Diagnostic].self, from: $0) } ?? [],
            createdAt: createdAt, startedAt: startedAt, finishedAt: finishedAt
        )
    }
}

struct WorkflowRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "workflow"
    var id: Int64?
    var pipelineId: Int64
    var name: String
    var position: Int
    var status: String
    var startedAt: Date?
    var finishedAt: Date?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var model: Workflow {
        Workflow(
            id: id ?? 0, pipelineID: pipelineId, name: name, position: position,
            status: WorkflowStatus(rawValue: status) ?? .error, startedAt: startedAt, finishedAt: finishedAt
        )
    }
}

struct JobRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "job"
    var id: Int64?
    var workflowId: Int64
    var pipelineId: Int64
    var name: String
    var position: Int
    var nodeIndex: Int
    var parallelism: Int
    var attempt: Int
    var status: String
    var executor: String
    var resourceClass: String?
    var exitCode: Int?
    var failureReason: String?
    var failureMessage: String?
    var startedAt: Date?
    var finishedAt: Date?
    var isolation: String?
    var cpuSeconds: Double?
    var peakMemoryBytes: Int64?
    var oomKills: Int?
    var memoryLimitBytes: Int64?
    var millicoresLimit: Int?
    var cancelRequestedAt: Date?
    var executorRef: String?
    var pidsLimitHits: Int?
    var pidsLimit: Int?
    var imageReference: String?
    var imageDigest: String?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var model: Job {
        Job(
            id: id ?? 0, workflowID: workflowId, pipelineID: pipelineId, name: name, position: position,
            nodeIndex: nodeIndex, parallelism: parallelism, attempt: attempt,
            status: JobStatus(rawValue: status) ?? .interrupted, executor: executor, resourceClass: resourceClass,
            exitCode: exitCode, failureReason: failureReason.flatMap(FailureReason.init(rawValue:)),
            failureMessage: failureMessage, startedAt: startedAt, finishedAt: finishedAt,
            resources: JobResources(
                isolation: isolation, cpuSeconds: cpuSeconds, peakMemoryBytes: peakMemoryBytes, oomKills: oomKills,
                memoryLimitBytes: memoryLimitBytes, millicoresLimit: millicoresLimit, pidsLimitHits: pidsLimitHits,
                pidsLimit: pidsLimit
            ),
            cancelRequestedAt: cancelRequestedAt, executorReference: executorRef,
            image: imageReference.flatMap { reference in
                imageDigest.map { JobImage(reference: reference, digest: $0) }
            }
        )
    }
}

struct StepRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "step"
    var id: Int64?
    var jobId: Int64
    var position: Int
    var name: String
    var status: String
    var exitCode: Int?
    var logBytes: Int64
    var startedAt: Date?
    var finishedAt: Date?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    var model: Step {
        Step(
            id: id ?? 0, jobID: jobId, index: position, name: name,
            status: StepStatus(rawValue: status) ?? .interrupted,
            exitCode: exitCode, logBytes: logBytes, startedAt: startedAt, finishedAt: finishedAt
        )
    }
}

struct TestCaseRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "testCase"
    var id: Int64?
    var jobId: Int64
    var suite: String
    var className: String
    var name: String
    var file: String?
    var duration: Double
    var result: String
    var message: String?

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    init(jobID: Int64, _ testCase: TestCase) {
        self.jobId = jobID
        self.suite = testCase.suite
        self.className = testCase.className
        self.name = testCase.name
        self.file = testCase.file
        self.duration = testCase.duration
        self.result = testCase.result.rawValue
        self.message = testCase.message
    }

    var model: TestCase {
        TestCase(
            suite: suite, className: className, name: name, file: file, duration: duration,
            result: TestCaseResult(rawValue: result) ?? .error, message: message
        )
    }
}
