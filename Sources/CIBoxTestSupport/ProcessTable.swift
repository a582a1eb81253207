// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// Counts live (not zombie) processes whose command line contains `marker`: tests use unique markers such as
/// `sleep 3101` to prove that nothing a job started survives it.
package func processCount(containing marker: String) -> Int {
    processIDs(containing: marker).count
}

/// The live (not zombie) processes whose command line contains `marker`.
package func processIDs(containing marker: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry in
        guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else {
            return nil
        }
        let text = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        guard text.contains(marker) else { return nil }
        let stat = (try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8)) ?? ""
        guard let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z" ? pid : nil
    }
}
