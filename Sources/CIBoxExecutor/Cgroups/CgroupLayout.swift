// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// Where cibox's own cgroups are, derived from `/proc/self/cgroup` and `/proc/self/mountinfo`.
package enum CgroupLayout: Sendable, Equatable {
    /// A unified (v2) hierarchy; `directory` is cibox's own cgroup folder, `controllers` what it offers.
    case v2(directory: String, controllers: Set<String>)
    /// v1 hierarchies (hybrid hosts): cibox's own cgroup folder in each controller's hierarchy.
    case v1(directories: [String: String])
    /// No usable cgroups, and why.
    case unavailable(reason: String)

    /// The v1 controllers cibox uses; `memory`, `pids` and `freezer` are required, `cpu` and `cpuacct` optional.
    static let v1Controllers = ["cpu", "cpuacct", "memory", "pids", "freezer"]
    /// The v2 controllers cibox needs.
    static let v2Controllers: Set<String> = ["cpu", "memory", "pids"]

    /// Works out the layout from the two `/proc/self` files' text.
    /// - Parameters:
    ///   - procCgroup: `/proc/self/cgroup`.
    ///   - mountInfo: `/proc/self/mountinfo`.
    ///   - fileSystem: used to read `cgroup.controllers` of a v2 hierarchy.
    package static func detect(procCgroup: String, mountInfo: String, fileSystem: any CgroupFileSystem) -> CgroupLayout
    {
        let memberships = parseMemberships(procCgroup)
        let mounts = parseMounts(mountInfo)
        if let unified = mounts.first(where: { $0.isUnified }), let path = memberships[""] {
            let directory = unified.directory(for: path)
            let available = (try? fileSystem.read(unified.mountPoint + "/cgroup.controllers")) ?? ""
            let controllers = Set(available.split(whereSeparator: \.isWhitespace).map(String.init))
            if v2Controllers.isSubset(of: controllers) {
                return .v2(directory: directory, controllers: controllers)
            }
        }
        var directories: [String: String] = [:]
        for controller in v1Controllers {
            guard let mount = mounts.first(where: { $0.controllers.contains(controller) }),
                let path = memberships[controller] ?? memberships[mount.controllers.sorted().joined(separator: ",")]
            else { continue }
            directories[controller] = mount.directory(for: path)
        }
        let missing = ["memory", "pids", "freezer"].filter { directories[$0] == nil }
        if missing.isEmpty { return .v1(directories: directories) }
        if mounts.isEmpty { return .unavailable(reason: "no cgroup file system is mounted") }
        return .unavailable(
            reason: "the cgroup v2 hierarchy lacks the cpu, memory or pids controller and the v1 hierarchies lack "
                + missing.joined(separator: ", ")
        )
    }

    /// Controller list (or "" for v2) → path, from `/proc/self/cgroup` lines `ID:CONTROLLERS:PATH`.
    static func parseMemberships(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let controllers = String(fields[1])
            result[controllers] = String(fields[2])
            for controller in controllers.split(separator: ",") where controllers.contains(",") {
                result[String(controller)] = String(fields[2])
            }
        }
        return result
    }

    /// A cgroup mount from `/proc/self/mountinfo`.
    struct Mount: Equatable {
        /// The folder inside the hierarchy that is mounted (usually `/`).
        var root: String
        /// Where it is mounted.
        var mountPoint: String
        /// Whether it is the unified (v2) hierarchy.
        var isUnified: Bool
        /// Its v1 controllers.
        var controllers: Set<String>

        /// The folder of the cgroup at `path` (as /proc/self/cgroup names it) under this mount.
        func directory(for path: String) -> String {
            var relative = path
            if root != "/", relative.hasPrefix(root) { relative = String(relative.dropFirst(root.count)) }
            if relative == "/" || relative.isEmpty { return mountPoint }
            return mountPoint + (relative.hasPrefix("/") ? relative : "/" + relative)
        }
    }

    /// The cgroup mounts listed in `/proc/self/mountinfo`.
    static func parseMounts(_ text: String) -> [Mount] {
        var mounts: [Mount] = []
        let known = Set(v1Controllers + ["blkio", "devices", "cpuset", "net_cls", "net_prio", "hugetlb", "perf_event"])
        for line in text.split(separator: "\n") {
            // "ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL…] - TYPE SOURCE SUPER-OPTIONS" (spaces in
            // paths are written \040, so splitting on spaces is safe).
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-") else { continue }
            let left = fields[..<dash]
            let right = fields[(dash + 1)...]
            guard left.count >= 5, right.count >= 3 else { continue }
            let type = right[right.startIndex]
            guard type == "cgroup" || type == "cgroup2" else { continue }
            let options = right[right.startIndex + 2].split(separator: ",").map(String.init)
            let left3 = left[left.startIndex + 3]
            let left4 = left[left.startIndex + 4]
            mounts.append(
                Mount(
                    root: String(left3), mountPoint: String(left4), isUnified: type == "cgroup2",
                    controllers: type == "cgroup" ? Set(options.filter { known.contains($0) }) : []
                ))
        }
        return mounts
    }
}
