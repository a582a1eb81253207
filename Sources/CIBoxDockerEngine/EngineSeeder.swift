// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxImages
import Foundation

/// Gives a new engine the images of cibox's store, so that `FROM` and `docker run` find them with no registry:
/// each image is shown to skopeo as a `dir:` folder whose blobs are links to the store's (nothing is copied twice),
/// and copied into the engine's storage. With `docker_layer_caching` an image already given is not given again.
struct EngineSeeder {
    let store: ImageStore
    let files: EngineFiles
    let skopeo: String

    /// Copies every image of the store the engine's storage lacks.
    /// - Returns: the names given, for the step's log.
    func seed() async -> (given: [String], failed: [String]) {
        let records = (try? store.images()) ?? []
        var given: [String] = []
        var failed: [String] = []
        let marks = files.storage + "/seeded"
        try? Folders.make(marks)
        for record in records where !record.reference.contains("@") {
            let mark = marks + "/" + SHA256Digest.hex(SHA256Digest.of(Array((record.reference + record.digest).utf8)))
            if access(mark, F_OK) == 0 { continue }
            guard let view = view(of: record.digest) else {
                failed.append(record.reference)
                continue
            }
            var arguments = ["copy", "-q"]
            if access(EngineFiles.systemPolicy, F_OK) != 0 { arguments = ["--policy", files.policy] + arguments }
            arguments += [
                "dir:" + view, "containers-storage:[overlay@\(files.storage)/root+\(files.runRoot)]" + record.reference,
            ]
            let output = try? await ExternalCommand(
                skopeo, arguments, environment: files.environment, timeout: .seconds(600)
            ).run()
            if output?.status == 0 {
                given.append(record.reference)
                _ = FileManager.default.createFile(atPath: mark, contents: nil)
            } else {
                failed.append(record.reference + ": " + Self.reason(output))
            }
        }
        // skopeo leaves the storage's own bind mount behind in this mount namespace.
        PodmanEngine.unmount(under: files.storage)
        return (given, failed)
    }

    /// The last line skopeo said, or why it did not run.
    private static func reason(_ output: ExternalCommand.Output?) -> String {
        guard let output else { return "skopeo did not run" }
        let lines = output.stderr.split(separator: "\n")
        return lines.last.map(String.init) ?? "skopeo ended with status \(output.status)"
    }

    /// A `dir:` folder for the manifest `digest`: its bytes, and links to its config and layers in the store.
    private func view(of digest: String) -> String? {
        let folder = files.state + "/seed/" + ImageDigest.hex(digest)
        if access(folder + "/manifest.json", F_OK) == 0 { return folder }
        guard let bytes = FileReader.contents(atPath: store.blobPath(digest)),
            let manifest = try? JSONDecoder().decode(ImageManifest.self, from: Data(bytes)),
            (try? Folders.make(folder)) != nil,
            (try? Data(bytes).write(to: URL(fileURLWithPath: folder + "/manifest.json"))) != nil,
            (try? FileWriter.write("Directory Transport Version: 1.1\n", to: folder + "/version")) != nil
        else { return nil }
        for blob in [manifest.config] + manifest.layers {
            let hex = ImageDigest.hex(blob.digest)
            guard symlink(store.blobPath(blob.digest), folder + "/" + hex) == 0 || errno == EEXIST else { return nil }
        }
        return folder
    }
}

extension EngineFiles {
    /// The signature policy skopeo and Podman read when none is given.
    static let systemPolicy = "/etc/containers/policy.json"
}
