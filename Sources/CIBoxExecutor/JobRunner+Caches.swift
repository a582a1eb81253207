// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import Foundation

extension JobRunner {
    /// `save_cache`: renders the key, skips when a cache with that key exists (caches are immutable), else
    /// archives the existing `paths` (inside the job's folder) into the project's cache store.
    func runSaveCache(_ action: SaveCacheAction, context: StepContext, logFD: Int32) -> (StepResult, String?) {
        var log = BuiltInLog(fd: logFD)
        let key: String
        do {
            key = try CacheKeyTemplate.render(action.key, values: cacheKeyValues(context))
        } catch {
            return log.failed(error.message)
        }
        let store = CacheStore(home: stateHome)
        if store.exists(key: key, projectID: request.projectID) {
            return log.succeeded("Skipping cache generation, cache already exists for key: \(key)")
        }
        var sources: [(path: String, name: String)] = []
        for path in action.paths {
            let resolved = view.resolve(path, relativeTo: context.workingDirectory)
            guard sandbox.files.kind(of: resolved) != nil else {
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
            let saved = try store.save(key: key, projectID: request.projectID, now: clocks.wall()) {
                (archive: String) throws(ExecutorError) in _ = try files.archive(sources, to: archive)
            }
            guard let entry = saved else {
                return log.succeeded("Skipping cache generation, cache already exists for key: \(key)")
            }
            return log.succeeded("Stored cache '\(key)' (\(ByteCount.format(entry.size)) compressed).")
        } catch {
            return log.failed("Cannot save the cache '\(key)': \(error.message)")
        }
    }

    /// `restore_cache`: tries each key in order (exact key, else the newest cache whose key starts with it) and
    /// unpacks the first found into the job's folder; none found is a warning, not a failure.
    func runRestoreCache(_ action: RestoreCacheAction, context: StepContext, logFD: Int32) -> (StepResult, String?) {
        var log = BuiltInLog(fd: logFD)
        let store = CacheStore(home: stateHome)
        var tried: [String] = []
        for template in action.keys {
            let key: String
            do {
                key = try CacheKeyTemplate.render(template, values: cacheKeyValues(context))
            } catch {
                return log.failed(error.message)
            }
            tried.append(key)
            guard let entry = store.find(key: key, projectID: request.projectID) else { continue }
            log.line("Found a cache for key '\(key)': '\(entry.key)' (\(ByteCount.format(entry.size))).")
            do {
                let (files, home) = (sandbox.files, view.home)
                let count = try store.restore(entry, now: clocks.wall()) { (archive: String) throws(ExecutorError) in
                    try files.extract(archive, into: home)
                }
                return log.succeeded("Restored \(count) entries into '\(home)'.")
            } catch {
                return log.failed("Cannot restore the cache '\(entry.key)': \(error.message)")
            }
        }
        return log.succeeded("No cache is found for key: \(tried.joined(separator: ", ")); nothing restored.")
    }

    /// The values of cache key templates in this job.
    func cacheKeyValues(_ context: StepContext) -> CacheKeyValues {
        let (view, files) = (view, sandbox.files)
        let workingDirectory = context.workingDirectory
        return CacheKeyValues(
            branch: request.branch ?? "", revision: request.revision, buildNumber: request.jobID,
            environment: context.environment, now: clocks.wall(),
            resolvePath: { view.resolve($0, relativeTo: workingDirectory) },
            digest: { try? files.sha256(of: $0) })
    }

    /// Where caches, workspaces and artifacts live: the request's storage folder, else `$CIBOX_HOME`, else a
    /// folder inside the job's own when the request has neither (tests of the runner alone).
    var stateHome: String {
        if let storage = request.storageDirectory, !storage.isEmpty { return storage }
        return request.stateDirectory.isEmpty ? request.workDirectory + "/.cibox/state" : request.stateDirectory
    }

    /// `path` (inside the job's home) relative to it, `.` for the home itself.
    func relativeName(_ path: String) -> String {
        let home = Paths.normalize(view.home)
        let path = Paths.normalize(path)
        return path == home ? "." : String(path.dropFirst(home.count + 1))
    }
}

/// The log lines of a built-in step and its result.
struct BuiltInLog {
    /// The step's log.
    let fd: Int32
    /// Bytes written so far.
    var bytes: Int64 = 0

    /// Writes `text` and a newline.
    mutating func line(_ text: String) {
        bytes += StepLog.write(text + "\n", to: fd)
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
}
