// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxEngine
import CIBoxModel
import CIBoxPresentation
import CIBoxRegistry
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
        if json {
            Terminal.output(json: try Self.json(store: store, settings: settings, home: global.homeDirectory))
            return
        }
        let status = try StatusReport.make(store: store, settings: settings, machine: SettingsFile.machineCapacity)
        let pulls = PullBoard(storeFolder: settings.storageDirectory(home: global.homeDirectory) + "/images").current()
        if status.jobs.isEmpty { Terminal.output("No running or queued jobs.\n") }
        for entry in status.jobs {
            let (job, slot) = (entry.active.job, entry.slot)
            Terminal.output(
                "\(job.id)\t\(entry.active.projectName) #\(entry.active.pipelineNumber)\t\(job.name)\t"
                    + "\(job.status.rawValue)\t\(job.startedAt?.iso8601 ?? "-")\t\(slot.name) "
                    + "(\(Self.cpus(slot.millicores)) CPU, \(ByteCount.format(slot.memoryBytes)))"
                    + (job.executorReference.map { " on \($0)" } ?? "") + "\n")
        }
        let (inUse, capacity) = (status.inUse, status.capacity)
        Terminal.output(
            "Capacity: \(Self.cpus(inUse.millicores)) of \(Self.cpus(capacity.millicores)) CPUs, "
                + "\(ByteCount.format(inUse.memoryBytes)) of \(ByteCount.format(capacity.memoryBytes)) in use.\n")
        for pull in pulls {
            let started = Date(timeIntervalSince1970: pull.startedAt)
            Terminal.output(
                "Pulling \(pull.reference) (\(pull.digest)) since \(started.iso8601): \(pull.layersDone) of "
                    + "\(pull.layers) layers, \(ByteCount.format(pull.bytesDone)) of \(ByteCount.format(pull.bytes)).\n"
            )
        }
        let projects = status.projects
        Terminal.output("Projects: \(projects.isEmpty ? "none" : projects.map(\.name).joined(separator: ", ")).\n")
    }

    /// What `cibox status --json` prints (and the daemon's `GET /api/v1/status` serves) for the home `home`.
    static func json(store: PipelineStore, settings: Settings, home: String) throws -> JSONValue {
        let status = try StatusReport.make(store: store, settings: settings, machine: SettingsFile.machineCapacity)
        let pulls = PullBoard(storeFolder: settings.storageDirectory(home: home) + "/images").current()
        guard case .object(let fields) = status.json else { return status.json }
        return .object(fields + [("pulls", .array(pulls.map(Self.object)))])
    }

    /// The `--json` shape of a pull in progress.
    static func object(_ pull: PullStatus) -> JSONValue {
        .object([
            ("reference", .string(pull.reference)), ("digest", .string(pull.digest)), ("pid", .int(Int64(pull.pid))),
            ("started_at", .string(Date(timeIntervalSince1970: pull.startedAt).iso8601)),
            ("layers", .int(Int64(pull.layers))), ("layers_done", .int(Int64(pull.layersDone))),
            ("bytes", .int(pull.bytes)), ("bytes_done", .int(pull.bytesDone)),
        ])
    }

    private static func cpus(_ millicores: Int) -> String {
        millicores % 1000 == 0 ? String(millicores / 1000) : String(Double(millicores) / 1000)
    }
}
