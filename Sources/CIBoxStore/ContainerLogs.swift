// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// The logs of a job run's service containers: `<the job run's log folder>/containers/<NAME>.log`, beside its step
/// logs (`$CIBOX_HOME/logs/<job id>/`). The runner writes them, secrets masked; `cibox logs --container` and the
/// report read them.
extension PipelineStore {
    /// The folder of job run `jobID`'s service container logs.
    package func containerLogDirectory(jobID: Int64) -> String {
        logDirectory(jobID: jobID) + "/containers"
    }

    /// The log of job run `jobID`'s service container `name`.
    package func containerLogPath(jobID: Int64, name: String) -> String {
        containerLogDirectory(jobID: jobID) + "/\(name).log"
    }

    /// The names of job run `jobID`'s service containers that have a log, sorted; none when there is no folder.
    package func containerLogNames(jobID: Int64) -> [String] {
        let folder = containerLogDirectory(jobID: jobID)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return entries.filter { entry in
            guard entry.hasSuffix(".log"), entry.count > 4,
                let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/" + entry)
            else { return false }
            return attributes[.type] as? FileAttributeType == .typeRegular
        }
        .map { String($0.dropLast(4)) }.sorted()
    }
}
