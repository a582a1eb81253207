// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// Every file under a folder (the `.git` folder included) with its size, mode, mtime and bytes.
struct Snapshot: Equatable {
    var entries: [String: String]

    /// Reads the whole tree under `root`.
    static func take(_ root: String) throws -> Snapshot {
        var entries: [String: String] = [:]
        let manager = FileManager.default
        guard let walker = manager.enumerator(atPath: root) else { return Snapshot(entries: [:]) }
        while let relative = walker.nextObject() as? String {
            let path = root + "/" + relative
            let attributes = try manager.attributesOfItem(atPath: path)
            let type = attributes[.type] as? FileAttributeType
            var description =
                "\(type?.rawValue ?? "?") \(attributes[.posixPermissions] ?? "") \(attributes[.modificationDate] ?? "")"
            if type == .typeRegular {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                description += " \(data.count) \(data.base64EncodedString())"
            }
            entries[relative] = description
        }
        return Snapshot(entries: entries)
    }
}
