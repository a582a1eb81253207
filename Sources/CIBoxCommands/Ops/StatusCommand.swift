// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxEngine
import CIBoxModel
import CIBoxPresentation
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
        let status = try StatusReport.make(store: store, settings: settings, machine: SettingsFile.machineCapacity)
        if json {
            Terminal.output(json: status.json)
            return
        }
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
        let projects = status.projects
        Terminal.output("Projects: \(projects.isEmpty ? "none" : projects.map(\.name).joined(separator: ", ")).\n")
    }

    private static func cpus(_ millicores: Int) -> String {
        millicores % 1000 == 0 ? String(millicores / 1000) : String(Double(millicores) / 1000)
    }
}
