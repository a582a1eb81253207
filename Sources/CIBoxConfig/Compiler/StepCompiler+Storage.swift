// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxYAML

extension StepCompiler {
    /// The names CircleCI shows for the storage steps.
    static let storageStepTitles: [String: String] = [
        "save_cache": "Saving cache",
        "restore_cache": "Restoring cache",
        "persist_to_workspace": "Persisting to workspace",
        "attach_workspace": "Attaching workspace",
        "store_artifacts": "Uploading artifacts",
        "store_test_results": "Uploading test results",
    ]

    /// `save_cache`, `restore_cache`, `persist_to_workspace`, `attach_workspace`, `store_artifacts` and
    /// `store_test_results`, with their fields checked.
    func compileStorageStep(_ kind: String, _ value: ConfigNode, at location: SourceLocation, path: String)
        -> StepPlan?
    {
        guard let entries = decoder.mapping(value, path) else { return nil }
        let name = value["name"].flatMap { decoder.string($0, "\(path).name") } ?? Self.storageStepTitles[kind] ?? kind
        var condition = StepCondition.onSuccess
        let action: StepAction?
        switch kind {
        case "save_cache":
            decoder.checkKeys(entries, in: path, known: ["name", "key", "paths", "when"])
            condition = value["when"].flatMap { stepCondition($0, "\(path).when") } ?? .onSuccess
            let key = required("key", of: value, path: path).flatMap { decoder.string($0, "\(path).key") }
            let paths = required("paths", of: value, path: path).flatMap { decoder.stringList($0, "\(path).paths") }
            action = zip2(key, paths).map { .saveCache(SaveCacheAction(key: $0, paths: $1)) }
        case "restore_cache":
            decoder.checkKeys(entries, in: path, known: ["name", "key", "keys"])
            var keys = value["key"].flatMap { decoder.string($0, "\(path).key") }.map { [$0] } ?? []
            keys += value["keys"].flatMap { decoder.stringList($0, "\(path).keys") } ?? []
            if value["key"] == nil, value["keys"] == nil {
                decoder.error(value.location, "'\(path)' needs 'key' or 'keys'")
            }
            action = keys.isEmpty ? nil : .restoreCache(RestoreCacheAction(keys: keys))
        case "persist_to_workspace":
            decoder.checkKeys(entries, in: path, known: ["name", "root", "paths"])
            let root = required("root", of: value, path: path).flatMap { decoder.string($0, "\(path).root") }
            let paths = required("paths", of: value, path: path).flatMap { decoder.stringList($0, "\(path).paths") }
            action = zip2(root, paths).map { .persistToWorkspace(PersistToWorkspaceAction(root: $0, paths: $1)) }
        case "attach_workspace":
            decoder.checkKeys(entries, in: path, known: ["name", "at"])
            action = required("at", of: value, path: path).flatMap { decoder.string($0, "\(path).at") }
                .map { .attachWorkspace(at: $0) }
        case "store_artifacts":
            // Like store_test_results, it runs even after a failed step (CircleCI's CONFIG-REF, "The when attribute").
            condition = .always
            decoder.checkKeys(entries, in: path, known: ["name", "path", "destination"])
            let destination = value["destination"].flatMap { decoder.string($0, "\(path).destination") }
            action = required("path", of: value, path: path).flatMap { decoder.string($0, "\(path).path") }
                .map { .storeArtifacts(path: $0, destination: destination) }
        default:
            condition = .always
            decoder.checkKeys(entries, in: path, known: ["name", "path"])
            action = required("path", of: value, path: path).flatMap { decoder.string($0, "\(path).path") }
                .map { .storeTestResults(path: $0) }
        }
        _ = location
        return action.map { StepPlan(name: name, condition: condition, action: $0) }
    }

    /// The field `key` of a step, or an error saying it is missing.
    func required(_ key: String, of value: ConfigNode, path: String) -> ConfigNode? {
        if let node = value[key] { return node }
        decoder.error(value.location, "'\(path)' needs '\(key)'")
        return nil
    }
}

/// Both values, when both are there.
func zip2<A, B>(_ first: A?, _ second: B?) -> (A, B)? {
    guard let first, let second else { return nil }
    return (first, second)
}
