// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxImages
import Foundation

/// `cibox image`: the images jobs run in.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Load, pull, list or remove the images jobs run in.",
        subcommands: [ImageLoadCommand.self, ImagePullCommand.self, ImageListCommand.self, ImageRemoveCommand.self]
    )

    /// Prints `error` and throws the exit code: a fault of the input is 2, of the state folder 3.
    static func fail(_ error: ImageError) -> ExitCode {
        Terminal.fail(error.message)
        return error.code == .io ? ExitCodes.infrastructure : ExitCodes.cannotRun
    }
}

/// `cibox image load FILE|-`: a docker-archive, an oci-archive or an OCI layout folder into the store.
struct ImageLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load the images of a docker-archive, an oci-archive or an OCI layout folder.",
        discussion: """
            What `docker save`, `podman save` or `skopeo copy` write. The image's name comes from the archive \
            (RepoTags, io.containerd.image.name, or a full org.opencontainers.image.ref.name), else from --tag. \
            Every digest is checked and the layers are unpacked before anything enters the store.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: ArgumentHelp(
            "The archive or OCI layout folder; - reads an archive from standard input.", valueName: "file"))
    var source: String

    @Option(
        help: ArgumentHelp(
            "A name for the image: added to the archive's own when it holds one image, needed when it names none.",
            valueName: "ref"))
    var tag: String?

    func run() throws {
        // The store lives beside caches and artifacts (the Slurm shared folder when one is set up).
        let storage = try HistoryAccess.storageDirectory(global)
        do throws(ImageError) {
            let store = ImageStore(home: storage)
            for record in try store.load(source, tag: tag) {
                Terminal.output("Loaded \(record.reference) (\(record.digest))\n")
            }
        } catch {
            throw ImageCommand.fail(error)
        }
    }
}

/// `cibox image list`: the names in the store.
struct ImageListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the images in the store.",
        discussion: "Columns: reference, manifest digest, size, last used."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print a JSON array on standard output.")
    var json = false

    func run() throws {
        // The store lives beside caches and artifacts (the Slurm shared folder when one is set up).
        let storage = try HistoryAccess.storageDirectory(global)
        let records: [ImageRecord]
        do throws(ImageError) {
            records = try ImageStore(home: storage).images()
        } catch {
            throw ImageCommand.fail(error)
        }
        if json {
            Terminal.output(json: .array(records.map(Self.object)))
            return
        }
        if records.isEmpty { Terminal.output("No images.\n") }
        for record in records {
            let used = record.lastUsedAt.map { Date(timeIntervalSince1970: $0).iso8601 } ?? "never"
            Terminal.output("\(record.reference)\t\(record.digest)\t\(ByteCount.format(record.size))\t\(used)\n")
        }
    }

    /// The `--json` shape of one name.
    static func object(_ record: ImageRecord) -> JSONValue {
        .object([
            ("reference", .string(record.reference)),
            ("digest", .string(record.digest)),
            ("size", .int(record.size)),
            ("loaded_at", .string(Date(timeIntervalSince1970: record.loadedAt).iso8601)),
            ("last_used_at", record.lastUsedAt.map { .string(Date(timeIntervalSince1970: $0).iso8601) } ?? .null),
        ])
    }
}

/// `cibox image remove REF`: a name, and what no other name needs.
struct ImageRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove an image's name; its blobs and root go when no other name needs them."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("A reference (node:20) or a manifest digest (sha256:…).", valueName: "ref"))
    var reference: String

    func run() throws {
        // The store lives beside caches and artifacts (the Slurm shared folder when one is set up).
        let storage = try HistoryAccess.storageDirectory(global)
        do throws(ImageError) {
            for record in try ImageStore(home: storage).remove(reference) {
                Terminal.output("Removed \(record.reference) (\(record.digest))\n")
            }
        } catch {
            throw ImageCommand.fail(error)
        }
    }
}
