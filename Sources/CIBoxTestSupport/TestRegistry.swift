// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real registry for tests: Debian's `docker-registry` (the distribution registry) serving on a free loopback port
/// from the test's own folder, with basic auth when a user is given (an htpasswd file made with `htpasswd -B`).
/// Images are pushed into it with skopeo. Stopped by its pid.
package final class TestRegistry: @unchecked Sendable {
    /// `127.0.0.1:PORT`.
    package let host: String
    /// The user and password it asks for, if any.
    package let login: (username: String, password: String)?
    /// Its folder (config, storage, htpasswd, log).
    package let folder: TemporaryDirectory
    private var process: Process?

    /// Whether this machine has what a test registry needs.
    package static var isAvailable: Bool {
        ["/usr/bin/docker-registry", "/usr/bin/skopeo"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
            && (FileManager.default.isExecutableFile(atPath: "/usr/bin/htpasswd"))
    }

    /// Starts a registry (and waits until it answers).
    /// - Parameter login: a user and password it asks for; nil: anyone may pull and push.
    package init(login: (username: String, password: String)? = nil) async throws {
        let folder = try TemporaryDirectory(prefix: "cibox-registry")
        self.folder = folder
        self.login = login
        var port: UInt16 = 0
        var started: Process?
        for _ in 0..<10 {
            port = UInt16.random(in: 20_000...60_000)
            var config = """
                version: 0.1
                log: { level: warn }
                storage: { filesystem: { rootdirectory: \(folder.appending("data")) }, delete: { enabled: true } }
                http: { addr: 127.0.0.1:\(port) }

                """
            if let login {
                let made = try await ProcessRunner.run(
                    "/usr/bin/htpasswd", ["-Bbn", login.username, login.password])
                guard made.status == 0 else { throw TestRegistryError(message: "htpasswd: \(made.stderr)") }
                try made.stdout.write(toFile: folder.appending("htpasswd"), atomically: true, encoding: .utf8)
                config += "auth: { htpasswd: { realm: cibox-test, path: \(folder.appending("htpasswd")) } }\n"
            }
            try config.write(toFile: folder.appending("config.yml"), atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
            process.arguments = ["serve", folder.appending("config.yml")]
            process.currentDirectoryURL = URL(fileURLWithPath: folder.path)
            _ = FileManager.default.createFile(atPath: folder.appending("registry.log"), contents: nil)
            let log = FileHandle(forWritingAtPath: folder.appending("registry.log"))
            process.standardOutput = log
            process.standardError = log
            try process.run()
            if await Self.answers(port: port, process: process) {
                started = process
                break
            }
            process.terminate()
            process.waitUntilExit()
        }
        guard let started else { throw TestRegistryError(message: "docker-registry did not start") }
        process = started
        host = "127.0.0.1:\(port)"
    }

    /// Stops the registry (SIGTERM to its pid, then waits); idempotent.
    package func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }

    /// Stops it and removes its folder.
    package func remove() {
        stop()
        folder.remove()
    }

    /// Pushes the docker-archive `archive` as `host/name` (`team/app:1`).
    package func push(archive: String, as name: String) async throws {
        var arguments = ["copy", "--dest-tls-verify=false"]
        if let login { arguments += ["--dest-creds", "\(login.username):\(login.password)"] }
        arguments += ["docker-archive:" + archive, "docker://\(host)/\(name)"]
        let pushed = try await ProcessRunner.run("/usr/bin/skopeo", arguments)
        guard pushed.status == 0 else { throw TestRegistryError(message: "skopeo copy: \(pushed.stderr)") }
    }

    /// The manifest digest `host/name` has now.
    package func digest(of name: String) async throws -> String {
        var arguments = ["inspect", "--raw", "--tls-verify=false"]
        if let login { arguments += ["--creds", "\(login.username):\(login.password)"] }
        let output = try await ProcessRunner.runBytes("/usr/bin/skopeo", arguments + ["docker://\(host)/\(name)"])
        return "sha256:" + SHA256Digest.hex(SHA256Digest.of(output))
    }

    /// Whether something accepts connections on loopback `port` within 10 s (while `process` runs).
    package static func answers(port: UInt16, process: Process) async -> Bool {
        for _ in 0..<200 {
            guard process.isRunning else { return false }
            if let fd = LoopbackSocket.connect(port: port) {
                close(fd)
                return true
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}

/// A test registry that could not be started or fed.
package struct TestRegistryError: Error, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}
