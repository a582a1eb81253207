// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import Foundation

extension JobRunner {
    /// `save_cache`: renders the key, skips when a cache with that key exists (caches are immutable), else archives
    /// the `paths` that exist (read by the job's helper, with the job's rights) into the project's cache store.
    func runSaveCache(_ action: SaveCacheAction, context: StepContext, logFD: Int32) async -> (StepResult, String?) {
        var log = BuiltInLog(fd: logFD, secrets: request.secrets)
        let key: String
        do {
            key = try await renderKey(action.key, context: context)
        } catch {
            return log.failed(error.message)
        }
        let store = CacheStore(home: stateHome)
        let stored = CacheStore.storedKey(for: key, secrets: request.secrets)
        if store.exists(key: stored, projectID: request.projectID) {
            return log.succeeded("Skipping cache generation, cache already exists for key: \(key)")
        }
        var sources: [(path: String, name: String)] = []
        for path in action.paths {
            let resolved = view.resolve(path, relativeTo: context.workingDirectory)
            guard await sandbox.files.kind(of: resolved) != nil else {
                log.line("Skipping '\(path)': '\(resolved)' does not exist.")
                continue
            }
            guard Paths.isInside(resolved, root: view.home) else {
                log.line(
                    "Skipping '\(path)': '\(resolved)' is outside the job's folder '\(view.home)'; cibox caches "
                        + "only paths under ~ and the working directory.")
                continue
            }
            log.line("Adding '\(resolved)'")
            sources.append((resolved, relativeName(resolved)))
        }
        guard !sources.isEmpty else { return log.succeeded("No existing paths to cache; nothing saved for \(key).") }
        do {
            let files = sandbox.files
            var notes: [String] = []
            let saved = try await store.save(key: stored, projectID: request.projectID, now: clocks.wall()) {
                (archive: String) async throws(ExecutorError) in
                try await files.archive(sources, to: archive) { notes.append($0) }
            }
            notes.forEach { log.line($0) }
            guard let entry = saved else {
                return log.succeeded("Skipping cache generation, cache already exists for key: \(key)")
            }
            return log.succeeded("Stored cache '\(key)' (\(ByteCount.format(entry.size)) compressed).")
        } catch {
            return log.failedInfrastructure("Cannot save the cache '\(key)': \(error.message)")
        }
    }

    /// `restore_cache`: tries each key in order (exact key, else the newest cache whose key starts with it) and
    /// unpacks the first found into the job's home (by the job's helper, as the job's user); none found is a note,
    /// not a failure.
    func runRestoreCache(_ action: RestoreCacheAction, context: StepContext, logFD: Int32) async -> (
        StepResult, String?
    ) {
        var log = BuiltInLog(fd: logFD, secrets: request.secrets)
        let store = CacheStore(home: stateHome)
        var tried: [String] = []
        for template in action.keys {
            let key: String
            do {
                key = try await renderKey(template, context: context)
            } catch {
                return log.failed(error.message)
            }
            tried.append(key)
            let exact = CacheStore.storedKey(for: key, secrets: request.secrets)
            let prefix = SecretMasker.mask(key, secrets: request.secrets)
            guard let entry = store.find(exact: exact, prefix: prefix, projectID: request.projectID) else { continue }
            log.line("Found a cache for key '\(key)': '\(entry.key)' (\(ByteCount.format(entry.size))).")
            do {
                let (files, home) = (sandbox.files, view.home)
                let count = try await store.restore(entry, now: clocks.wall()) {
                    (archive: String) async throws(ExecutorError) in
                    try await files.extract(archive, into: home)
                }
                return log.succeeded("Restored \(count) entries into '\(home)'.")
            } catch {
                return log.failed("Cannot restore the cache '\(entry.key)': \(error.message)")
            }
        }
        return log.succeeded("No cache is found for key: \(tried.joined(separator: ", ")); nothing restored.")
    }

    /// `key` rendered: every `{{ checksum "file" }}` hashed first by the job's helper (as the job's user, in its view).
    func renderKey(_ template: String, context: StepContext) async throws(StorageError) -> String {
        let view = view
        let workingDirectory = context.workingDirectory
        var digests: [String: [UInt8]] = [:]
        for file in CacheKeyTemplate.checksumFiles(in: template) {
            let path = view.resolve(file, relativeTo: workingDirectory)
            do {
                digests[path] = try await sandbox.files.sha256(of: path)
            } catch {
                throw StorageError(
                    .template,
                    "Cannot compute {{ checksum \"\(file)\" }}: \(error.message). Check that the file exists in the "
                        + "working directory when the step runs, and that the job's user can read it.")
            }
        }
        let known = digests
        let values = CacheKeyValues(
            branch: request.branch ?? "", revision: request.revision, buildNumber: request.jobID,
            environment: context.environment, now: clocks.wall(),
            resolvePath: { view.resolve($0, relativeTo: workingDirectory) }, digest: { known[$0] })
        return try CacheKeyTemplate.render(template, values: values)
    }

    /// Where caches, workspaces and artifacts live: the request's storage folder, else `$CIBOX_HOME`, else a
    /// folder inside the job's control folder when the request has neither (tests of the runner alone).
    var stateHome: String {
        if let storage = request.storageDirectory, !storage.isEmpty { return storage }
        return request.stateDirectory.isEmpty ? request.controlDirectory + "/state" : request.stateDirectory
    }

    /// `path` (inside the job's home) relative to it, `.` for the home itself.
    func relativeName(_ path: String) -> String {
        let home = Paths.normalize(view.home)
        let path = Paths.normalize(path)
        return path == home ? "." : String(path.dropFirst(home.count + 1))
    }
}

/// The log lines of a built-in step and its result. Every line is masked (values of 4 characters or more of the
/// job's secrets become `****`) before it is written.
struct BuiltInLog {
    /// The step's log.
    let fd: Int32
    /// The values to mask.
    let secrets: [String]
    /// Bytes written so far.
    var bytes: Int64 = 0

    init(fd: Int32, secrets: [String]) {
        self.fd = fd
        self.secrets = secrets
    }

    /// Writes `text` and a newline.
    mutating func line(_ text: String) {
        bytes += StepLog.write(SecretMasker.mask(text, secrets: secrets) + "\n", to: fd)
    }

    /// Writes `text` and returns a successful result.
    mutating func succeeded(_ text: String) -> (StepResult, String?) {
        line(text)
        return (StepResult(status: .success, exitCode: 0, logBytes: bytes), nil)
    }

    /// Writes `text` and returns a failed result (exit code 1, as CircleCI's agent fails a step).
    mutating func failed(_ text: String) -> (StepResult, String?) {
        line(text)
        return (StepResult(status: .failed, exitCode: 1, logBytes: bytes, failureReason: .exitCode), nil)
    }

    /// Writes `text` and returns a result failed by cibox itself (`infrastructure`), with the masked text as the
    /// job's message.
    mutating func failedInfrastructure(_ text: String) -> (StepResult, String?) {
        line(text)
        let message = SecretMasker.mask(text, secrets: secrets)
        return (StepResult(status: .failed, exitCode: 1, logBytes: bytes, failureReason: .infrastructure), message)
    }
}
