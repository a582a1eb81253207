// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxEngine
import CIBoxModel
import CIBoxSettings
import CIBoxStore
import Foundation

/// `cibox status`: what runs now, what waits, how much of the machine is in use, which projects are known.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show running and queued jobs, capacity in use and the projects watched.",
        discussion: "A job's slot is its resource class as settings.yml and the capacity size it."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print a JSON object on standard output.")
    var json = false

    func run() throws {
        let store = try HistoryAccess.open(global)
        let settings = try HistoryAccess.settings(global)
        let capacity = settings.capacity ?? SettingsFile.machineCapacity
        let jobs = try store.activeJobs().map { active in
            (active, settings.resourceClass(named: active.job.resourceClass, capacity: capacity).0)
        }
        // Job runs on a cluster take nothing of this machine.
        let running = jobs.filter { $0.0.job.status == .running && $0.0.job.executorReference == nil }
        let inUse = Capacity(
            millicores: running.reduce(0) { $0 + $1.1.millicores },
            memoryBytes: running.reduce(0) { $0 + $1.1.memoryBytes })
        let projects = try store.projects()
        if json {
            let object = JSONValue.object([
                ("jobs", .array(jobs.map { Self.object($0.0, slot: $0.1) })),
                ("capacity", Self.object(capacity)),
                ("in_use", Self.object(inUse)),
                (
                    "projects",
                    .array(projects.map { .object([("name", .string($0.name)), ("path", .string($0.path))]) })
                ),
            ])
            Terminal.output(object.rendered() + "\n")
            return
        }
        if jobs.isEmpty { Terminal.output("No running or queued jobs.\n") }
        for (active, slot) in jobs {
            let job = active.job
            Terminal.output(
                "\(job.id)\t\(active.projectName) #\(active.pipelineNumber)\t\(job.name)\t\(job.status.rawValue)\t"
                    + "\(job.startedAt?.iso8601 ?? "-")\t\(slot.name) (\(Self.cpus(slot.millicores)) CPU, "
                    + "\(ByteCount.format(slot.memoryBytes)))"
                    + (job.executorReference.map { " on \($0)" } ?? "") + "\n")
        }
        Terminal.output(
            "Capacity: \(Self.cpus(inUse.millicores)) of \(Self.cpus(capacity.millicores)) CPUs, "
                + "\(ByteCount.format(inUse.memoryBytes)) of \(ByteCount.format(capacity.memoryBytes)) in use.\n")
        Terminal.output("Projects: \(projects.isEmpty ? "none" : projects.map(\.name).joined(separator: ", ")).\n")
    }

    private static func object(_ active: ActiveJob, slot: ResourceClass) -> JSONValue {
        let job = active.job
        return .object([
            ("id", .int(job.id)),
            ("pipeline_id", .int(job.pipelineID)),
            ("pipeline_number", .int(active.pipelineNumber)),
            ("project", .string(active.projectName)),
            ("name", .string(job.name)),
            ("status", .string(job.status.rawValue)),
            ("started_at", .string(job.startedAt?.iso8601)),
            ("resource_class", .string(slot.name)),
            ("slot", .object([("millicores", .int(slot.millicores)), ("memory_bytes", .int(slot.memoryBytes))])),
            ("executor_ref", .string(job.executorReference)),
        ])
    }

    private static func object(_ capacity: Capacity) -> JSONValue {
        .object([("millicores", .int(capacity.millicores)), ("memory_bytes", .int(capacity.memoryBytes))])
    }

    private static func cpus(_ millicores: Int) -> String {
        millicores % 1000 == 0 ? String(millicores / 1000) : String(Double(millicores) / 1000)
    }
}
