// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxPresentation
import CIBoxStore
import Foundation

/// `cibox logs --follow`: prints a job's step logs (or a service container's log) as another process writes them.
///
/// Polls every 100 ms: prints the bytes a step's log gained, and moves on to the next step once the store
/// says the step ended and its log has been read to the end. Ends when the job has ended and every step's
/// log is printed.
struct LogFollower {
    /// The store the job and its logs are in.
    let store: PipelineStore
    /// The job run followed.
    let jobID: Int64
    /// How often to look for new output.
    var interval: Duration = .milliseconds(100)

    /// Follows `steps` in order, each under a `==> step N: NAME` line when `headers`.
    func follow(steps: [Int], headers: Bool) {
        var jobEnded = false
        for index in steps {
            var offset: UInt64 = 0
            var printedHeader = false
            var endsWithNewline = true
            while true {
                let detail = try? store.history.jobDetail(id: jobID)
                jobEnded = jobEnded || (detail?.job.status.isFinal ?? true)
                let step = detail?.steps.first { $0.index == index }
                let stepEnded = jobEnded || step.map { $0.status != .queued && $0.status != .running } ?? true
                if headers, !printedHeader, stepEnded || step?.status == .running {
                    let name = step.map { $0.name.split(separator: "\n").first.map(String.init) ?? $0.name } ?? "?"
                    Terminal.output("==> step \(index): \(name)\n")
                    printedHeader = true
                }
                // Read after looking at the status: a step seen ended has written all its output.
                let data = read(step: index, from: offset)
                if !data.isEmpty {
                    Terminal.output(data)
                    offset += UInt64(data.count)
                    endsWithNewline = data.last == UInt8(ascii: "\n")
                }
                if stepEnded { break }
                sleep()
            }
            if headers, !endsWithNewline { Terminal.output("\n") }
        }
        while !jobEnded {
            jobEnded = (try? store.history.jobDetail(id: jobID))?.job.status.isFinal ?? true
            if !jobEnded { sleep() }
        }
    }

    /// Follows the file `path` gives (nil until it exists) until the job ends.
    /// - Returns: whether the file existed by then (all of it is printed); false when it never appeared.
    func follow(file path: () -> String?) -> Bool {
        var offset: UInt64 = 0
        while true {
            let jobEnded = (try? store.history.jobDetail(id: jobID))?.job.status.isFinal ?? true
            // Read after looking at the status: a job seen ended has written all its output.
            guard let file = path() else {
                if jobEnded { return false }
                sleep()
                continue
            }
            let data = read(file, from: offset)
            if !data.isEmpty {
                Terminal.output(data)
                offset += UInt64(data.count)
            }
            if jobEnded { return true }
            sleep()
        }
    }

    private func read(step: Int, from offset: UInt64) -> Data {
        read(store.logPath(jobID: jobID, step: step), from: offset)
    }

    private func read(_ path: String, from offset: UInt64) -> Data {
        JobLog.read(path, from: offset)
    }

    private func sleep() {
        let (seconds, attoseconds) = interval.components
        var time = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        nanosleep(&time, nil)
    }
}
