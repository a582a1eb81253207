// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxExecutor

/// cgroups: which hierarchy (v2, v1), which controllers, and whether cibox can make a job's cgroup here.
package enum CgroupCheck {
    /// The finding.
    /// - Parameters:
    ///   - layout: what `/proc/self` says.
    ///   - enabled: settings' `cgroups` (false: jobs run in process groups, by choice).
    ///   - trial: the error of making (and removing) a throwaway job cgroup, nil when that worked; not tried when
    ///     the layout is unavailable.
    package static func assess(layout: CgroupLayout, enabled: Bool, trial: String?) -> DoctorFinding {
        let fix =
            "Run cibox as root, as its systemd service (Delegate=yes) or under `systemd-run --scope -p Delegate=yes`."
        switch layout {
        case .unavailable(let reason):
            guard enabled else {
                return DoctorFinding(
                    "cgroups", .warning,
                    "Off in settings, and unavailable here (\(reason)): jobs have no memory or CPU limits.")
            }
            return DoctorFinding(
                "cgroups", .problem, "Unavailable: \(reason). Jobs run without memory, CPU or process limits.",
                fix: "Mount the cgroup v2 hierarchy at /sys/fs/cgroup (or v1's memory, pids and freezer), then \(fix)")
        case .v2(let directory, let controllers):
            let found = "v2 at \(directory), controllers \(controllers.sorted().joined(separator: ", "))"
            return outcome(found: found, enabled: enabled, trial: trial, fix: fix)
        case .v1(let directories):
            let found = "v1 (controllers \(directories.keys.sorted().joined(separator: ", ")))"
            return outcome(found: found, enabled: enabled, trial: trial, fix: fix)
        }
    }

    private static func outcome(found: String, enabled: Bool, trial: String?, fix: String) -> DoctorFinding {
        guard enabled else {
            return DoctorFinding(
                "cgroups", .warning, "\(found); off in settings (`cgroups: false`): jobs have no memory or CPU limits.",
                fix: "Remove `cgroups: false` from settings.yml to give each job its resource class's limits.")
        }
        guard let trial else {
            return DoctorFinding("cgroups", .ok, "\(found); a job's cgroup can be made (delegated to cibox).")
        }
        return DoctorFinding("cgroups", .problem, "\(found); a job's cgroup cannot be made: \(trial)", fix: fix)
    }

    /// Makes and removes a throwaway job cgroup, as the first job would; the error's text, or nil when it worked.
    package static func tryJobGroup(_ manager: CgroupManager, name: String) -> String? {
        if case .unavailable = manager.layout { return nil }
        do {
            let group = try manager.makeGroup(
                named: name, limits: ResourceLimits(millicores: 100, memoryBytes: 64 << 20, pids: 16))
            group.remove()
            return nil
        } catch {
            return error.message
        }
    }
}
