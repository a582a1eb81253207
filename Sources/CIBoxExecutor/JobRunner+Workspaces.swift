// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel

extension JobRunner {
    /// `persist_to_workspace`: expands `paths` under `root` (the job's helper, in its view) and writes them as this
    /// job run's layer of the workflow's workspace. A path that matches nothing fails the step, as in CircleCI.
    func runPersistToWorkspace(
        _ action: PersistToWorkspaceAction, context: StepContext, logFD: Int32
    ) async -> (StepResult, String?) {
        var log = BuiltInLog(fd: logFD, secrets: request.secrets)
        let root = view.resolve(action.root, relativeTo: context.workingDirectory)
        var names: [String] = []
        var unmatched: [String] = []
        for pattern in action.paths {
            let matches: [String]
            do {
                matches = try await sandbox.files.glob(pattern, root: root)
            } catch {
                return log.failed("Cannot persist '\(pattern)' to the workspace: \(error.message)")
            }
            if matches.isEmpty { unmatched.append(pattern) }
            for match in matches where !names.contains(match) {
                log.line("Adding '\(root)/\(match)'")
                names.append(match)
            }
        }
        guard unmatched.isEmpty else {
            let list = unmatched.map { "'\($0)'" }.joined(separator: ", ")
            return log.failed(
                "The workspace path \(list) matched no files under the root '\(root)'. Check `root` and `paths` "
                    + "of persist_to_workspace (paths are relative to the root).")
        }
        do {
            let files = sandbox.files
            let sources = names.map { (path: $0 == "." ? root : root + "/" + $0, name: $0) }
            var notes: [String] = []
            let layer = try await WorkspaceStore(home: stateHome).persist(
                workflowID: request.workflowID, jobID: request.jobID
            ) { (archive: String) async throws(ExecutorError) in
                try await files.archive(sources, to: archive) { notes.append($0) }
            }
            notes.forEach { log.line($0) }
            return log.succeeded("Persisted \(names.count) paths to the workspace (\(ByteCount.format(layer.size))).")
        } catch {
            return log.failedInfrastructure("Cannot persist to the workspace: \(error.message)")
        }
    }

    /// `attach_workspace`: unpacks the layers of the upstream job runs at `at` (the job's helper, as the job's user),
    /// in workflow order (later layers win).
    func runAttachWorkspace(at: String, context: StepContext, logFD: Int32) async -> (StepResult, String?) {
        var log = BuiltInLog(fd: logFD, secrets: request.secrets)
        let target = view.resolve(at, relativeTo: context.workingDirectory)
        let store = WorkspaceStore(home: stateHome)
        var applied = 0
        for jobID in request.upstreamJobIDs {
            for layer in store.layers(workflowID: request.workflowID, jobID: jobID) {
                do {
                    let count = try await sandbox.files.extract(layer, into: target)
                    log.line("Applied the layer of job \(jobID) (\(count) entries) at '\(target)'.")
                    applied += 1
                } catch {
                    return log.failed(
                        "Cannot attach the workspace of job \(jobID) at '\(at)'"
                            + (target == at ? "" : " ('\(target)')") + ": \(error.message)")
                }
            }
        }
        if applied == 0 {
            return log.succeeded(
                "No upstream job persisted to the workspace; nothing attached at '\(target)'. Jobs that persist "
                    + "must be listed in `requires` (directly or not).")
        }
        return log.succeeded("Attached \(applied) workspace layers at '\(target)'.")
    }
}
