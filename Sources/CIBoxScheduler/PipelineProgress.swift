// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxBasics
package import CIBoxModel

/// The pure progress of one pipeline: which job runs may start, which can never run, and the resulting
/// workflow and pipeline statuses. Events in, status changes out; no I/O, no clock.
package struct PipelineProgress: Sendable {
    /// One job run as the progress sees it.
    package struct Entry: Sendable, Equatable {
        package var id: Int64
        package var workflow: Int
        package var name: String
        package var kind: JobKind
        package var requires: [Requirement]
        package var status: JobStatus
    }

    /// All job runs, in plan order.
    package private(set) var entries: [Entry]
    /// The number of workflows.
    package let workflowCount: Int

    /// Makes the progress of `detail`, whose jobs follow `plan` (same workflow and job order).
    package init(detail: PipelineDetail, plan: Plan) {
        var entries: [Entry] = []
        for (workflowIndex, workflow) in detail.workflows.enumerated() {
            let jobPlans = plan.workflows.first { $0.name == workflow.workflow.name }?.jobs ?? []
            for job in workflow.jobs {
                let jobPlan = jobPlans.first { $0.name == job.job.name }
                entries.append(
                    Entry(
                        id: job.job.id, workflow: workflowIndex, name: job.job.name, kind: jobPlan?.kind ?? .build,
                        requires: jobPlan?.requires ?? [], status: job.job.status
                    ))
            }
        }
        self.entries = entries
        self.workflowCount = detail.workflows.count
    }

    /// The status of job run `id`.
    package func status(of id: Int64) -> JobStatus? {
        entries.first { $0.id == id }?.status
    }

    /// Applies `event` to job run `id` and returns the job runs whose status changed (it first, then any
    /// dependents that became ready, on hold or not run).
    /// - Throws: ``InternalError`` for an unknown job run or an illegal transition.
    @discardableResult
    package mutating func apply(_ event: JobStateMachine.Event, to id: Int64) throws(InternalError) -> [Entry] {
        guard let index = entries.firstIndex(where: { $0.id == id }) else {
            throw InternalError("no job run \(id) in this pipeline")
        }
        entries[index].status = try JobStateMachine.next(entries[index].status, on: event)
        return [entries[index]] + (try propagate())
    }

    /// Moves blocked job runs whose requirements are settled to queued, on hold or not run, until nothing
    /// changes; returns the changed entries. Call once after init to settle jobs without requirements.
    package mutating func propagate() throws(InternalError) -> [Entry] {
        var changed: [Entry] = []
        var didChange = true
        while didChange {
            didChange = false
            for index in entries.indices where entries[index].status == .blocked || isFreshApproval(index) {
                guard let event = settle(entries[index]) else { continue }
                entries[index].status = try JobStateMachine.next(entries[index].status, on: event)
                changed.append(entries[index])
                didChange = true
            }
        }
        return changed
    }

    private func isFreshApproval(_ index: Int) -> Bool {
        entries[index].kind == .approval && entries[index].status == .queued
    }

    /// What a blocked entry's requirements say now: met, failed, or not yet (nil).
    private func settle(_ entry: Entry) -> JobStateMachine.Event? {
        for requirement in entry.requires {
            let runs = entries.filter { $0.workflow == entry.workflow && $0.name == requirement.job }
            guard !runs.isEmpty else { return .requirementFailed }
            guard runs.allSatisfy({ $0.status.isFinal }) else { return nil }
            let combined = Self.combined(runs.map(\.status))
            if !requirement.statuses.contains(combined) { return .requirementFailed }
        }
        return .requirementsMet(isApproval: entry.kind == .approval)
    }

    /// The status of a job with several runs: failed if any failed, else canceled if any, else not run if
    /// any, else success.
    package static func combined(_ statuses: [JobStatus]) -> JobStatus {
        for status in [JobStatus.failed, .interrupted, .canceled, .notRun] where statuses.contains(status) {
            return status == .interrupted ? .failed : status
        }
        return .success
    }

    /// Job runs that may start now, in plan order.
    package var startable: [Int64] {
        entries.filter { $0.status == .queued && $0.kind == .build }.map(\.id)
    }

    /// Whether no job run will change any more without outside help (all final, or only holds left).
    package var isSettled: Bool {
        entries.allSatisfy { $0.status.isFinal || $0.status == .onHold }
    }

    /// The status of workflow `index`.
    package func workflowStatus(_ index: Int) -> WorkflowStatus {
        Self.aggregate(entries.filter { $0.workflow == index }.map(\.status))
    }

    /// The pipeline's status from its job runs.
    package var pipelineStatus: PipelineStatus {
        let workflows = (0..<workflowCount).map(workflowStatus)
        if workflows.contains(.running) { return .running }
        if workflows.contains(.queued) { return workflows.contains(where: \.isFinal) ? .running : .queued }
        if workflows.contains(.onHold) { return .onHold }
        for status in [PipelineStatus.error, .failed, .canceled] where workflows.contains(status) { return status }
        return .success
    }

    /// The status of a set of job runs seen as a workflow. A job that did not run because of a status
    /// requirement (for example `requires: [a: failed]` when `a` passed) does not fail its workflow.
    static func aggregate(_ statuses: [JobStatus]) -> WorkflowStatus {
        if statuses.contains(.running) { return .running }
        if statuses.contains(.queued) {
            return statuses.contains(where: { $0.isFinal || $0 == .onHold }) ? .running : .queued
        }
        // Nothing runs or waits for a slot: blocked jobs can only be waiting for an approval.
        if statuses.contains(.onHold) { return .onHold }
        if statuses.contains(.blocked) { return .running }
        if statuses.contains(.failed) || statuses.contains(.interrupted) { return .failed }
        if statuses.contains(.canceled) { return .canceled }
        return .success
    }
}
