// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxImages
import CIBoxModel
import Foundation
import Synchronization

/// Gets images from registries into the store, with skopeo: on first use by a job (before it takes a slot) and for
/// `cibox image pull`.
///
/// Every pull is pinned: the registry is asked for the tag's manifest digest first, and skopeo copies exactly that
/// manifest, whose bytes and blobs the store verifies again before anything enters it. Two jobs (of any cibox process
/// on the store) that need the same image wait for one pull. Safe from many tasks at once.
package final class ImagePuller: Sendable {
    /// The store pulled images go into.
    package let store: ImageStore
    /// Mirrors, insecure registries, the pull policy and the stored logins.
    package let options: RegistryOptions
    let skopeo: Skopeo?
    private let flights = Mutex<[String: PullFlight]>([:])
    /// Per pipeline, the digest each tag was resolved to (`pull: always` asks once per pipeline); the newest
    /// pipelines only.
    private let resolved = Mutex<[(pipeline: Int64, reference: String, digest: String)]>([])
    /// Registries found unreachable, with when and the error: asked again only after ``unreachableFor`` (on an
    /// air-gapped machine every job naming a Docker Hub image would wait for the network to fail again).
    private let unreachable = Mutex<[String: (at: ContinuousClock.Instant, error: RegistryError)]>([:])
    /// How long a registry found unreachable is not asked again.
    static let unreachableFor = Duration.seconds(60)

    /// Makes a puller.
    /// - Parameter skopeo: the registry client; nil when none is installed (every pull then fails saying so).
    package init(store: ImageStore, options: RegistryOptions, skopeo: Skopeo? = Skopeo.find()) {
        self.store = store
        self.options = options
        self.skopeo = skopeo
    }

    /// The stored image a job of pipeline `pipeline` runs for `reference`, pulled first when the policy says so.
    /// - Parameters:
    ///   - login: the `docker:` entry's `auth:`, for the image's registry.
    ///   - report: told about the pull as it goes (a line at a time).
    /// - Throws: ``RegistryError`` with the registry's answer and what to do, or `refused` under `pull: never` when
    ///   the store lacks the image.
    package func image(
        for reference: ImageReference, login: RegistryLogin?, pipeline: Int64?,
        report: @escaping @Sendable (String) -> Void
    ) async throws(RegistryError) -> ImageRecord {
        let records = (try? store.images()) ?? []
        if let digest = reference.digest, let found = Self.record(of: reference, digest: digest, in: records) {
            return found
        }
        let stored = reference.digest == nil ? records.first { $0.reference == reference.description } : nil
        switch options.pull {
        case .never:
            if let stored { return stored }
            throw RegistryError(
                .refused,
                "The image '\(reference)' is not in cibox's image store, and settings say `images: { pull: never }`. "
                    + "Load it with `cibox image load FILE`, or pull it with `cibox image pull \(reference)`.")
        case .missing:
            if let stored { return stored }
            return try await pull(reference, login: login, report: report).record
        case .always:
            if let pipeline, let digest = pinned(reference, pipeline: pipeline),
                let found = Self.record(of: reference, digest: digest, in: records)
            {
                return found
            }
            do {
                let record = try await pull(reference, login: login, report: report).record
                if let pipeline { pin(reference, to: record.digest, pipeline: pipeline) }
                return record
            } catch {
                // The registry is away: the image already here is used, as a build server must go on.
                guard error.code == .unreachable, let record = stored else { throw error }
                report(
                    "Could not ask the registry for '\(reference)' (\(error.message)); using the stored "
                        + "\(record.digest).")
                if let pipeline { pin(reference, to: record.digest, pipeline: pipeline) }
                return record
            }
        }
    }

    /// Asks the registry for `reference`'s digest and pulls it unless the store has it under that name.
    /// - Returns: the record, and whether anything was copied.
    package func pull(
        _ reference: ImageReference, login: RegistryLogin?, report: @escaping @Sendable (String) -> Void
    ) async throws(RegistryError) -> (record: ImageRecord, pulled: Bool) {
        guard let skopeo else {
            throw RegistryError(
                .noClient,
                "Cannot pull '\(reference)': skopeo is not installed (Debian: skopeo; scripts/install-deps.sh "
                    + "installs it), or CIBOX_SKOPEO names no program.")
        }
        let session = try PullSession(
            folder: store.folder + "/tmp/load-\(getpid())-pull\(UUID().uuidString.prefix(8).lowercased())",
            options: options, logins: login.map { [reference.registry: $0] } ?? [:])
        if let known = unreachable.withLock({ $0[reference.registry] }),
            ContinuousClock.now - known.at < Self.unreachableFor
        {
            throw Self.explained(known.error, reference: reference, options: options, login: login)
        }
        let manifest: RegistryManifest
        do {
            manifest = try await RegistryManifest.fetch(reference, skopeo: skopeo, session: session)
        } catch {
            if error.code == .unreachable {
                unreachable.withLock { $0[reference.registry] = (ContinuousClock.now, error) }
            }
            throw Self.explained(error, reference: reference, options: options, login: login)
        }
        let name = Self.name(of: reference, digest: manifest.digest)
        if let found = ((try? store.images()) ?? []).first(where: {
            $0.reference == name.description && $0.digest == manifest.digest
        }) {
            return (found, false)
        }
        let key = SHA256Digest.hex(SHA256Digest.of(Array("\(name)|\(manifest.digest)".utf8)))
        let (flight, isNew) = flights.withLock { flights -> (PullFlight, Bool) in
            if let flight = flights[key] {
                flight.join()
                return (flight, false)
            }
            let flight = PullFlight()
            flight.join()
            flights[key] = flight
            return (flight, true)
        }
        if isNew {
            let copy = PullCopy(
                store: store, skopeo: skopeo, session: session, name: name, manifest: manifest, key: key,
                report: report)
            flight.start {
                () async throws(RegistryError) -> ImageRecord in
                do throws(RegistryError) {
                    return try await copy.run()
                } catch {
                    throw Self.explained(error, reference: reference, options: self.options, login: login)
                }
            } ended: { [weak self] in
                _ = self?.flights.withLock { $0.removeValue(forKey: key) }
            }
        }
        if !isNew { report("Waiting for the pull of \(name) (\(manifest.digest)) that another job started") }
        let record = try await flight.wait()
        if !isNew { report("Pulled \(name) (\(manifest.digest)) for another job too") }
        return (record, true)
    }

    /// The name a pulled image gets: the tag it was asked by, else `registry/repo@digest`.
    static func name(of reference: ImageReference, digest: String) -> ImageReference {
        if reference.digest == nil, let tag = reference.tag { return reference.tagged(tag) }
        var name = reference
        name.tag = nil
        name.digest = digest
        return name
    }

    /// The record of `reference`'s repository with `digest`: its tag's first, else any name of that repository
    /// (the store's own lookup of a pinned reference).
    static func record(of reference: ImageReference, digest: String, in records: [ImageRecord]) -> ImageRecord? {
        var pinned = reference
        pinned.digest = digest
        return (try? ImageStore.matching(pinned.description, in: records))?.first
    }

    private func pinned(_ reference: ImageReference, pipeline: Int64) -> String? {
        resolved.withLock { entries in
            entries.last { $0.pipeline == pipeline && $0.reference == reference.description }?.digest
        }
    }

    private func pin(_ reference: ImageReference, to digest: String, pipeline: Int64) {
        resolved.withLock { entries in
            entries.append((pipeline, reference.description, digest))
            if entries.count > 512 { entries.removeFirst(entries.count - 512) }
        }
    }

    /// `error` with what it means for `reference` and what to do.
    static func explained(
        _ error: RegistryError, reference: ImageReference, options: RegistryOptions, login: RegistryLogin?
    ) -> RegistryError {
        let registry = reference.registry
        let via = options.mirror(of: registry).map { " (through its mirror \($0))" } ?? ""
        let answer = error.message
        switch error.code {
        case .unauthorized:
            let credentials =
                login != nil
                ? "the job's `auth:` for it"
                : "a login (`cibox registry login \(options.mirror(of: registry) ?? registry)`)"
            return RegistryError(
                .unauthorized,
                "The registry \(registry)\(via) refused to give '\(reference)': \(answer). Check \(credentials), and "
                    + "that the user may pull this repository.")
        case .notFound:
            return RegistryError(
                .notFound,
                "The registry \(registry)\(via) has no '\(reference)': \(answer). Check the image's name and tag, or "
                    + "push it there.")
        case .unreachable:
            return RegistryError(
                .unreachable,
                "Cannot reach the registry \(registry)\(via) for '\(reference)': \(answer). Set "
                    + "`images: { registry_mirrors: { \(registry): HOST } }` to pull through a registry this "
                    + "machine reaches, or load the image with `cibox image load FILE`.")
        case .noClient, .refused:
            return error
        case .badImage, .failed:
            return RegistryError(error.code, "Cannot pull '\(reference)' from \(registry)\(via): \(answer)")
        }
    }
}
