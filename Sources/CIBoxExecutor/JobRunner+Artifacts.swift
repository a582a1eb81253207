// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel

extension JobRunner {
    /// `store_artifacts`: copies the file or folder at `path` to `$CIBOX_HOME/artifacts/<job>/<destination>`
    /// (default: `path`'s last component). A missing path is a log line and the step succeeds, as in CircleCI;
    /// symbolic links leading outside the job's folder are refused (a log line each); a destination that would
    /// leave the artifact folder fails the step.
    func runStoreArtifacts(path: String, destination: String?, context: StepContext, logFD: Int32) -> (
        StepResult, String?
    ) {
        var log = BuiltInLog(fd: logFD)
        let source = view.resolve(path, relativeTo: context.workingDirectory)
        let store = ArtifactStore(home: stateHome)
        let name = destination ?? Paths.lastComponent(source)
        guard let target = store.target(jobID: request.jobID, destination: name) else {
            return log.failed(
                "Refused to store artifacts at '\(name)': the destination leaves the job's artifact folder "
                    + "'\(store.folder(jobID: request.jobID))'. Remove '..' from `destination`.")
        }
        guard sandbox.files.kind(of: source) != nil else {
            return log.succeeded("No artifact files found at '\(source)'; nothing stored.")
        }
        do {
            let count = try sandbox.files.export(source, to: target) { log.line($0) }
            return log.succeeded("Stored \(count) artifact files from '\(source)' at '\(target)'.")
        } catch {
            return log.failed("Cannot store artifacts from '\(source)': \(error.message)")
        }
    }
}
