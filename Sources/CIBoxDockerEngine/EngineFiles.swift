// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The files of one job's engine: Podman's storage and engine configuration (per engine: two engines never share
/// locks, state or networks) and the script that starts the service in namespaces of its own.
struct EngineFiles {
    /// Images, containers, build cache (`graphroot`): the job's, or the project's with `docker_layer_caching`.
    let storage: String
    /// The engine's configuration, launcher and log: always the job's own.
    let state: String
    /// Where its run state, locks and temporary files go: the job's own, or, for a project's kept storage, a fixed
    /// place beside it (Podman records these paths in the storage's database and uses the recorded ones later).
    let runtime: String
    /// The socket the job connects to (cibox's ``EngineProxy``).
    let socket: String
    /// Whether the engine shares this machine's network (`images: { network: host }`): its containers and builds
    /// then use it as they are, with no bridge, address or firewall rule made on this machine; else the engine has a
    /// network namespace of its own, loopback only.
    var hostNetwork = false
    /// The socket Podman's service listens on, beside it.
    var upstream: String { socket.dropLast("docker.sock".count) + "podman.sock" }

    var runRoot: String { runtime + "/runroot" }
    var temporary: String { runtime + "/tmp" }
    var storageConf: String { state + "/storage.conf" }
    var containersConf: String { state + "/containers.conf" }
    var registriesConf: String { state + "/registries.conf" }
    var policy: String { state + "/policy.json" }
    var launcher: String { state + "/launch.sh" }
    var log: String { state + "/engine.log" }
    /// The `docker` wrapper of jobs on this machine's shell (last on their `PATH`).
    var commands: String { state + "/bin" }

    /// The variables Podman (and skopeo on the same storage) read their configuration from.
    var environment: [String: String] {
        [
            "CONTAINERS_CONF": containersConf, "CONTAINERS_STORAGE_CONF": storageConf,
            "CONTAINERS_REGISTRIES_CONF": registriesConf, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": state, "TMPDIR": temporary, "XDG_RUNTIME_DIR": temporary, "XDG_CONFIG_HOME": state,
        ]
    }

    /// `storage.conf`: overlay on the engine's own folders.
    var storageConfText: String {
        """
        [storage]
        driver = "overlay"
        graphroot = "\(storage)/root"
        runroot = "\(runRoot)"

        """
    }

    /// `containers.conf`: runc, cgroupfs, locks and events in the engine's own folder, and default limits that
    /// this machine allows (Podman's own exceed its hard limits).
    var containersConfText: String {
        let (files, processes) = Self.limits()
        return """
            [containers]
            \(hostNetwork ? "netns = \"host\"\n" : "")default_ulimits = ["nofile=\(files):\(files)", "nproc=\(processes):\(processes)"]
            log_driver = "k8s-file"

            [engine]
            cgroup_manager = "cgroupfs"
            runtime = "runc"
            tmp_dir = "\(temporary)"
            lock_type = "file"
            events_logger = "file"
            events_logfile_path = "\(temporary)/events.log"

            [network]
            network_config_dir = "\(state)/cni"

            """
    }

    /// `registries.conf`: no short-name search (a `FROM` names an image of the engine's store, seeded from
    /// cibox's); the engine has no way out anyway.
    static let registriesConfText = "unqualified-search-registries = []\nshort-name-mode = \"disabled\"\n"

    /// The signature policy when the machine has none.
    static let policyText = #"{"default": [{"type": "insecureAcceptAnything"}]}"# + "\n"

    /// The hard limits of open files and processes containers may have: this process's hard limits, processes
    /// capped at `pid_max` (Podman lowers its own limit to that, and a container cannot exceed it).
    static func limits() -> (files: UInt64, processes: UInt64) {
        var files = rlimit()
        var processes = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &files)
        getrlimit(__rlimit_resource_t(__RLIMIT_NPROC.rawValue), &processes)
        let pidMax =
            (try? String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8))
            .flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 32_768
        return (UInt64(files.rlim_max), min(UInt64(processes.rlim_max), pidMax))
    }

    /// The launcher, run by `unshare --cgroup --mount --net --propagation private` from inside the job's cgroups:
    /// loopback up, a private `/run/netns`, and every cgroup hierarchy mounted again, so that inside this cgroup
    /// namespace the job's cgroup is the root and Podman's containers, conmon and build steps all land under it
    /// (containers.conf has no cgroup parent, and `cgroups=split` does not work on a hybrid hierarchy). Then the
    /// Docker API service, which lives as long as the job.
    func launcherText(podman: String, ip: String?) -> String {
        """
        set -e
        \(hostNetwork ? ": this machine network, as it is" : ip.map { "\($0) link set lo up" } ?? ": no ip command: loopback stays down")
        mkdir -p /run/netns
        mount -t tmpfs -o mode=755 netns /run/netns
        if [ "$(wc -l < /proc/self/cgroup)" -eq 1 ] && grep -q '^0::' /proc/self/cgroup; then
          mount -t cgroup2 cgroup2 /sys/fs/cgroup
        else
        mount -t tmpfs -o mode=755 cgroup_root /sys/fs/cgroup
        while IFS=: read -r id controllers path; do
          if [ -z "$controllers" ]; then
            mkdir -p /sys/fs/cgroup/unified
            mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified
            continue
          fi
          name=${controllers#name=}
          mkdir -p "/sys/fs/cgroup/$name"
          if [ "$name" != "$controllers" ]; then
            mount -t cgroup -o "none,$controllers" cgroup "/sys/fs/cgroup/$name"
          else
            mount -t cgroup -o "$controllers" cgroup "/sys/fs/cgroup/$name"
          fi
        done < /proc/self/cgroup
        fi
        exec \(podman) system service --time 0 'unix://\(upstream)'

        """
    }
}
