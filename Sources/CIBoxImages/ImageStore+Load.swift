// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxArchives
import CIBoxBasics
import Foundation

extension ImageStore {
    /// Loads every image of `source`: a docker-archive, an oci-archive (a file, or `-` for standard input), an OCI
    /// layout folder, or skopeo's `dir:` layout folder. Each image is verified (every digest), unpacked aside (which
    /// refuses unsafe layers), and only then moved into the store under its names: the archive's, else `tag`.
    /// A name that pointed at another manifest moves; the manifest it left keeps a digest record
    /// (`registry/repository@sha256:…`) when no other name of that repository holds it, so that a job pinned to it
    /// still finds it.
    /// - Parameter expectedDigest: the manifest digest the image must have (a pull by digest): another one is
    ///   refused before anything enters the store. The digest of the index the manifest was chosen from matches too.
    /// - Returns: the names added or moved.
    /// - Throws: `ImageError` naming the input and what is wrong with it; the store is then unchanged.
    package func load(_ source: String, tag: String? = nil, expectedDigest: String? = nil) throws(ImageError)
        -> [ImageRecord]
    {
        let label = source == "-" ? "standard input" : "'\(source)'"
        let staging = stagingFolder + "/load-\(getpid())-\(UUID().uuidString.prefix(8))"
        do {
            try Folders.make(staging)
        } catch {
            throw ImageError(.io, "Cannot make '\(staging)': \(error).")
        }
        defer { FolderTree.remove(staging) }
        let content = try stage(source, label: label, into: staging)
        var candidates = try Self.candidates(in: content, label: label)
        if let expectedDigest {
            for candidate in candidates
            where candidate.digest != expectedDigest && candidate.indexDigest != expectedDigest {
                throw ImageError(
                    .digestMismatch,
                    "\(label.capitalizedFirst) holds the manifest \(candidate.digest), not the expected "
                        + "\(expectedDigest): nothing was loaded.")
            }
        }
        let named = try tag.map { text throws(ImageError) in try ImageReference(parsing: text) }
        for index in candidates.indices where candidates[index].names.isEmpty || candidates.count == 1 {
            if let named { candidates[index].names.append(named) }
            guard !candidates[index].names.isEmpty else {
                if DirectoryLayoutReader.isLayout(content) {
                    throw ImageError(
                        .badReference,
                        "\(label.capitalizedFirst) is skopeo's dir: layout, which does not name its image: give it "
                            + "one with --tag REF.")
                }
                throw ImageError(
                    .badReference,
                    "\(label.capitalizedFirst) does not name its image (no RepoTags, io.containerd.image.name or "
                        + "full org.opencontainers.image.ref.name): give it one with --tag REF.")
            }
        }
        removeAbandonedWork()
        for (number, candidate) in zip(1..., candidates)
        where !FileManager.default.fileExists(atPath: rootPath(candidate.digest)) {
            try RootUnpacker.unpack(
                candidate.manifest, blob: { candidate.blobs[$0] ?? "" }, into: staging + "/root-\(number)",
                image: "\(candidate.names[0]) in \(label)")
        }
        return try commit(candidates, staging: staging)
    }

    /// The verified images of the staged input `content`: a `dir:` layout (it has a `version` file), an OCI layout
    /// (an `index.json`) or a docker-archive (a `manifest.json`).
    private static func candidates(in content: String, label: String) throws(ImageError) -> [LoadedCandidate] {
        if DirectoryLayoutReader.isLayout(content) {
            let verifier = DirectoryLayoutReader.verifier(content: content, source: label)
            return [try DirectoryLayoutReader(verifier: verifier).candidate()]
        }
        let verifier = BlobVerifier(content: content, source: label)
        if FileManager.default.fileExists(atPath: content + "/index.json") {
            return try OCILayoutReader(verifier: verifier).candidates()
        }
        guard FileManager.default.fileExists(atPath: content + "/manifest.json") else {
            throw ImageError(
                .badArchive,
                "\(label.capitalizedFirst) is not an image archive: it has neither an index.json (OCI) nor a "
                    + "manifest.json (docker-archive).")
        }
        return try DockerArchiveReader(verifier: verifier).candidates()
    }

    /// The folder holding the input's files: the layout folder copied, or the archive unpacked.
    private func stage(_ source: String, label: String, into staging: String) throws(ImageError) -> String {
        let content = staging + "/content"
        var isFolder: ObjCBool = false
        if source != "-", FileManager.default.fileExists(atPath: source, isDirectory: &isFolder), isFolder.boolValue {
            do {
                try FileManager.default.copyItem(atPath: source, toPath: content)
            } catch {
                throw ImageError(.badArchive, "Cannot read the image folder \(label): \(error.localizedDescription)")
            }
            return content
        }
        do throws(ArchiveError) {
            if source == "-" {
                try ArchiveExtractor.extract(descriptor: 0, label: label, into: content)
            } else {
                try ArchiveExtractor.extract(source, into: content)
            }
        } catch {
            throw ImageError(.badArchive, "Cannot read the image archive \(label): \(error.message)")
        }
        return content
    }

