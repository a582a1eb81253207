// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// Counts live (not zombie) processes whose command line contains `marker`: tests use unique markers such as
/// `sleep 3101` to prove that nothing a job started survives it.
package func processCount(containing marker: String) -> Int {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.filter { entry in
        guard Int32(entry) != nil, let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else {
            return false
        }
        let text = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        guard text.contains(marker) else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8)) ?? ""
        guard let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }.count
}
