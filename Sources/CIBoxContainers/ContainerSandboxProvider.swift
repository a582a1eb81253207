// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxExecutor
package import CIBoxImages
import CIBoxModel
import Foundation
import Synchronization

/// Gives a `docker:` job its image when the image is in the store (the `images: { mode }` setting decides what
/// happens when it is not), and every other job this machine's shell.
package struct ContainerSandboxProvider: SandboxProvider {
    /// What to do with `docker:` images.
    package enum Mode: String, Sendable, Codable {
        /// A job whose images are all in the store runs in them; else on this machine, with one warning per image.
        case auto
        /// A job whose image is missing fails (`infrastructure`).
        case required
        /// Images are never used.
        case host
    }

    let store: ImageStore
    package let runtime: ContainerRuntime?
    let mode: Mode
    let aliases: [String: String]
    let host: any SandboxProvider
    private let warned = Warned()
    private let warn: @Sendable (String) -> Void

    /// Makes a provider.
    /// - Parameters:
    ///   - runtime: what runs containers; nil when this machine has no runc (jobs then run on it, or fail under
    ///     `required`).
    ///   - aliases: references the config writes mapped to the ones to use (`cimg/node:20` → `internal/node:20.11`).
    ///   - host: the sandbox of jobs that run on this machine.
    ///   - warn: told once per missing image.
    package init(
        store: ImageStore, runtime: ContainerRuntime?, mode: Mode, aliases: [String: String] = [:],
        host: any SandboxProvider, warn: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.store = store
        self.runtime = runtime
        self.mode = mode
        self.aliases = aliases
        self.host = host
        self.warn = warn
    }

    /// The job's sandbox: its images' when it can have them, else this machine's.
    /// - Throws: ``ExecutorError`` `spawnFailed` under `required` when an image is missing or containers cannot run
    ///   here, naming the image and what to do.
    package func makeSandbox(for request: JobRunRequest, isolation: JobIsolation) async throws(ExecutorError)
        -> any JobSandbox
    {
        guard mode != .host, let entries = request.spec.dockerImages, !entries.isEmpty else {
            return try await host.makeSandbox(for: request, isolation: isolation)
        }
        var images: [ContainerImage] = []
        for entry in entries {
            let reference = resolved(entry.image)
            do {
                let pinned = try request.imageDigests[entry.image].map { digest throws(ImageError) in
                    var pinned = try ImageReference(parsing: reference)
                    pinned.digest = digest
                    return pinned.description
                }
                images.append(ContainerImage(entry: entry, prepared: try store.prepare(pinned ?? reference)))
            } catch {
                guard error.code == .notFound || error.code == .badReference else {
                    throw ExecutorError(.spawnFailed, "The image '\(entry.image)' cannot be used: \(error.message)")
                }
                return try await missing(entry.image, reference: reference, request: request, isolation: isolation)
            }
        }
        guard let runtime else {
            let reason = "runc is not installed (scripts/install-deps.sh installs it; CIBOX_RUNC names another)"
            if mode == .required {
                throw ExecutorError(.spawnFailed, "The job's image '\(entries[0].image)' cannot run: \(reason).")
            }
            say("jobs run on this machine, not in their images: \(reason)")
            return try await host.makeSandbox(for: request, isolation: isolation)
        }
        return try ContainerSandbox(
            request: request, isolation: isolation, primary: images[0], services: Array(images.dropFirst()),
            runtime: runtime)
    }

    /// The reference to look up for `image` as the config writes it: its alias when it has one (the alias's key
    /// may be written either way, `node:20` or `docker.io/library/node:20`).
    func resolved(_ image: String) -> String {
        ContainerOptions.resolved(image, aliases: aliases)
    }

    private func missing(
        _ image: String, reference: String, request: JobRunRequest, isolation: JobIsolation
    ) async throws(ExecutorError) -> any JobSandbox {
        let named = reference == image ? "'\(image)'" : "'\(image)' (alias of '\(reference)')"
        if mode == .required {
            throw ExecutorError(
                .spawnFailed,
                "The image \(named) is not in cibox's image store. Load it with `cibox image load FILE` (an archive "
                    + "from `docker save`), or set `images: { mode: auto }` to run such jobs on this machine.")
        }
        say(
            "the image \(named) is not in cibox's image store: its jobs run on this machine's shell. Load it with "
                + "`cibox image load FILE`.")
        return try await host.makeSandbox(for: request, isolation: isolation)
    }

    private func say(_ message: String) {
        if warned.first(message) { warn(message) }
    }
}

/// The messages said so far.
private final class Warned: Sendable {
    private let said = Mutex<Set<String>>([])

    /// Whether `message` is new (it is remembered).
    func first(_ message: String) -> Bool {
        said.withLock { $0.insert(message).inserted }
    }
}
