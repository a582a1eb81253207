// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// An orb's source folder on disk (an orb repository's `src/`), packed by ``OrbPacker`` for `cibox orb pack`.
package enum OrbSourceFolder {
    /// Packs the orb source folder at `path`: its top-level YAML files (`@orb.yml`), the files of `commands/`,
    /// `jobs/`, `executors/` and `examples/`, and the files they include.
    ///
    /// - Parameter path: The folder, as the user gave it; diagnostics name files under it.
    /// - Returns: The packed YAML, or the diagnostics that say why not.
    /// - Throws: ``OrbError`` `notAFolder` when `path` is not a folder.
    package static func pack(_ path: String) throws(OrbError) -> OrbPackResult {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw OrbError(
                .notAFolder,
                "'\(path)' is not a folder. Pass an orb's source folder: the one that holds @orb.yml (an orb "
                    + "repository's src/).")
        }
        let root = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        var files = ((try? manager.contentsOfDirectory(atPath: root)) ?? []).filter { name in
            var isSubfolder: ObjCBool = false
            return manager.fileExists(atPath: root + "/" + name, isDirectory: &isSubfolder) && !isSubfolder.boolValue
        }
        for folder in OrbPacker.elementFolders {
            let names = (try? manager.contentsOfDirectory(atPath: root + "/" + folder)) ?? []
            files += names.map { folder + "/" + $0 }
        }
        return OrbPacker.pack(files: files.sorted(), folder: root) { relative in
            manager.contents(atPath: root + "/" + relative).flatMap { String(validating: $0, as: UTF8.self) }
        }
    }
}
