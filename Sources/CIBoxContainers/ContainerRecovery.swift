// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor

#if canImport(Glibc)
    import Glibc
#endif

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

    /// Deletes the containers of `home` whose job run has ended (their removal was left to the background when
    /// their cibox was killed): `unfinished` says which of the job runs named by container ids are still queued or
    /// running (those are left alone: another cibox may be running them).
    /// - Returns: the ids of the containers removed.
    @discardableResult
    package static func cleanEnded(
        home: String, runc: Runc? = nil, unfinished: ([Int64]) -> Set<Int64>
    ) async -> [String] {
        guard let runc = runc ?? Runc.find(home: home), access(runc.stateFolder, F_OK) == 0 else { return [] }
        let prefix = CgroupManager.groupPrefix(stateDirectory: home, jobID: 0).dropLast(2)
        var byJob: [Int64: [String]] = [:]
        for id in await runc.containers() where id.hasPrefix(prefix) {
            // `job-<hash>-<job id>-<folder>-<name>`
            let fields = id.dropFirst(prefix.count).split(separator: "-")
            if let job = fields.first.flatMap({ Int64($0) }) { byJob[job, default: []].append(id) }
        }
        let running = unfinished(Array(byJob.keys))
        let ended = byJob.filter { !running.contains($0.key) }.keys.sorted()
        return await clean(home: home, jobIDs: ended, runc: runc)
    }
}
