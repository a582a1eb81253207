// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxBasics
package import CIBoxModel
package import CIBoxStore

/// What runs now, what waits, how much of the machine is in use, and which projects are known: `cibox status`, and
/// the HTTP API's `GET status`.
package struct StatusReport: Sendable {
    /// A running or queued job run with the slot its resource class takes.
    package struct Entry: Sendable {
        /// The job run and its pipeline.
        package var active: ActiveJob
        /// Its resource class, as settings and the capacity size it.
        package var slot: ResourceClass
    }

    /// Running and queued job runs, oldest first.
    package var jobs: [Entry]
    /// What the slots share.
    package var capacity: Capacity
    /// What the running job runs of this machine take (cluster jobs take nothing of it).
    package var inUse: Capacity
    /// The projects cibox knows.
    package var projects: [Project]

    /// The status of `store` under `settings`.
    /// - Parameter machine: this machine's cores and memory, the capacity when settings give none.
    /// - Throws: ``StoreError`` when the history cannot be read.
    package static func make(store: PipelineStore, settings: Settings, machine: Capacity) throws(StoreError)
        -> StatusReport
    {
        let capacity = settings.capacity ?? machine
        let jobs = try store.history.activeJobs().map { active in
            Entry(active: active, slot: settings.resourceClass(named: active.job.resourceClass, capacity: capacity).0)
        }
        let running = jobs.filter { $0.active.job.status == .running && $0.active.job.executorReference == nil }
        let inUse = Capacity(
            millicores: running.reduce(0) { $0 + $1.slot.millicores },
            memoryBytes: running.reduce(0) { $0 + $1.slot.memoryBytes })
        return StatusReport(jobs: jobs, capacity: capacity, inUse: inUse, projects: try store.projects.projects())
    }

    /// The `--json` object: `{jobs, capacity, in_use, projects}`.
    package var json: JSONValue {
        .object([
            ("jobs", .array(jobs.map(Self.object))),
            ("capacity", Self.object(capacity)),
            ("in_use", Self.object(inUse)),
            ("projects", .array(projects.map { .object([("name", .string($0.name)), ("path", .string($0.path))]) })),
        ])
    }

    private static func object(_ entry: Entry) -> JSONValue {
        let job = entry.active.job
        return .object([
            ("id", .int(job.id)),
            ("pipeline_id", .int(job.pipelineID)),
            ("pipeline_number", .int(entry.active.pipelineNumber)),
            ("project", .string(entry.active.projectName)),
            ("name", .string(job.name)),
            ("status", .string(job.status.rawValue)),
            ("started_at", .string(job.startedAt?.iso8601)),
            ("resource_class", .string(entry.slot.name)),
            (
                "slot",
                .object([("millicores", .int(entry.slot.millicores)), ("memory_bytes", .int(entry.slot.memoryBytes))])
            ),
            ("executor_ref", .string(job.executorReference)),
        ])
    }

    private static func object(_ capacity: Capacity) -> JSONValue {
        .object([("millicores", .int(capacity.millicores)), ("memory_bytes", .int(capacity.memoryBytes))])
    }
}
