// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// Finds the JUnit XML files `store_test_results` reads: the file given, or every `*.xml` under the folder given.
package enum TestResultFiles {
    /// The XML files at `path`, sorted.
    /// - Parameter path: an absolute file or folder path.
    /// - Returns: `[path]` for a file; every `*.xml` file under a folder, at any depth, sorted by path.
    /// - Throws: ``TestResultsError`` `notFound` when nothing is at `path`, `unreadable` when a folder cannot
    ///   be listed.
    package static func find(at path: String) throws(TestResultsError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TestResultsError(
                .notFound, "No test results at '\(path)': nothing there. Check the `path` of store_test_results.")
        }
        // Refused, not empty: a folder the job's user cannot read is not a folder without results.
        guard access(path, isDirectory.boolValue ? R_OK | X_OK : R_OK) == 0 else {
            throw TestResultsError(
                .unreadable,
                "Cannot read the test results at '\(path)': \(String(cString: strerror(errno))).")
        }
        guard isDirectory.boolValue else { return [path] }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else {
            throw TestResultsError(.unreadable, "Cannot list the test results folder '\(path)'.")
        }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            guard relative.lowercased().hasSuffix(".xml") else { continue }
            let full = path + "/" + relative
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue {
                files.append(full)
            }
        }
        return files.sorted()
    }
}
