// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The socket through which a job reaches its Docker engine, made by the sandbox before the job's first process
/// when the job will ask for an engine: a job in its image gets it bound at `/var/run/docker.sock` when its container
/// is made (a container's mounts cannot be added later), and the engine, started by `setup_remote_docker`, listens
/// on it. Until then it is bound and not listening: a client that connects early is refused at once.
package final class DockerSocket: Sendable {
    /// Where a job in its image finds it (Docker's usual place, `DOCKER_HOST`'s socket).
    package static let inContainer = "/var/run/docker.sock"

    /// Its path on this machine (short: a socket's path has at most 107 bytes).
    package let path: String
    /// The bound socket (close-on-exec), not yet listening.
    package let descriptor: Int32

    /// Binds the socket of `request`'s job run, owned by `owner` (uid, gid) and reachable by it alone.
    /// - Throws: ``ExecutorError`` `spawnFailed` when it cannot be made.
    package init(for request: JobRunRequest, owner: (uid: UInt32, gid: UInt32)) throws(ExecutorError) {
        let folder = Self.folder(for: request)
        path = folder + "/docker.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        do {
            try Folders.make(Paths.parent(folder), mode: 0o711)
            FolderTree.remove(folder)
            try Folders.make(folder, mode: 0o711)
            guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (index, byte) in bytes.enumerated() { raw[index] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard bound == 0, chown(path, owner.uid, owner.gid) == 0, chmod(path, 0o600) == 0 else {
                throw POSIXError(.init(rawValue: errno) ?? .EIO)
            }
        } catch {
            if fd >= 0 { close(fd) }
            FolderTree.remove(folder)
            throw ExecutorError(.spawnFailed, "Cannot make the job's Docker socket '\(path)': \(error).")
        }
        descriptor = fd
    }

    /// The socket's folder: under `/run/cibox/docker/`, named after the job run's folder (unique).
    package static func folder(for request: JobRunRequest) -> String {
        "/run/cibox/docker/" + StableHash.hex(of: request.workDirectory).prefix(16)
    }

    /// Closes the socket and removes its folder.
    package func remove() {
        close(descriptor)
        FolderTree.remove(Paths.parent(path))
    }
}

extension JobRunRequest {
    /// Whether one of the job's steps asks for a Docker engine (`setup_remote_docker`).
    package var asksForDockerEngine: Bool {
        spec.steps.contains {
            if case .setupRemoteDocker = $0.action { return true }
            return false
        }
    }
}
