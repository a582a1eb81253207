// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// Copies what the service container logs on the shared folder (`logs/containers/<NAME>.log`, written by the
/// runner on the node) gained into cibox's own log folder of the job run, as ``StepLogCopy`` does for step logs.
enum ContainerLogCopy {
    /// The folder of the container logs under a job run's log folder.
    static let folderName = "containers"

    /// Appends what each regular `*.log` file of `source` gained to the file of the same name in `destination`
    /// (made when missing).
    static func copy(from source: String, to destination: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: source) else { return }
        var madeFolder = false
        for name in names.sorted() where name.hasSuffix(".log") {
            let attributes = try? FileManager.default.attributesOfItem(atPath: source + "/" + name)
            guard attributes?[.type] as? FileAttributeType == .typeRegular else { continue }
            if !madeFolder {
                guard (try? Folders.make(destination)) != nil else { return }
                madeFolder = true
            }
            StepLogCopy.copy(from: source + "/" + name, to: destination + "/" + name)
        }
    }
}
