// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Plain `podman` on this machine for the anchors: a throwaway store of its own (`--root`, `--runroot`) loaded with
/// an image archive, runc (crun fails on this host's hybrid cgroups), and rlimits this machine allows.
struct BenchPodman {
    let podman: String
    let folder: String

    /// A fresh store in a temp folder, with `archive` (a docker-archive) loaded into it.
    init(_ podman: String, loading archive: String) throws {
        self.podman = podman
        folder = try BenchFixtures.temporaryFolder("cibox-bench-podman")
        do {
            try BenchFixtures.run(podman, global + ["load", "-i", archive])
        } catch {
            remove()
            throw error
        }
    }

    /// The options that select this store and runc.
    var global: [String] { ["--root", folder + "/root", "--runroot", folder + "/run", "--runtime", "runc"] }

    /// `--ulimit` options for this machine's hard limits of open files and processes: Podman's defaults are above
    /// them, and the bench may not raise them, so a container asking for the defaults fails to start.
    static var limits: [String] {
        var files = rlimit()
        var processes = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &files)
        getrlimit(__rlimit_resource_t(__RLIMIT_NPROC.rawValue), &processes)
        let nproc = min(processes.rlim_max, 4096)
        return ["--ulimit", "nofile=\(files.rlim_max):\(files.rlim_max)", "--ulimit", "nproc=\(nproc):\(nproc)"]
    }

    /// Empties the store (its containers, images and mounts) and removes its folder.
    func remove() {
        _ = try? BenchFixtures.run(podman, global + ["system", "reset", "-f"])
        try? FileManager.default.removeItem(atPath: folder)
    }
}
