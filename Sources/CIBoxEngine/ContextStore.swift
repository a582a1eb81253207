// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxModel
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Contexts kept by `cibox context set`: one JSON file per context under `$CIBOX_HOME/contexts/`, readable by
/// its owner only. They add to (and win over) the contexts of `settings.yml`.
package struct ContextStore: Sendable {
    /// `$CIBOX_HOME/contexts`.
    package let folder: String

    /// The store of `home`.
    package init(home: String) {
        folder = home + "/contexts"
    }

    /// The variables of context `name` kept here.
    package func variables(of name: String) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: file(name)),
            let variables = try? JSONDecoder().decode([String: String].self, from: data)
        else { return [:] }
        return variables
    }

    /// The names of the contexts kept here.
    package func names() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return entries.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Sets `key` to `value` in context `name`.
    /// - Throws: ``EngineError`` when the name or key is not usable or the file cannot be written.
    package func set(_ key: String, to value: String, in name: String) throws(EngineError) {
        try Self.check(name: name, key: key)
        var variables = variables(of: name)
        variables[key] = value
        try save(variables, name)
    }

    /// Removes `key` from context `name`, or the whole context when `key` is nil.
    /// - Returns: whether something was removed.
    @discardableResult
    package func remove(_ key: String?, from name: String) throws(EngineError) -> Bool {
        guard let key else { return (try? FileManager.default.removeItem(atPath: file(name))) != nil }
        var variables = variables(of: name)
        guard variables.removeValue(forKey: key) != nil else { return false }
        try save(variables, name)
        return true
    }

    private func file(_ name: String) -> String {
        folder + "/" + name + ".json"
    }

    private func save(_ variables: [String: String], _ name: String) throws(EngineError) {
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
            )
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let text = String(decoding: try encoder.encode(variables), as: UTF8.self)
            let temporary = file(name) + ".tmp"
            try FileWriter.write(text, to: temporary, mode: 0o600)
            guard rename(temporary, file(name)) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            throw EngineError(
                .store, "Cannot save context '\(name)' in '\(folder)': \(error.localizedDescription)", cause: error)
        }
    }

    private static func check(name: String, key: String) throws(EngineError) {
        let allowedName = name.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) } && !name.hasPrefix(".")
        guard !name.isEmpty, allowedName else {
            throw EngineError(.invalidConfig, "Context name '\(name)' may only use letters, digits, '-', '_' and '.'.")
        }
        let allowedKey =
            key.first.map { $0 == "_" || $0.isLetter } == true
            && key.allSatisfy { $0 == "_" || $0.isLetter || $0.isNumber }
        guard allowedKey else {
            throw EngineError(
                .invalidConfig, "'\(key)' is not a valid environment variable name (letters, digits, '_').")
        }
    }
}

extension PipelineEngine {
    /// The project's and the contexts' variables for a job naming `contexts`, and the contexts that exist
    /// nowhere.
    func secretVariables(project: String, contexts: [String]) -> ([EnvironmentVariable], missing: [String]) {
        let store = ContextStore(home: home)
        var variables = (settings.projectEnvironment[project] ?? [:]).sorted { $0.key < $1.key }
            .map { EnvironmentVariable(name: $0.key, value: $0.value) }
        var missing: [String] = []
        for name in contexts {
            let kept = store.variables(of: name)
            guard let fromSettings = settings.contexts[name] ?? (kept.isEmpty ? nil : [:]) else {
                missing.append(name)
                continue
            }
            let merged = fromSettings.merging(kept) { _, local in local }
            variables += merged.sorted { $0.key < $1.key }.map { EnvironmentVariable(name: $0.key, value: $0.value) }
        }
        return (variables, missing)
    }
}
