// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxArchives
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The workspaces of workflow runs: `$CIBOX_HOME/workspaces/<workflowID>/<jobID>.tar.zst`, one layer per
/// `persist_to_workspace` step of each job run (a job run's second layer is `<jobID>-2.tar.zst`, and so on).
///
/// Each node of a parallel job is its own job run, so its layer is its own file. Attaching applies the layers
/// of the given job runs in order, later layers over earlier ones. Layers are written to a temporary file and
/// renamed into place, so a reader never sees half a layer.
package struct WorkspaceStore: Sendable {
    /// `$CIBOX_HOME/workspaces`.
    package var root: String

    /// The workspace store of the state folder `home`.
    package init(home: String) {
        root = home + "/workspaces"
    }

    /// The folder of a workflow run's layers.
    package func folder(workflowID: Int64) -> String { "\(root)/\(workflowID)" }

    /// The layers of job run `jobID`, in the order they were persisted.
    package func layers(workflowID: Int64, jobID: Int64) -> [String] {
        let folder = folder(workflowID: workflowID)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var numbered: [(Int, String)] = []
        for file in files where file.hasSuffix(".tar.zst") {
            let stem = file.dropLast(".tar.zst".count)
            if stem == String(jobID) {
                numbered.append((1, file))
            } else if stem.hasPrefix("\(jobID)-"), let number = Int(stem.dropFirst("\(jobID)-".count)) {
                numbered.append((number, file))
            }
        }
        return numbered.sorted { $0.0 < $1.0 }.map { "\(folder)/\($0.1)" }
    }

    /// Gives job run `newJobID` of workflow run `newWorkflowID` the layers `oldJobID` persisted in
    /// `oldWorkflowID` (a rerun keeps the jobs that passed, and their workspace with them). Hard links where
    /// possible, copies otherwise.
    /// - Throws: when a layer can be neither linked nor copied.
    package func reuse(
        workflowID oldWorkflowID: Int64, jobID oldJobID: Int64, as newJobID: Int64, in newWorkflowID: Int64
    ) throws {
        let layers = layers(workflowID: oldWorkflowID, jobID: oldJobID)
        guard !layers.isEmpty else { return }
        let target = folder(workflowID: newWorkflowID)
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        for layer in layers {
            let name = (layer as NSString).lastPathComponent
            let suffix = name.dropFirst(String(oldJobID).count)
            let destination = target + "/" + String(newJobID) + suffix
            if (try? FileManager.default.linkItem(atPath: layer, toPath: destination)) == nil {
                try FileManager.default.copyItem(atPath: layer, toPath: destination)
            }
        }
    }

    /// Writes a new layer of job run `jobID` holding `names` (relative to `root`, `.` for the root itself), from
    /// cibox's own files (tests; jobs go through ``persist(workflowID:jobID:write:)`` and their sandbox).
    /// - Returns: the layer's path and size in bytes.
    /// - Throws: `StorageError` when the layer cannot be written.
    package func persist(workflowID: Int64, jobID: Int64, root sourceRoot: String, names: [String])
        throws(StorageError) -> (path: String, size: Int64)
    {
        let temporary = try temporaryFile(workflowID: workflowID)
        defer { unlink(temporary) }
        try archiving { () throws(ArchiveError) in
            let writer = try ArchiveWriter(path: temporary)
            for name in names { try writer.add(tree: name == "." ? sourceRoot : sourceRoot + "/" + name, as: name) }
            try writer.finish()
        }
        return try commit(temporary, workflowID: workflowID, jobID: jobID)
    }

    /// Stores the archive `write` writes to the path it is given as a new layer of job run `jobID`.
    /// - Returns: the layer's path and size in bytes.
    /// - Throws: `StorageError` when the layer cannot be stored, or what `write` throws.
    package func persist(workflowID: Int64, jobID: Int64, write: (String) async throws(StorageError) -> Void)
        async throws(StorageError) -> (path: String, size: Int64)
    {
        let temporary = try temporaryFile(workflowID: workflowID)
        defer { unlink(temporary) }
        try await write(temporary)
        return try commit(temporary, workflowID: workflowID, jobID: jobID)
    }

    private func temporaryFile(workflowID: Int64) throws(StorageError) -> String {
        let folder = folder(workflowID: workflowID)
        try StoreFiles.makeFolder(folder)
        return "\(folder)/.tmp-\(UUID().uuidString)"
    }

    /// Links the finished layer `temporary` in as job run `jobID`'s next layer.
    private func commit(_ temporary: String, workflowID: Int64, jobID: Int64) throws(StorageError)
        -> (path: String, size: Int64)
    {
        let folder = folder(workflowID: workflowID)
        var info = stat()
        let size = stat(temporary, &info) == 0 ? Int64(info.st_size) : 0
        var number = layers(workflowID: workflowID, jobID: jobID).count + 1
        while true {
            let path = "\(folder)/\(jobID)\(number == 1 ? "" : "-\(number)").tar.zst"
            if link(temporary, path) == 0 { return (path, size) }
            guard errno == EEXIST else {
                throw StorageError(
                    .io, "Cannot store the workspace layer '\(path)': \(String(cString: strerror(errno))).")
            }
            number += 1
        }
    }
}
