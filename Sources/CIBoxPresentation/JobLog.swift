// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
package import CIBoxStore
package import Foundation

/// A job run's whole output as `cibox logs JOB` prints it (and the HTTP API serves it): the pulls of its images
/// under `==> Spin up environment` when there were any, then each step's output under
/// `==> step N: NAME (STATUS)`, each part ending with a newline.
package enum JobLog {
    /// The output of job run `detail` from the log files in `store`.
    package static func text(_ detail: JobDetail, store: PipelineStore) -> Data {
        let jobID = detail.job.id
        var output = Data()
        if let environment = FileManager.default.contents(atPath: store.environmentLogPath(jobID: jobID)) {
            output.append(Data("==> Spin up environment\n".utf8))
            append(environment, to: &output)
        }
        for step in detail.steps {
            let name = step.name.split(separator: "\n").first.map(String.init) ?? step.name
            output.append(Data("==> step \(step.index): \(name) (\(step.status.rawValue))\n".utf8))
            append(stepLog(store, jobID: jobID, step: step.index), to: &output)
        }
        return output
    }

    /// The raw output of step `step` of job run `jobID` (empty when it wrote nothing).
    package static func stepLog(_ store: PipelineStore, jobID: Int64, step: Int) -> Data {
        FileManager.default.contents(atPath: store.logPath(jobID: jobID, step: step)) ?? Data()
    }

    /// The bytes of the log file `path` from `offset` to its end (none when it does not exist): what a follower
    /// of a growing log reads at each look.
    package static func read(_ path: String, from offset: UInt64) -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else { return Data() }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: offset)
            return try handle.readToEnd() ?? Data()
        } catch {
            return Data()
        }
    }

    private static func append(_ part: Data, to output: inout Data) {
        output.append(part)
        if let last = part.last, last != UInt8(ascii: "\n") { output.append(UInt8(ascii: "\n")) }
    }
}
