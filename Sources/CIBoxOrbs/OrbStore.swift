// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxConfig
package import CIBoxModel
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One orb in the store.
package struct StoredOrb: Sendable, Equatable {
    /// Its name and exact version.
    package var reference: OrbReference
    /// Its file, absolute.
    package var path: String
    /// The file's size in bytes.
    package var size: Int
}

/// cibox's orb store for air-gapped machines: `$CIBOX_HOME/orbs/<namespace>/<name>@<version>.yml`, one orb
/// (packed YAML) per file, filled by `cibox orb add` (or by hand) and read by every compilation.
///
/// Safe to use from several processes: files are written under a temporary name and renamed into place, so a
/// reader sees the old orb or the new one, never half of one.
package struct OrbStore: Sendable {
    /// The store's folder, `$CIBOX_HOME/orbs`.
    package let folder: String

    /// The store of the state folder `home`.
    package init(home: String) {
        self.init(folder: home + "/orbs")
    }

    /// The store in `folder`.
    package init(folder: String) {
        self.folder = folder
    }

    /// The file that holds `reference` (its version taken as exact).
    package func path(for reference: OrbReference) -> String {
        "\(folder)/\(reference.namespace)/\(Self.fileName(reference.name, version: reference.version))"
    }

    /// `<name>@<version>.yml`.
    static func fileName(_ name: String, version: String) -> String {
        "\(name)@\(version).yml"
    }

    /// The versions of `name` among file names of one namespace folder (`node@5.1.0.yml` gives `5.1.0`).
    static func versions(of name: String, among fileNames: [String]) -> [String] {
        let prefix = name + "@"
        return fileNames.compactMap { file in
            guard file.hasPrefix(prefix), file.hasSuffix(".yml"), file.count > prefix.count + 4 else { return nil }
            return String(file.dropFirst(prefix.count).dropLast(4))
        }
    }

    /// The versions of `namespace/name` in the store, lowest first.
    package func versions(namespace: String, name: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/\(namespace)")) ?? []
        return OrbVersionResolver.sorted(Self.versions(of: name, among: files))
    }

    /// Every orb in the store, by namespace, name, then version (lowest first).
    package func orbs() -> [StoredOrb] {
        let manager = FileManager.default
        var result: [StoredOrb] = []
        let namespaces = ((try? manager.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }
        for namespace in namespaces.sorted() {
            let files = (try? manager.contentsOfDirectory(atPath: "\(folder)/\(namespace)")) ?? []
            var byName: [String: [String]] = [:]
            for file in files where !file.hasPrefix(".") && file.hasSuffix(".yml") {
                guard let at = file.firstIndex(of: "@") else { continue }
                let name = String(file[..<at])
                byName[name, default: []] += Self.versions(of: name, among: [file])
            }
            for name in byName.keys.sorted() {
                for version in OrbVersionResolver.sorted(byName[name] ?? []) {
                    let reference = OrbReference(namespace: namespace, name: name, version: version)
                    let path = path(for: reference)
                    let size = ((try? manager.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
                    result.append(StoredOrb(reference: reference, path: path, size: size))
                }
            }
        }
        return result
    }

    /// The text of the stored orb `reference` (exact version), if the store has it as UTF-8 text.
    package func text(of reference: OrbReference) -> String? {
        FileManager.default.contents(atPath: path(for: reference)).flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// The orb `reference` resolves to here (`1.2` the highest `1.2.x`, and so on), with its text.
    package func resolve(_ reference: OrbReference) -> (reference: OrbReference, text: String)? {
        let available = versions(namespace: reference.namespace, name: reference.name)
        guard let version = OrbVersionResolver.resolve(reference.version, among: available) else { return nil }
        let exact = OrbReference(namespace: reference.namespace, name: reference.name, version: version)
        return text(of: exact).map { (exact, $0) }
    }

    /// Checks `text` as an orb and stores it as `reference`.
    ///
    /// - Parameters:
    ///   - text: The orb's YAML, such as `cibox orb pack` prints it.
    ///   - file: How diagnostics name the file it came from.
    ///   - reference: `namespace/name@version` with an exact version (`1.2.3` or `dev:label`).
    ///   - replacing: Whether an orb already stored under `reference` may be replaced.
    /// - Returns: The stored file's path and the check's warnings.
    /// - Throws: ``OrbError`` `invalid` with the diagnostics when the orb has an error, or when the name
    ///   is not an exact version; `store` when the version is already stored or the file cannot be written.
    package func add(
        _ text: String, file: String, as reference: OrbReference, replacing: Bool = false
    ) throws(OrbError) -> (path: String, warnings: [Diagnostic]) {
        try Self.checkExactVersion(reference)
        let path = path(for: reference)
        if !replacing, FileManager.default.fileExists(atPath: path) {
            throw OrbError(
                .store,
                "\(reference.text) is already in the orb store ('\(path)'). Published versions do not change: "
                    + "add the new source under a new version, or pass --force to replace it.")
        }
        let orbs = LocalOrbSource(storeFolder: folder, project: .none)
        let diagnostics = OrbCheck.check(
            ConfigSource(path: file, text: text), reference: reference, options: CompileOptions(orbs: orbs))
        if diagnostics.containsError {
            let errors = diagnostics.count { $0.severity == .error }
            throw OrbError(
                .invalid, "\(file) is not a valid orb (\(errors) error(s)); \(reference.text) was not added.",
                diagnostics: diagnostics)
        }
        do {
            try Folders.make("\(folder)/\(reference.namespace)")
            let temporary = "\(folder)/\(reference.namespace)/.\(reference.name)@\(reference.version).\(getpid()).tmp"
            try FileWriter.write(text, to: temporary)
            guard rename(temporary, path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "\(path): \(reason)"])
            }
        } catch {
            throw OrbError(
                .store, "Cannot write '\(path)': \(error.localizedDescription). Check the orb store's permissions.")
        }
        return (path, diagnostics)
    }

    /// Removes the stored orb `reference` (exact version).
    /// - Returns: The removed file's path.
    /// - Throws: ``OrbError`` `notFound` (naming the versions there are) when the store does not have it;
    ///   `store` when the file cannot be removed.
    package func remove(_ reference: OrbReference) throws(OrbError) -> String {
        let path = path(for: reference)
        // A version is one file name: never a path that leaves the orb's folder.
        guard !reference.version.contains("/"), FileManager.default.fileExists(atPath: path) else {
            let versions = versions(namespace: reference.namespace, name: reference.name)
            let has =
                versions.isEmpty
                ? "it has no version of \(reference.namespace)/\(reference.name)"
                : "it has \(reference.namespace)/\(reference.name) \(versions.joined(separator: ", "))"
            throw OrbError(
                .notFound, "\(reference.text) is not in the orb store ('\(folder)'): \(has). See `cibox orb list`.")
        }
        guard unlink(path) == 0 else {
            throw OrbError(
                .store, "Cannot remove '\(path)': \(String(cString: strerror(errno))). Check its permissions.")
        }
        return path
    }

    /// Refuses names whose version is not one published version: `1.2.3` or `dev:label`.
    /// - Throws: ``OrbError`` `invalid` that says how to name a version.
    package static func checkExactVersion(_ reference: OrbReference) throws(OrbError) {
        let version = reference.version
        if OrbVersion(version) != nil { return }
        let label = version.hasPrefix("dev:") ? version.dropFirst(4) : ""
        if !label.isEmpty, label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }),
            !label.hasPrefix(".")
        {
            return
        }
        throw OrbError(
            .invalid,
            "'\(reference.text)' does not name one version: store an orb as NAMESPACE/NAME@MAJOR.MINOR.PATCH "
                + "(such as \(reference.namespace)/\(reference.name)@1.2.3) or NAMESPACE/NAME@dev:LABEL. "
                + "Configs that ask for @1, @1.2 or @volatile get the highest stored version that fits.")
    }
}
