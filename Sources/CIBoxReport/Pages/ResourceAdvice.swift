// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import Foundation

/// What a job run used against what it was allowed, and what `resource_class` would fit it better.
enum ResourceAdvice {
    /// One piece of advice.
    struct Note: Equatable {
        /// The advice, as a sentence.
        var text: String
        /// Whether it warns (killed, or close to the limit) rather than suggests.
        var isWarning: Bool
    }

    /// Headroom kept above the peak when picking a class: 25%.
    private static let headroom = 1.25

    /// The advice for `job`, empty when it did not run or nothing was measured.
    static func notes(for job: Job) -> [Note] {
        let resources = job.resources
        let current = job.resourceClass ?? "medium"
        var notes: [Note] = []
        if let kills = resources.oomKills, kills > 0 {
            let bigger = smallestClass(fitting: Double(resources.memoryLimitBytes ?? 0) * 2)
            notes.append(
                Note(
                    text: "The job was killed for memory (\(kills) OOM kill(s)) at its limit"
                        + (resources.memoryLimitBytes.map { " of " + Format.bytes($0) } ?? "")
                        + ". Give it more: resource_class \(bigger?.name ?? "a larger class").",
                    isWarning: true))
        }
        if let hits = resources.pidsLimitHits, hits > 0 {
            notes.append(
                Note(
                    text: "The kernel refused to start a process \(hits == 1 ? "once" : "\(hits) times") at the job's "
                        + "pids limit" + (resources.pidsLimit.map { " of \($0)" } ?? "")
                        + ". Start fewer processes at once, or raise `pids` of resource class \(current) in settings.yml.",
                    isWarning: true))
        }
        guard let peak = resources.peakMemoryBytes, peak > 0 else { return notes }
        let killedBy = Settings.builtInClasses.filter { $0.memoryBytes < peak }.map(\.name)
        if !killedBy.isEmpty {
            notes.append(
                Note(
                    text:
                        "Peak \(Format.bytes(peak)): resource_class \(killedBy.joined(separator: ", ")) would be killed.",
                    isWarning: false))
        }
        if let limit = resources.memoryLimitBytes, limit > 0 {
            let share = Double(peak) / Double(limit)
            let fitting = smallestClass(fitting: Double(peak) * headroom)
            if share > 0.8, resources.oomKills ?? 0 == 0 {
                notes.append(
                    Note(
                        text: "Peak memory is \(Int((share * 100).rounded()))% of the limit: close to being killed; "
                            + "consider resource_class \(smallestClass(fitting: Double(limit) * headroom)?.name ?? "larger").",
                        isWarning: true))
            } else if let fitting, fitting.memoryBytes < limit, fitting.name != current {
                notes.append(
                    Note(
                        text:
                            "Peak memory is \(Int((share * 100).rounded()))% of the limit: resource_class \(fitting.name) "
                            + "(\(Format.bytes(fitting.memoryBytes))) would fit with room to spare.",
                        isWarning: false))
            }
        }
        if let cpu = resources.cpuSeconds, let millicores = resources.millicoresLimit, millicores > 0,
            let start = job.startedAt, let end = job.finishedAt, end.timeIntervalSince(start) > 1
        {
            let cores = cpu / end.timeIntervalSince(start)
            let allowed = Double(millicores) / 1000
            if cores > allowed * 0.9 {
                notes.append(
                    Note(
                        text: String(format: "It used %.1f of its %.1f CPUs the whole time: ", cores, allowed)
                            + "a class with more CPUs would likely make it faster.",
                        isWarning: false))
            }
        }
        return notes
    }

    /// The smallest built-in class with at least `bytes` of memory.
    private static func smallestClass(fitting bytes: Double) -> ResourceClass? {
        Settings.builtInClasses.first { Double($0.memoryBytes) >= bytes }
    }
}
