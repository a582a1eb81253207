// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// The last lines of a log file, read from its end so that huge logs cost nothing.
enum LogTail {
    /// The last `count` lines of the file at `path` (decoded leniently), or none when it cannot be read.
    static func lines(_ count: Int, of path: String) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let window: UInt64 = 64 * 1024
        try? handle.seek(toOffset: size > window ? size - window : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        guard !text.isEmpty else { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if size > window, lines.count > 1 { lines.removeFirst() }
        return Array(lines.suffix(count))
    }
}