    /// Moves the verified blobs and roots in, then names the images in the index, under the index's lock.
    private func commit(_ candidates: [LoadedCandidate], staging: String) throws(ImageError) -> [ImageRecord] {
        try catalog.update { records throws(ImageError) in
            var added: [ImageRecord] = []
            try Folders.makeForImages(blobsFolder)
            try Folders.makeForImages(rootsFolder)
            for (number, candidate) in zip(1..., candidates) {
                let manifestFile = staging + "/manifest-\(number)"
                try FileWriter.writeForImages(candidate.manifestBytes, to: manifestFile)
                try moveIn(manifestFile, to: blobPath(candidate.digest))
                for (digest, file) in candidate.blobs { try moveIn(file, to: blobPath(digest)) }
                try moveRoot(staging + "/root-\(number)", to: candidate.digest)
                let now = Date().timeIntervalSince1970
                for name in candidate.names {
                    let record = ImageRecord(
                        reference: name.description, digest: candidate.digest, size: candidate.size, loadedAt: now,
                        lastUsedAt: nil)
                    let moved = records.filter { $0.reference == record.reference && $0.digest != record.digest }
                    // A digest record of this repository is not needed any more once a name holds its manifest.
                    records.removeAll {
                        $0.reference == record.reference || $0.reference == name.pinned(record.digest).description
                    }
                    records.append(record)
                    added.append(record)
                    for old in moved { Self.keepByDigest(old, of: name, in: &records) }
                }
            }
            try collectGarbage(keeping: records)
            return added
        }
    }

    /// Adds the digest record of `old` (a name that now points elsewhere) unless another name of its repository
    /// still holds its manifest.
    private static func keepByDigest(_ old: ImageRecord, of name: ImageReference, in records: inout [ImageRecord]) {
        let pinned = name.pinned(old.digest)
        guard !records.contains(where: { $0.digest == old.digest && pinned.holds($0.reference) }) else { return }
        records.append(
            ImageRecord(
                reference: pinned.description, digest: old.digest, size: old.size, loadedAt: old.loadedAt,
                lastUsedAt: old.lastUsedAt))
    }

    /// Moves `file` to `target` unless a blob is already there (same digest, same content).
    private func moveIn(_ file: String, to target: String) throws(ImageError) {
        if FileManager.default.fileExists(atPath: target) { return }
        if rename(file, target) != 0, copyfile(file, target) != 0 {
            throw ImageError(.io, "Cannot move a blob into '\(target)': \(String(cString: strerror(errno))).")
        }
    }

    /// Copies `file` to `target` (a blob of a layout folder on another file system): 0, or -1 with `errno` set.
    private func copyfile(_ file: String, _ target: String) -> Int32 {
        let partial = target + ".partial-\(getpid())"
        do {
            try FileManager.default.copyItem(atPath: file, toPath: partial)
        } catch {
            errno = EIO
            return -1
        }
        return rename(partial, target)
    }

    /// Moves an unpacked root in, under its lock, unless one is already there.
    private func moveRoot(_ root: String, to digest: String) throws(ImageError) {
        let target = rootPath(digest)
        // A root already there is complete: no lock (a running job holds it shared, and waiting for it here, under
        // the index's lock, would hold up every image lookup).
        if FileManager.default.fileExists(atPath: target) { return }
        try withRootLock(digest) { () throws(ImageError) in
            // Already there (unpacked by an earlier load, which skipped unpacking it again here).
            if FileManager.default.fileExists(atPath: target) || !FileManager.default.fileExists(atPath: root) {
                return
            }
            guard rename(root, target) == 0 else {
                throw ImageError(.io, "Cannot move a root into '\(target)': \(String(cString: strerror(errno))).")
            }
        }
    }
}

extension Folders {
    /// ``make(_:mode:)`` with the store's error.
    static func makeForImages(_ path: String) throws(ImageError) {
        do {
            try make(path)
        } catch {
            throw ImageError(.io, "Cannot make '\(path)': \(error).")
        }
    }
}

extension FileWriter {
    /// Writes `bytes` to a new file at `path`, with the store's error.
    static func writeForImages(_ bytes: [UInt8], to path: String) throws(ImageError) {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            throw ImageError(.io, "Cannot write '\(path)': \(error).")
        }
    }
}
