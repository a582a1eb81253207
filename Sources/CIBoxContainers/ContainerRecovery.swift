// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor

/// What a killed cibox left of its jobs' containers: runc's containers (found by the job's cgroup prefix in runc's
/// state folder of this home) and their roots' overlay mounts. Run at start, for the jobs found interrupted.
package enum ContainerRecovery {
    /// Deletes the containers of jobs `jobIDs` of `home` from runc (their processes killed) and unmounts their
    /// roots.
    /// - Returns: the ids of the containers removed.
    @discardableResult
    package static func clean(home: String, jobIDs: [Int64], runc: Runc? = nil) async -> [String] {
        guard !jobIDs.isEmpty, let runc = runc ?? Runc.find(home: home) else { return [] }
        let prefixes = jobIDs.map { CgroupManager.groupPrefix(stateDirectory: home, jobID: $0) }
        var removed: [String] = []
        for id in await runc.containers() where prefixes.contains(where: { id.hasPrefix($0) }) {
            let bundle = await runc.bundle(of: id)
            _ = await runc.delete(id)
            if let bundle {
                Overlay(lower: "", upper: bundle + "/upper", work: bundle + "/work", target: bundle + "/rootfs")
                    .unmount()
            }
            removed.append(id)
        }
        return removed
    }
}
