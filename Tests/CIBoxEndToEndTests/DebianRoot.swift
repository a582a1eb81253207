// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// A fresh Debian 12 root (unpacked from the minimal root `scripts/debian-root.sh` makes with `mmdebstrap`) in which
/// commands run chrooted, with no network: each one in a new network namespace that has only a loopback, and a new
/// mount namespace where the root is a mount point of its own, with `/proc`, `/sys` (cgroups) and `/dev`.
struct DebianRoot {
    /// The root folder on the host.
    let path: String

    /// Unpacks `tarball` into `folder/root`.
    init(unpacking tarball: String, into folder: String) async throws {
        path = folder + "/root"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let unpacked = try await ProcessRunner.run("/bin/tar", ["-C", path, "--numeric-owner", "-xf", tarball])
        guard unpacked.status == 0 else { throw FixtureError("tar -xf \(tarball): \(unpacked.stderr)") }
    }

    /// Runs `command` with `/bin/sh -c` inside the root, network cut.
    @discardableResult
    func run(_ command: String) async throws -> ProcessOutput {
        let setup =
            "mount --bind \"$1\" \"$1\" && mount -t proc proc \"$1/proc\" && mount --rbind /sys \"$1/sys\" && "
            + "mount --rbind /dev \"$1/dev\" && exec chroot \"$1\" /bin/sh -c \"$2\""
        return try await ProcessRunner.run(
            "/usr/bin/unshare", ["-n", "-m", "/bin/sh", "-c", setup, "sh", path, command],
            environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root", "LANG": "C.UTF-8"])
    }

    /// Runs `command` in the root and expects status 0; returns its standard output.
    @discardableResult
    func expectSuccess(_ command: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let output = try await run(command)
        #expect(
            output.status == 0, "\(command): status \(output.status)\n\(output.stdout)\n\(output.stderr)",
            sourceLocation: sourceLocation)
        return output.stdout
    }

    /// Copies the host's `source` to `target` inside the root.
    func copy(_ source: String, to target: String) async throws {
        let copied = try await ProcessRunner.run("/bin/cp", ["-a", source, path + target])
        guard copied.status == 0 else { throw FixtureError("cp \(source): \(copied.stderr)") }
    }
}
