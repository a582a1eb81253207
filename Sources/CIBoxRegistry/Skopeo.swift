// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// skopeo, Debian's registry client: cibox asks it for manifests and copies images with it, and never speaks the
/// registry protocol itself (token auth, TLS, mirrors and retries are skopeo's, proven on every registry).
package struct Skopeo: Sendable {
    /// The program's path.
    package let program: String

    /// `$CIBOX_SKOPEO`, else `skopeo` on `PATH` (or in `/usr/bin`); nil when there is none.
    package static func find() -> Skopeo? {
        let environment = ProcessInfo.processInfo.environment
        if let named = environment["CIBOX_SKOPEO"], !named.isEmpty {
            return access(named, X_OK) == 0 ? Skopeo(program: named) : nil
        }
        let folders =
            (environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        for folder in folders where access(folder + "/skopeo", X_OK) == 0 {
            return Skopeo(program: folder + "/skopeo")
        }
        return nil
    }

    /// Makes one for `program`.
    package init(program: String) {
        self.program = program
    }

    /// The exact bytes of the manifest (or index) `reference` names (`docker://…` is added).
    /// - Throws: ``RegistryError`` with the registry's answer.
    func rawManifest(_ reference: String, in session: PullSession) async throws(RegistryError) -> [UInt8] {
        let output = try await run(
            ["inspect", "--raw", "--retry-times", "2", "--authfile", session.authFile, "docker://" + reference],
            session: session, timeout: .seconds(120), image: reference)
        return Array(output.stdout.utf8)
    }

    /// Copies the image `reference` (pinned by digest) into the `dir:` folder `folder`.
    /// - Throws: ``RegistryError`` with the registry's answer.
    func copy(_ reference: String, into folder: String, in session: PullSession) async throws(RegistryError) {
        _ = try await run(
            [
                "copy", "--retry-times", "2", "--src-authfile", session.authFile, "docker://" + reference,
                "dir:" + folder,
            ], session: session, timeout: .seconds(6 * 3600), image: reference)
    }

    /// Checks `login` against `registry` and stores it in `authFile` (`skopeo login`).
    func login(
        _ registry: String, username: String, passwordFile: String, authFile: String, in session: PullSession
    ) async throws(RegistryError) {
        _ = try await run(
            ["login", "--authfile", authFile, "--username", username, "--password-stdin", registry],
            session: session, timeout: .seconds(120), image: registry, input: passwordFile)
    }

    private func run(
        _ arguments: [String], session: PullSession, timeout: Duration, image: String, input: String? = nil
    ) async throws(RegistryError) -> ExternalCommand.Output {
        let command = ExternalCommand(
            program, session.globalArguments + arguments, environment: session.environment, inputFile: input,
            timeout: timeout)
        let output: ExternalCommand.Output
        do {
            output = try await command.run()
        } catch {
            throw RegistryError(
                .noClient, "Cannot run skopeo ('\(program)'): \(error.message). Install it (Debian: skopeo).")
        }
        if output.timedOut {
            throw RegistryError(
                .unreachable, "The registry of '\(image)' did not answer within \(timeout.components.seconds) s.")
        }
        guard output.status == 0 else { throw Self.failure(output.stderr, status: output.status) }
        return output
    }

    /// The error of a failed command, from skopeo's last message (`level=fatal msg="…"`).
    static func failure(_ stderr: String, status: Int32) -> RegistryError {
        let answer = message(stderr) ?? "skopeo ended with status \(status)"
        let lower = answer.lowercased()
        let code: RegistryError.Code =
            // Words, not bare status codes: "401" or "404" would match a port in the message (127.0.0.1:40139).
            if ["unauthorized", "authentication required", "denied", "invalid username/password"].contains(
                where: lower.contains)
            {
                .unauthorized
            } else if ["manifest unknown", "name unknown", "not found"].contains(where: lower.contains) {
                .notFound
            } else if [
                "no such host", "connection refused", "i/o timeout", "network is unreachable", "dial tcp",
                "tls handshake", "x509", "http response to https client", "pinging container registry",
                "no route to host", "connection reset",
            ].contains(where: lower.contains) {
                .unreachable
            } else {
                .failed
            }
        return RegistryError(code, answer)
    }

    /// The text of skopeo's last `msg="…"` (unescaped), else its last non-empty line.
    static func message(_ stderr: String) -> String? {
        let lines = stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let last = lines.last else { return nil }
        guard let start = last.range(of: "msg=\"") else { return last }
        var text = ""
        var escaped = false
        for character in last[start.upperBound...] {
            if escaped {
                text.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                break
            } else {
                text.append(character)
            }
        }
        // `inspect` wraps every failure as `Error parsing image name "docker://…": …`, though the name was fine.
        if text.hasPrefix("Error parsing image name \""), let end = text.range(of: "\": ") {
            return String(text[end.upperBound...])
        }
        return text
    }
}
