// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel

#if canImport(Glibc)
    import Glibc
#endif

extension JobRunner {
    /// `store_artifacts`: copies the file or folder at `path` (read by the job's helper, as the job's user) to
    /// `$CIBOX_HOME/artifacts/<job>/<destination>` (default: `path`'s last component). A missing path is a log line
    /// and the step succeeds, as in CircleCI; symbolic links leading outside the job's folder are refused (a log
    /// line each); a destination that would leave the artifact folder fails the step. What would pass the job's
    /// artifact limit, or not fit on the disk, is refused before anything is written (`infrastructure`); sparse
    /// files stay sparse; a copy that fails leaves nothing listed.
    func runStoreArtifacts(path: String, destination: String?, context: StepContext, logFD: Int32) async -> (
        StepResult, String?
    ) {
        var log = BuiltInLog(fd: logFD, secrets: request.secrets)
        let source = view.resolve(path, relativeTo: context.workingDirectory)
        let store = ArtifactStore(home: stateHome)
        let name = destination ?? Paths.lastComponent(source)
        guard let target = store.target(jobID: request.jobID, destination: name) else {
            return log.failed(
                "Refused to store artifacts at '\(name)': the destination leaves the job's artifact folder "
                    + "'\(store.folder(jobID: request.jobID))'. Remove '..' from `destination`.")
        }
        guard await sandbox.files.kind(of: source) != nil else {
            return log.succeeded("No artifact files found at '\(source)'; nothing stored.")
        }
        do {
            let size = try await sandbox.files.measure(source)
            if let refusal = artifactRefusal(size, store: store, source: source) {
                return log.failedInfrastructure(refusal)
            }
            let count = try await sandbox.files.export(source, to: target) { log.line($0) }
            return log.succeeded("Stored \(count) artifact entries from '\(source)' at '\(target)'.")
        } catch {
            FolderTree.remove(target)
            let message = "Cannot store artifacts from '\(source)': \(error.message)"
            return error.code == .refused ? log.failed(message) : log.failedInfrastructure(message)
        }
    }

    /// Why `size` may not be stored: past the job's artifact limit, or more than the disk has free.
    private func artifactRefusal(_ size: ExportSize, store: ArtifactStore, source: String) -> String? {
        let stored = store.list(jobID: request.jobID).reduce(Int64(0)) { $0 + $1.size }
        if stored + size.apparentBytes > request.artifactLimit {
            return "Refused to store artifacts from '\(source)': \(ByteCount.format(size.apparentBytes)) in "
                + "\(size.files) files would pass this job's artifact limit of \(ByteCount.format(request.artifactLimit))"
                + " (\(ByteCount.format(stored)) stored already). Store less, or raise `artifacts: { max_size }` "
                + "in settings.yml."
        }
        var info = statvfs()
        if statvfs(store.root.isEmpty ? "/" : Paths.parent(store.root), &info) == 0 {
            let free = Int64(info.f_bavail) * Int64(info.f_frsize)
            if size.allocatedBytes > free {
                return "Refused to store artifacts from '\(source)': they take \(ByteCount.format(size.allocatedBytes))"
                    + " and the disk holding '\(store.root)' has \(ByteCount.format(free)) free (no space left on "
                    + "device). Free space (cibox gc) and run the job again."
            }
        }
        return nil
    }
}
