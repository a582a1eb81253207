// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A small tmpfs mounted on a fresh folder, so that a test can fill a disk; ``unmount()`` in the cleanup of
/// ``withCleanup(_:cleanup:)``.
struct SmallDisk {
    let folder: TemporaryDirectory
    var path: String { folder.path }

    /// Mounts a tmpfs of `megabytes` MiB on a fresh folder.
    /// - Throws: the reason when it cannot be mounted (the caller skips the test with it).
    init(megabytes: Int) async throws {
        folder = try TemporaryDirectory(prefix: "cibox-small-disk")
        let mounted = try await ProcessRunner.run(
            "/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0755", "tmpfs", folder.path])
        guard mounted.status == 0 else {
            folder.remove()
            throw FixtureError("cannot mount a \(megabytes) MiB tmpfs: \(mounted.stderr)")
        }
    }

    /// Unmounts the tmpfs (lazily if something still uses it) and removes the folder.
    func unmount() async {
        if (try? await ProcessRunner.run("/bin/umount", [folder.path]))?.status != 0 {
            _ = try? await ProcessRunner.run("/bin/umount", ["-l", folder.path])
        }
        folder.remove()
    }
}

/// The file system's immutable flag (`chattr +i`): even root cannot write such a file.
enum ImmutableFlag {
    /// Sets or clears the flag on `path`; the reason when `chattr` fails.
    static func set(_ isOn: Bool, on path: String) async throws {
        let output = try await ProcessRunner.run("/usr/bin/chattr", [isOn ? "+i" : "-i", path])
        guard output.status == 0 else { throw FixtureError("chattr failed on '\(path)': \(output.stderr)") }
    }
}

/// A `cibox` command started in the background, with a deadline instead of a hang.
struct BackgroundCommand {
    let process = Process()
    let stdout: CapturedOutput
    /// Where its standard error goes.
    let stderrPath: String

    /// Starts `cibox ARGUMENTS --home HOME`, its standard error in a file beside the state folder.
    init(_ cli: CLI, _ arguments: [String]) throws {
        stderrPath = cli.home.path + ".stderr"
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = arguments + ["--home", cli.home.path]
        stdout = try CapturedOutput()
        process.standardOutput = stdout.writer
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
        try stdout.writer.close()
    }

    /// What it wrote to standard error so far.
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits up to `seconds` for the command to end (killing it then) and returns its standard output, or nil
    /// when it had to be killed.
    func finish(within seconds: Double) async throws -> String? {
        let ended = try await eventually(seconds: seconds) { !process.isRunning }
        if !ended {
            kill(process.processIdentifier, SIGKILL)
        }
        try await process.ended()
        let data = try stdout.contents()
        return ended ? String(decoding: data, as: UTF8.self) : nil
    }

    /// Removes the standard error file.
    func remove() {
        try? FileManager.default.removeItem(atPath: stderrPath)
    }
}

/// Every file under `folder` (relative path → size and contents' hash), leaving out `except`.
func fileInventory(_ folder: String, except: Set<String> = []) -> [String: String] {
    let names = FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []
    var inventory: [String: String] = [:]
    for name in names where !except.contains(name) {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isDirectory)
        if isDirectory.boolValue {
            inventory[name] = "folder"
        } else {
            let data = FileManager.default.contents(atPath: folder + "/" + name) ?? Data()
            inventory[name] = "\(data.count) bytes, hash \(data.hashValue)"
        }
    }
    return inventory
}
