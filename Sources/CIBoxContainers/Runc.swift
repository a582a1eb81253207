// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import CIBoxImages
import CIBoxModel
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// runc, the OCI runtime cibox runs containers with (crun refuses this kind of host's hybrid cgroup layout).
///
/// Its state lives in a folder of cibox's own per state folder (`/run/cibox/<hash>/runc`, on tmpfs and local to the
/// machine, also on a Slurm node), so `runc list` there names exactly the containers of that cibox home.
package struct Runc: Sendable {
    /// The program.
    package let executable: String
    /// `--root`: runc's state folder.
    package let stateFolder: String

    /// runc at `$CIBOX_RUNC`, else the first `runc` of `/usr/sbin`, `/usr/bin`, `/usr/local/sbin`, `/usr/local/bin`;
    /// nil when there is none.
    package static func find(home: String) -> Runc? {
        let configured = ProcessInfo.processInfo.environment["CIBOX_RUNC"].flatMap { $0.isEmpty ? nil : $0 }
        let candidates =
            configured.map { [$0] } ?? [
                "/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc", "/usr/local/bin/runc",
            ]
        guard let executable = candidates.first(where: { access($0, X_OK) == 0 }) else { return nil }
        return Runc(executable: executable, stateFolder: "/run/cibox/" + StableHash.hex(of: home).prefix(12) + "/runc")
    }

    /// Makes a runtime.
    package init(executable: String, stateFolder: String) {
        self.executable = executable
        self.stateFolder = stateFolder
    }

    /// `runc run --detach`: the arguments that start container `id` of `bundle`, its first process getting
    /// descriptor 3 (`--preserve-fds 1`) and its pid written to `pidFile`.
    func runArguments(id: String, bundle: String, pidFile: String) -> [String] {
        [
            executable, "--root", stateFolder, "run", "--detach", "--bundle", bundle, "--pid-file", pidFile,
            "--preserve-fds", "1", id,
        ]
    }

    /// `runc delete --force ID`: kills what is left of the container and removes its state and cgroups.
    /// - Returns: runc's error output when it failed, else nil.
    @discardableResult
    func delete(_ id: String) async -> String? {
        let output = FileManager.default.temporaryDirectory.path + "/cibox-runc-delete-\(getpid())-\(id)"
        defer { unlink(output) }
        let status = await Task.detached { [executable, stateFolder] in
            ProcessSpawner.runToEnd(
                [executable, "--root", stateFolder, "delete", "--force", id], outputPath: output)
        }.value
        if status == 0 { return nil }
        let said = String(decoding: FileReader.contents(atPath: output) ?? [], as: UTF8.self)
        // A container runc never made (or already deleted) is not an error here.
        return said.contains("does not exist") || said.contains("not exist") ? nil : said
    }

    /// The ids of the containers in the state folder.
    package func containers() async -> [String] {
        let result = await run(["list", "--quiet"])
        guard result.status == 0 else { return [] }
        return result.output.split(whereSeparator: \.isNewline).map(String.init)
    }

    /// The bundle folder of container `id`, from runc's state; nil when runc does not know it.
    package func bundle(of id: String) async -> String? {
        let result = await run(["state", id])
        guard result.status == 0, let start = result.output.range(of: "\"bundle\": \"") else { return nil }
        let rest = result.output[start.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    private func run(_ arguments: [String]) async -> (status: Int32, output: String) {
        let command = ExternalCommand(
            executable, ["--root", stateFolder] + arguments, environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"],
            timeout: .seconds(30))
        do {
            let result = try await command.run()
            return (result.status, result.stderr + result.stdout)
        } catch {
            return (-1, error.message)
        }
    }
}
