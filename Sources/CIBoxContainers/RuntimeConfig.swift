// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import CIBoxImages
import CIBoxModel
import Foundation

/// The part of an OCI runtime bundle's `config.json` cibox writes (runtime-spec 1.0.2, as runc 1.1 reads it).
///
/// Defaults follow what Docker gives a container (moby's `oci/defaults.go`): its 14 capabilities, `/dev/shm` of
/// 64 MiB, the masked and read-only `/proc` paths, the device rules; `noNewPrivileges` off so `sudo` and entrypoints
/// that drop to their own user work. No seccomp or AppArmor profile (Docker has both).
struct RuntimeConfig: Encodable {
    var ociVersion = "1.0.2"
    var process: Process
    var root: Root
    var hostname: String
    var mounts: [Mount]
    var linux: Linux

    struct Process: Encodable {
        var terminal = false
        var user: User
        var args: [String]
        var env: [String]
        var cwd: String
        var capabilities: Capabilities
        var rlimits: [Rlimit]
        var noNewPrivileges = false
    }

    struct User: Encodable {
        var uid: UInt32
        var gid: UInt32
    }

    struct Capabilities: Encodable {
        var bounding: [String]
        var effective: [String]
        var permitted: [String]
    }

    struct Rlimit: Encodable {
        var type: String
        var hard: UInt64
        var soft: UInt64
    }

    struct Root: Encodable {
        var path: String
        var readonly = false
    }

    struct Mount: Encodable {
        var destination: String
        var type: String
        var source: String
        var options: [String]
    }

    struct Linux: Encodable {
        var namespaces: [Namespace]
        var cgroupsPath: String?
        var resources: Resources
        var maskedPaths: [String]
        var readonlyPaths: [String]
    }

    struct Namespace: Encodable {
        var type: String
        var path: String?
    }

    struct Resources: Encodable {
        var devices: [DeviceRule]
    }

    struct DeviceRule: Encodable {
        var allow: Bool
        var type: String?
        var major: Int64?
        var minor: Int64?
        var access: String?
    }

    /// Docker's default capability set.
    static let dockerCapabilities = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
        "CAP_AUDIT_WRITE",
    ]

    /// Docker's default device rules: deny all, then the usual character devices (null, zero, full, random,
    /// urandom, tty, console, ptmx and the pts devices), and never `/dev/net/tun`'s misc minor 229.
    static let dockerDeviceRules: [DeviceRule] = [
        DeviceRule(allow: false, type: nil, major: nil, minor: nil, access: "rwm"),
        DeviceRule(allow: true, type: "c", major: 1, minor: 5, access: "rwm"),
        DeviceRule(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),
        DeviceRule(allow: true, type: "c", major: 1, minor: 9, access: "rwm"),
        DeviceRule(allow: true, type: "c", major: 1, minor: 8, access: "rwm"),
        DeviceRule(allow: true, type: "c", major: 1, minor: 7, access: "rwm"),
        DeviceRule(allow: true, type: "c", major: 5, minor: 0, access: "rwm"),
        DeviceRule(allow: true, type: "c", major: 5, minor: 1, access: "rwm"),
        DeviceRule(allow: true, type: "c", major: 5, minor: 2, access: "rwm"),
        DeviceRule(allow: true, type: "c", major: 136, minor: nil, access: "rwm"),
        DeviceRule(allow: false, type: "c", major: 10, minor: 229, access: "rwm"),
    ]

    static let dockerMaskedPaths = [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
    ]

    static let dockerReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]

    /// The file systems every container gets (Docker's list), `/dev/shm` sized as Docker's default.
    static let standardMounts = [
        Mount(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]),
        Mount(
            destination: "/dev", type: "tmpfs", source: "tmpfs",
            options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        Mount(
            destination: "/dev/pts", type: "devpts", source: "devpts",
            options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
        Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
        Mount(
            destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
            options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
        Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
        Mount(
            destination: "/dev/shm", type: "tmpfs", source: "shm",
            options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
    ]

    /// A container as cibox runs one.
    /// - Parameters:
    ///   - arguments: its first process (cibox's agent).
    ///   - binds: folders and files of this machine bound in, in order (a read-only one is `ro`).
    ///   - network: nil for a network namespace of its own (loopback only), `.host` for the host's, or the path of
    ///     a network namespace to join (a service joins its job's primary container).
    ///   - openFiles: the `RLIMIT_NOFILE` (never above the hard limit of cibox itself: raising it fails).
    static func container(
        arguments: [String], hostname: String, binds: [Bind], network: NetworkNamespace,
        cgroupsPath: String?, openFiles: UInt64
    ) -> RuntimeConfig {
        var namespaces = ["pid", "mount", "ipc", "uts"].map { Namespace(type: $0, path: nil) }
        switch network {
        case .own: namespaces.append(Namespace(type: "network", path: nil))
        case .join(let path): namespaces.append(Namespace(type: "network", path: path))
        case .host: break
        }
        let capabilities = Capabilities(
            bounding: dockerCapabilities, effective: dockerCapabilities, permitted: dockerCapabilities)
        return RuntimeConfig(
            process: Process(
                user: User(uid: 0, gid: 0), args: arguments,
                env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], cwd: "/",
                capabilities: capabilities,
                rlimits: [Rlimit(type: "RLIMIT_NOFILE", hard: openFiles, soft: openFiles)]),
            root: Root(path: "rootfs"), hostname: hostname,
            mounts: standardMounts
                + binds.map {
                    Mount(
                        destination: $0.target, type: "bind", source: $0.source,
                        options: $0.readOnly ? ["rbind", "ro", "nosuid", "nodev"] : ["rbind", "rw"])
                },
            linux: Linux(
                namespaces: namespaces, cgroupsPath: cgroupsPath, resources: Resources(devices: dockerDeviceRules),
                maskedPaths: dockerMaskedPaths, readonlyPaths: dockerReadonlyPaths))
    }

    /// The JSON runc reads.
    func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// A path of this machine bound into the container.
    struct Bind: Equatable {
        var source: String
        var target: String
        var readOnly: Bool
    }

    /// The network namespace of a container.
    enum NetworkNamespace: Equatable {
        /// A namespace of its own: loopback only (runc sets it up).
        case own
        /// The namespace at this path (`/proc/PID/ns/net` of the job's primary container).
        case join(String)
        /// The host's network.
        case host
    }

    /// The `RLIMIT_NOFILE` a container gets: cibox's own hard limit (at most 1 048 576).
    static var openFilesLimit: UInt64 {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return min(UInt64(limit.rlim_max), 1_048_576)
    }
}
