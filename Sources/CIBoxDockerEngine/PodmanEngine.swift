// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One job's running engine: its service process (in the job's cgroup), its files, and the project's cached storage
/// it holds (`docker_layer_caching`).
final class PodmanEngine: DockerEngine {
    let files: EngineFiles
    let pid: Int32
    let cache: EngineCache?
    let podman: String
    let jobUser: (uid: UInt32, gid: UInt32)?
    let inContainer: Bool
    private let reaped = Mutex(false)
    private let proxy = Mutex<EngineProxy?>(nil)

    init(
        files: EngineFiles, pid: Int32, cache: EngineCache?, podman: String, jobUser: (uid: UInt32, gid: UInt32)?,
        inContainer: Bool
    ) {
        self.files = files
        self.pid = pid
        self.cache = cache
        self.podman = podman
        self.jobUser = jobUser
        self.inContainer = inContainer
    }

    /// `DOCKER_HOST` as the job sees the socket, and the legacy builder (Podman's API has no BuildKit).
    var environment: [String: String] {
        Self.environment(socket: inContainer ? DockerSocket.inContainer : files.socket)
    }

    /// What a job's steps get for an engine on `socket` (the path the job sees).
    static func environment(socket: String) -> [String: String] {
        ["DOCKER_HOST": "unix://" + socket, "DOCKER_BUILDKIT": "0"]
    }

    /// See ``DockerEngine``: the `docker` wrapper, for a job on this machine's shell.
    var commandsFolder: String? { inContainer ? nil : files.commands }

    /// Whether the service process ended (it is reaped then).
    var hasExited: Bool {
        reaped.withLock { done in
            if done { return true }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno == ECHILD) {
                ChildProcesses.unregister(pid)
                done = true
            }
            return done
        }
    }

    /// Opens the job's socket (cibox's proxy in front of Podman's), which the job's user may reach: the one its
    /// sandbox made (`bound`), or one of its own.
    func openSocket(bound: DockerSocket?) throws {
        let opened = try EngineProxy(
            socket: files.socket, upstream: files.upstream, bound: bound?.descriptor, hostNetwork: files.hostNetwork)
        proxy.withLock { $0 = opened }
        guard bound == nil else { return }
        if let jobUser { chown(files.socket, jobUser.uid, jobUser.gid) }
        chmod(files.socket, 0o660)
    }

    /// See ``DockerEngine``: waits (a few seconds at most) for the service, its conmon processes and containers,
    /// killed with the job's cgroup, then removes the engine's state; the project's cached storage keeps its images
    /// but loses its containers.
    func stop() async {
        proxy.withLock { $0?.stop() }
        kill(pid, SIGKILL)
        for _ in 0..<200 where !hasExited { try? await Task.sleep(for: .milliseconds(25)) }
        FolderTree.remove(Paths.parent(files.socket))
        if let cache {
            // The service's run state is gone with it: Podman refreshes from an empty one, then removes every
            // container of the storage, keeping the images and the build cache.
            FolderTree.remove(files.runRoot)
            FolderTree.remove(files.temporary)
            try? Folders.make(files.runRoot, mode: 0o700)
            try? Folders.make(files.temporary, mode: 0o700)
            _ = try? await ExternalCommand(
                podman, ["rm", "--all", "--force", "--time", "0"], environment: files.environment,
                timeout: .seconds(60)
            ).run()
            cache.release()
        }
        // skopeo and podman, run in cibox's mount namespace, leave their storage's own mounts behind.
        for prefix in [files.storage, files.state] { Self.unmount(under: prefix) }
        FolderTree.remove(files.state)
    }

    /// Unmounts (lazily) every mount at or under `prefix`, deepest first.
    static func unmount(under prefix: String) {
        for point in MountTable.mounts(under: prefix).sorted(by: { $0.count > $1.count }) {
            umount2(point, Int32(MNT_DETACH))
        }
    }
}
